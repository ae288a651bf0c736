/**
 * Early release of player storage (src/runtime/player/storage_refs.ts, the native backend's output
 * cache and the pool's `recycle`): the last handle of a buffer that never escaped returns it at
 * once, to the output cache for the next output of its size, or detached back to the pool so
 * no old view can read its next contents; a view (Reshape), a tensor in flight to a peer, and
 * a tensor revealed, sent over a wire or brought in from outside are never released early.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { U64, runKernel, type RingTensor } from '../../src/kernels/index.js';
import type { HostStorage } from '../../src/kernels/backend.js';
import { loadBinding } from '../../src/kernels/native/binding.js';
import { OUTPUT_CACHE_BYTES, OUTPUT_CACHE_PER_SIZE, keepOutput, outputArray, sizeClass, takeOutput } from '../../src/kernels/native/out_cache.js';
import { markEscaped, releaseStorage, retainStorage } from '../../src/runtime/player/storage_refs.js';
import { testOnConfigs } from '../helpers/configs.js';
import { nativeAvailable } from '../helpers/ring_testing.js';
import { testIf } from '../helpers/skip.js';

const N = 1 << 18; // 2 MiB of u64: large enough for the native pool
const fill = (value: bigint, backend = 'native') => runKernel('Fill', [], { shape: [N], value, dtype: 'u64' }, backend);
const intact = (t: RingTensor, value: bigint) => t.values().length === N && t.values().every((v) => v === value);

testIf(nativeAvailable(), 'the native addon is not built')('the addon recycles pooled blocks only, once, detaching every view', () => {
  const nb = loadBinding();
  const big = nb.alloc(true, N, true) as BigUint64Array;
  const view = big.subarray(3, 9);
  assert.is(nb.recycle(big), true);
  assert.is(big.length, 0, 'the recycled array is detached');
  assert.is(view.length, 0, 'so is every view of it');
  assert.is(nb.recycle(big), false, 'a second recycle does nothing');
  assert.is(nb.recycle(nb.alloc(true, 16, true)), true, 'small outputs are pooled too');
  assert.is(nb.recycle(nb.alloc(true, 0, true)), false, 'empty outputs come from V8');
  assert.is(nb.recycle(new BigUint64Array(N)), false, 'a JS-made array is never taken');
  const fresh = nb.alloc(true, N, true) as BigUint64Array;
  assert.ok(fresh.length === N && fresh.every((v) => v === 0n), 'a later zeroed output is zero');
});

testIf(nativeAvailable(), 'the native addon is not built')('a full output cache sends released arrays back to the pool, detached', () => {
  const n = 96; // a size nothing else here uses
  const arrays = Array.from({ length: OUTPUT_CACHE_PER_SIZE + 8 }, () => loadBinding().alloc(true, n, false));
  const kept = arrays.filter((a) => keepOutput(a)).length;
  assert.is(kept, OUTPUT_CACHE_PER_SIZE, 'the cache keeps a bounded number per size class');
  for (const a of arrays.slice(kept)) assert.is(loadBinding().recycle(a), true);
  assert.ok(arrays.slice(kept).every((a) => a.length === 0), 'the rest are detached');
  for (let i = 0; i < kept; i++) assert.is(takeOutput(true, n)?.length, n);
  assert.is(takeOutput(true, n), undefined, 'and the cache is empty again');
  assert.is(takeOutput(false, n), undefined, 'a u8 request of that length is another (smaller) class');
});

testIf(nativeAvailable(), 'the native addon is not built')('a full cache hands the arrays kept longest ago back to the addon; a miss returns a too-small buffer of its class', () => {
  // Quarter-cache arrays of one size class, never written: the addon's blocks are address
  // space until touched.
  const quarter = OUTPUT_CACHE_BYTES / 4 / 8;
  const sizes = [1, 2, 3, 4, 5].map((k) => quarter - 8 * k); // four fit, five do not
  assert.ok(new Set(sizes.map((n) => sizeClass(8 * n))).size === 1, 'one size class');
  const arrays = sizes.map((n) => loadBinding().alloc(true, n, false));
  assert.ok(arrays.slice(0, 4).every((a) => keepOutput(a)), 'four fit');
  assert.ok(arrays.every((a) => a.length > 0), 'none evicted yet');
  assert.ok(keepOutput(arrays[4]!), 'the fifth is kept...');
  assert.is(arrays[0]!.length, 0, '...by handing the oldest back to the addon (detached)');
  assert.ok(arrays.slice(1).every((a) => a.length > 0), 'and only it');
  assert.ok(takeOutput(true, sizes[4]!) === arrays[4], 'the newest buffer that fits serves a request, as itself when the length matches');
  assert.ok(takeOutput(true, sizes[1]!) === arrays[1], 'an older one when only it is large enough');
  const view = takeOutput(false, 8 * sizes[2]! - 5)!;
  assert.ok(view instanceof Uint8Array && view.buffer === arrays[2]!.buffer && view.length === 8 * sizes[2]! - 5, 'a shorter output of the class, of either kind, is a view of the buffer');
  assert.is(takeOutput(true, sizes[1]!), undefined, 'no waiting buffer is large enough...');
  assert.is(arrays[3]!.length, 0, '...so the miss hands one of the class back to the addon, for its block to serve the allocation');
  assert.is(keepOutput(loadBinding().alloc(true, OUTPUT_CACHE_BYTES / 8 + 8, false)), false, 'an array larger than the cache is not kept');
  const dirty = loadBinding().alloc(true, 100, false) as BigUint64Array;
  dirty.fill(7n);
  assert.ok(keepOutput(dirty));
  const zeros = outputArray(true, 90, true);
  assert.ok(zeros.buffer === dirty.buffer && zeros.length === 90 && (zeros as BigUint64Array).every((v) => v === 0n), 'a reused buffer asked for zeros is zeroed');
  assert.is(sizeClass(100), 128);
  assert.is(sizeClass(4_000_000), 4 * 2 ** 20);
});

testIf(nativeAvailable(), 'the native addon is not built')('keeping an array whose class has only the oldest array waiting evicts that one and keeps the new one', () => {
  const n = OUTPUT_CACHE_BYTES / 8 / 2 - 8; // two fit, three do not
  const first = loadBinding().alloc(true, n, false);
  const other = loadBinding().alloc(true, n + 1, false);
  const second = loadBinding().alloc(true, n, false);
  assert.ok(keepOutput(first) && keepOutput(other));
  assert.ok(keepOutput(second), 'kept, by evicting `first`, the only array of its size');
  assert.is(first.length, 0, 'first went back to the addon');
  assert.ok(takeOutput(true, n) === second, 'and the new array waits under its class');
  assert.ok(takeOutput(true, n + 1) === other);
});

testIf(nativeAvailable(), 'the native addon is not built')('the last reference releases; views share one count; escaped buffers stay', () => {
  const x = fill(5n);
  const view = runKernel('Reshape', [x], { shape: [N / 2, 2] }, 'native');
  retainStorage(x);
  retainStorage(view);
  releaseStorage(x);
  assert.ok(intact(x, 5n) && view.values().length === N, 'a reshape view keeps the buffer');
  const array = (x.storage as HostStorage).values;
  releaseStorage(view);
  assert.is(x.values().length, 0, 'a stale tensor of the released storage reads as empty');
  const waiting = takeOutput(true, N);
  assert.ok(waiting === array, `released with the last reference: the array waits for the next output of its size (got ${waiting?.length} elements, detached: ${array.length === 0})`);
  const one = fill(1n);
  assert.ok(keepOutput(array), 'and can be kept again');
  const reused = runKernel('Neg', [one], {}, 'native');
  assert.ok((reused.storage as HostStorage).values === array, 'the next output of its size class is written into it');
  assert.ok(reused.values().every((v) => v === 2n ** 64n - 1n), 'every element overwritten');
  const kept = fill(6n);
  retainStorage(kept);
  markEscaped(kept);
  releaseStorage(kept);
  assert.ok(intact(kept, 6n), 'an escaped buffer is left to the garbage collector');
  const plain = fill(7n, 'reference');
  retainStorage(plain);
  releaseStorage(plain);
  assert.ok(intact(plain, 7n), 'a reference-backend array is not the pool\'s');
  const stranger = fill(8n);
  releaseStorage(stranger);
  assert.ok(intact(stranger, 8n), 'a buffer no table counted is not released');
});

testOnConfigs(test, 'freed handles never corrupt views, tensors in flight or revealed values', async ({ rt }) => {
  // server1 is kept busy, so r reaches its mailbox (and server0 frees r) before its receive runs.
  const m = rt.fill('server1', [256, 256], 1n, U64);
  const busy = Array.from({ length: 4 }, () => rt.op('server1', 'MatMul', [m, m], { transposeA: false, transposeB: false }));
  const a = rt.fill('server0', [N], 3n, U64);
  const r = rt.op('server0', 'Reshape', [a], { shape: [N / 2, 2] });
  rt.free(a); // r still reads a's buffer
  const s = rt.send(r, 'server1');
  rt.free(r); // in flight: server1 has not read it yet
  rt.free(m, ...busy);
  const twice = rt.op('server1', 'Add', [s, s]);
  const back = rt.send(twice, 'server0');
  const revealed = await rt.reveal(twice);
  rt.free(s, twice);
  const again = rt.op('server0', 'Add', [back, rt.fill('server0', [], 1n, U64)]);
  rt.free(back);
  const later = await rt.reveal(rt.op('server0', 'Neg', [again]));
  await rt.flush();
  assert.equal(revealed.shape, [N / 2, 2]);
  assert.ok(revealed.values().length === N && revealed.values().every((v) => v === 6n), 'the revealed tensor is intact after its handle is freed');
  assert.ok(later.values().length === N && later.values().every((v) => v === (1n << 64n) - 7n), 'later kernels see correct inputs');
});

testOnConfigs(test, 'a tensor freed right after its send serves the next outputs, and the peer still gets what was sent', async ({ rt }) => {
  // Over ZeroMQ the send carries a copy (codec.ts copiesPeerTensor), so the sender's buffer goes
  // back to the output cache when freed; the fills below, run before the message leaves, reuse it.
  const a = rt.fill('server0', [N], 5n, U64);
  const doubled = rt.op('server0', 'Add', [a, a]);
  const s = rt.send(doubled, 'server1');
  rt.free(a, doubled);
  const overwrites = Array.from({ length: 4 }, (_, k) => rt.fill('server0', [N], 100n + BigInt(k), U64));
  const sums = overwrites.map((o) => rt.op('server0', 'Add', [o, o]));
  const got = await rt.reveal(s);
  const last = await rt.reveal(sums[3]);
  rt.free(s, ...overwrites, ...sums);
  await rt.flush();
  assert.ok(got.values().length === N && got.values().every((v) => v === 10n), 'the peer received the values at send time');
  assert.ok(last.values().every((v) => v === 206n), 'the sender\'s later outputs are intact');
});

test.run();
