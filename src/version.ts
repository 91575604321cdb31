/** The package version (package.json), for manifests and `--version`. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function readVersion(): string {
  // src/version.ts (tests) or dist/src/version.js (built): the first package.json above
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const j = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (j.name === 'landcarbon' && typeof j.version === 'string') return j.version;
    } catch {
      // not here: one level up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

export const VERSION = readVersion();
