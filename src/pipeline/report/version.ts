import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** landcarbon's version from its package.json (found upwards from this file, in src/ or dist/). */
export function landcarbonVersion(): string {
  let d = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    const p = join(d, 'package.json');
    if (existsSync(p)) {
      const j = JSON.parse(readFileSync(p, 'utf8'));
      if (j.name === 'landcarbon') return String(j.version);
    }
    d = dirname(d);
  }
  return 'unknown';
}
