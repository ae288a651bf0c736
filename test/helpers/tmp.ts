import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A fresh temporary directory under `.tfe-tmp/` in the working directory (players only read
 * and write inside their data directory, which defaults to the working directory). The parent
 * is created on a fresh clone.
 * @example
 * ```ts
 * const dir = testTmpDir('ckpt-');
 * ```
 */
export function testTmpDir(prefix: string): string {
  const base = join(process.cwd(), '.tfe-tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, prefix));
}
