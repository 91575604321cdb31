import { describe, it, expect } from 'vitest';
import { markdownToHtml } from '../../src/pipeline/report.js';

describe('report markdown', () => {
  it('headings, paragraphs and tables (separator row dropped), text escaped', () => {
    const html = markdownToHtml('# T\n\n## Sub <x>\n\na & b\n\n| a | b |\n|---|---:|\n| 1 | 2 |\n');
    expect(html).toBe('<h1>T</h1>\n<h2>Sub &lt;x&gt;</h2>\n<p>a &amp; b</p>\n<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>');
  });
});
