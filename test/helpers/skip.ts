import { test } from 'uvu';

/**
 * `test` when `available` is true, else `test.skip` (counted as skipped, not passed, in the
 * runner's `N passed, N failed, N skipped` line), with the reason printed once per file.
 * @example
 * ```ts
 * testIf(!!cuda, 'nvcc not found')('nvcc compiles the kernels', () => { ... });
 * ```
 */
export function testIf(available: boolean, reason: string): typeof test {
  if (available) return test;
  if (!printed.has(reason)) console.log(`  skip: ${reason}`);
  printed.add(reason);
  return test.skip as unknown as typeof test;
}

const printed = new Set<string>();
