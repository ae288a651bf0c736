/**
 * The addon's glibc malloc settings (native/malloc_tuning.cc): on by default on glibc, off with
 * TFE_NATIVE_MALLOC=default, and a user's own MALLOC_*_ variables or glibc.malloc.* tunables
 * win. Each case loads the addon in a fresh node process, since the settings are made once,
 * when it loads. With them,
 * megabyte blocks of changing sizes reuse heap pages instead of faulting in fresh ones.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ADDON = new URL('../../build/Release/tfe_ring.node', import.meta.url).pathname;
const glibc = process.platform === 'linux' && Boolean((process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime);

/**
 * Loads the addon in a child (with `--expose-gc`) with `env` added, runs the async `script`,
 * and returns the addon's flag and the `faults` the script set.
 */
function inChild(env: Record<string, string>, script = ''): { tuned: boolean; faults?: number } {
  const code = `const b = require(${JSON.stringify(ADDON)}); let faults; (async () => { ${script} })().then(() => console.log(JSON.stringify({ tuned: b.mallocTuned, faults })));`;
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MALLOC_') && k !== 'TFE_NATIVE_MALLOC' && k !== 'GLIBC_TUNABLES'));
  return JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', code], { env: { ...clean, ...env }, encoding: 'utf8' })) as { tuned: boolean; faults?: number };
}

test('the addon tunes malloc on glibc unless told not to', () => {
  assert.ok(existsSync(ADDON), 'native addon built');
  assert.is(inChild({}).tuned, glibc);
  assert.is(inChild({ TFE_NATIVE_MALLOC: 'default' }).tuned, false);
  assert.is(inChild({ MALLOC_TRIM_THRESHOLD_: '1048576' }).tuned, false);
  assert.is(inChild({ MALLOC_MMAP_THRESHOLD_: '1048576' }).tuned, false);
  assert.is(inChild({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=1048576' }).tuned, false);
  assert.is(inChild({ GLIBC_TUNABLES: 'glibc.rtld.nns=4' }).tuned, glibc, 'tunables of other glibc parts do not count');
});

test('with the settings, megabyte buffers of changing sizes reuse pages', () => {
  if (!glibc) return;
  // Buffers of 3, 6, 9 and 12 MiB live together, then all dropped and collected (a GC and a
  // pause for V8's buffer sweeper, so the frees happen at a fixed point). glibc's own dynamic
  // thresholds give the 30 MiB back to the kernel each round and fault it in again (about
  // 7,650 faults per round, when the threshold is fixed); with the settings, after a warm-up round, the faults per round
  // stay far below the 7,680 pages one round touches.
  const script = `
    const settle = async () => { for (let k = 0; k < 2; k++) { global.gc(); await new Promise((r) => setTimeout(r, 5)); } };
    const round = async () => { let live = [3, 6, 9, 12].map((mb) => { const a = Buffer.alloc(mb << 20, 1); a[a.length - 1] = 2; return a; }); live = null; await settle(); };
    await round(); await round();
    const f0 = process.resourceUsage().minorPageFault;
    for (let k = 0; k < 10; k++) await round();
    faults = (process.resourceUsage().minorPageFault - f0) / 10;`;
  const tuned = inChild({}, script);
  assert.ok(tuned.faults! < 500, `faults per round with the settings: ${tuned.faults}`);
  // The same rounds with glibc's default mmap threshold (128 KiB) held fixed, so the bound above
  // can fail. (glibc's own dynamic threshold rises to the largest block freed so far, after
  // which the defaults may keep the pages too: a CI run saw 2.6 faults per round that way.)
  const untuned = inChild({ MALLOC_MMAP_THRESHOLD_: '131072' }, script);
  assert.ok(untuned.faults! > 5000, `faults per round with a fixed 128 KiB mmap threshold: ${untuned.faults}`);
});

test.run();
