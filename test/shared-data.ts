// Tests on the outside real data (../shared/data: pie, sibuyan) run when it is beside the
// checkout (CI has it) and are skipped with one line each on a plain clone, which has not.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

/** <project>/../shared/data/ */
export const SHARED_DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
export const HAS_SHARED_DATA = existsSync(SHARED_DATA + 'pie/lu_pie_1985.tif') && existsSync(SHARED_DATA + 'sibuyan/lu_sib_1997.tif');

/** `it` for a test that reads ../shared/data: skipped, with one line saying so, when it is absent. */
export function itShared(name: string, fn: () => unknown, timeout?: number): void {
  if (HAS_SHARED_DATA) {
    it(name, fn, timeout);
    return;
  }
  console.log(`skipped "${name}": it reads the real pie/sibuyan data in ../shared/data, which is not beside this checkout`);
  it.skip(name, fn);
}
