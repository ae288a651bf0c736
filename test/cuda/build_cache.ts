/**
 * Builds for the CUDA tests, cached by content: the output lands in
 * build/cuda-tests/<hash>/, keyed by the compiler command and every file under native/cuda/,
 * so an unchanged tree reuses the previous build and any edit recompiles.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

/** The repository root. */
export const root = new URL('../..', import.meta.url).pathname;
/** native/cuda. */
export const cudaDir = join(root, 'native', 'cuda');

const require = createRequire(import.meta.url);
const { findCuda } = require('../../native/cuda/find_nvcc.cjs') as { findCuda(): { nvcc: string; home: string } | null };

/** nvcc and the toolkit root, or null when nvcc is not installed. */
export const cuda = findCuda();

function treeHash(command: string[]): string {
  const h = createHash('sha256').update(command.join('\0'));
  for (const f of readdirSync(cudaDir).sort()) h.update(f).update(readFileSync(join(cudaDir, f)));
  return h.digest('hex').slice(0, 16);
}

/**
 * Runs `command` (with `{out}` standing for the output path) unless its output for the
 * current sources exists. Returns the output path, whether it was cached and the seconds spent.
 * Throws with the compiler's output when it fails.
 * @example
 * ```ts
 * const { path } = cachedBuild('host_check', ['g++', '-O2', 'native/cuda/host_check.cc', '-o', '{out}']);
 * ```
 */
export function cachedBuild(name: string, command: string[]): { path: string; cached: boolean; seconds: number } {
  const dir = join(root, 'build', 'cuda-tests', treeHash(command));
  const path = join(dir, name);
  if (existsSync(path)) return { path, cached: true, seconds: 0 };
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const args = command.slice(1).map((a) => a.replace('{out}', path));
  const r = spawnSync(command[0], args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${command[0]} failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}`);
  }
  return { path, cached: false, seconds: (Date.now() - started) / 1000 };
}
