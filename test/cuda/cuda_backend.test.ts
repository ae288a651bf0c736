/**
 * The `cuda` backend against the reference backend, bit for bit, on every kernel of the
 * contract (device_cases.ts). On an emulated device (the CPU addon behind the device surface)
 * this runs everywhere and checks the TypeScript side: shapes, strides, attributes, storage
 * lifetimes. On a real GPU the same cases check the CUDA kernels; without one that part is
 * skipped with the reason printed.
 */
import { test } from 'uvu';
import { testIf } from '../helpers/skip.js';
import * as assert from 'uvu/assert';
import { availableBackends, findBackend, inferOutput, knownKernels, runKernel, RingTensor } from '../../src/kernels/index.js';
import { deviceKernels, registerDeviceBackend } from '../../src/kernels/cuda/register.js';
import { assertSameBits, nativeAvailable, randomTensor } from '../helpers/ring_testing.js';
import { deviceCases } from './device_cases.js';
import { emulatedDevice, liveHandles } from './emulated_device.js';

registerDeviceBackend('cuda_emulated', () => emulatedDevice(), 0);

function crossCheckAll(backend: string): number {
  let n = 0;
  for (const c of deviceCases()) {
    const label = `${c.kernel} ${c.what} [${backend}]`;
    const ref = runKernel(c.kernel, c.inputs, c.attrs, 'reference');
    const got = runKernel(c.kernel, c.inputs, c.attrs, backend);
    assert.ok(got.storage.kind.startsWith('device:'), `${label}: output stays on the device`);
    const want = inferOutput(c.kernel, c.inputs.map((t) => ({ shape: t.shape, ring: t.ring })), c.attrs);
    assert.equal([...got.shape], want.shape, `${label}: shape vs inferOutput`);
    assertSameBits(got, ref, label);
    n++;
  }
  return n;
}

const NO_NATIVE = 'the native addon is not built, so the emulated device cannot run';

test('the device kernel table covers every kernel of the contract', () => {
  const missing = knownKernels().filter((k) => !(k in deviceKernels));
  assert.equal(missing, [], `kernels without a cuda body: ${missing.join(', ')}`);
  const covered = new Set(deviceCases().map((c) => c.kernel));
  assert.equal(knownKernels().filter((k) => !covered.has(k)), [], 'every kernel has a cross-check case');
});

testIf(nativeAvailable(), NO_NATIVE)('emulated device: every kernel equals the reference bit for bit', () => {
  assert.ok(crossCheckAll('cuda_emulated') > 100);
});

testIf(nativeAvailable(), NO_NATIVE)('emulated device: reshape shares the buffer, which is freed when the last tensor is disposed', () => {
  const be = findBackend('cuda_emulated')!;
  const x = new RingTensor([2, 3], 'u64', be.upload(randomTensor([2, 3]).values(), 'u64'));
  const y = runKernel('Reshape', [x], { shape: [3, 2] }, 'cuda_emulated');
  const before = liveHandles.size;
  x.dispose();
  assert.is(liveHandles.size, before, 'still referenced by the reshape');
  assert.is(y.values().length, 6);
  y.dispose();
  assert.is(liveHandles.size, before - 1, 'freed with the last user');
  assert.throws(() => y.values(), /disposed/);
  y.dispose(); // a second dispose is a no-op
});

testIf(nativeAvailable(), NO_NATIVE)('emulated device: async download gives the same values', async () => {
  const t = runKernel('Add', [randomTensor([100]), randomTensor([100])], {}, 'cuda_emulated');
  assert.equal(await t.data(), t.values());
});

testIf(availableBackends().includes('cuda'), 'no cuda backend here (needs `TFE_CUDA=1 npm install` and an NVIDIA GPU); the GPU cross-checks did not run')('real GPU: every kernel equals the reference bit for bit', () => {
  assert.ok(crossCheckAll('cuda') > 100);
});

test.run();
