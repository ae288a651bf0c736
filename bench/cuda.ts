/**
 * `npm run bench -- cuda [--json]`: the CUDA backend (issue 7). Same names as the standalone
 * harness (native/cuda/run_harness.sh):
 * - cuda_matmul_u64_4096_tmacs: tera ring MACs per second of a 4096³ u64 matmul (the dispatch
 *   picks the int8 tensor-core limb kernel at this size);
 * - cuda_matmul_u64_1024_ms: one 1024³ u64 matmul;
 * - cuda_prg_gbytes_per_s: PrgUniform u64 keystream on the device, 1 GiB;
 * - cuda_vs_cpu_matmul_1024_ratio: native (CPU) time over cuda time for the 1024³ matmul;
 * - networkA_train_step_ms: one SecureNN training step of network A (bench/mnist.ts) with every
 *   player's kernels on the GPU (LocalConfig).
 * Device timings end with a one-element download, which waits for the queued kernels. Without a
 * GPU (or without the cuda addon) every figure is reported as null with the reason, and the
 * `--json` last line keeps its shape.
 */
import { availableBackends, findBackend, runKernel, setBackend } from '../src/kernels/index.js';
import type { CudaBackend } from '../src/kernels/cuda/cuda_backend.js';
import type { RingTensor } from '../src/kernels/ring_tensor.js';
import { timeMedian, type BenchResult } from './util.js';

const NAMES: [string, string][] = [
  ['cuda_matmul_u64_4096_tmacs', 'Tmac/s'], ['cuda_matmul_u64_1024_ms', 'ms'], ['cuda_prg_gbytes_per_s', 'GB/s'],
  ['cuda_vs_cpu_matmul_1024_ratio', 'x'], ['networkA_train_step_ms', 'ms'],
];

const seed = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

/** A uniform u64 [n, n] tensor made on `backend`. */
const uniform = (n: number, backend: string, nonce: bigint) =>
  runKernel('PrgUniform', [], { seed, nonce, offset: 0n, shape: [n, n], dtype: 'u64' }, backend);

/** Waits for the device by downloading one element. */
const settle = (t: RingTensor, backend: string) =>
  runKernel('Slice', [t], { begin: t.shape.map(() => 0), size: t.shape.map(() => 1), strides: t.shape.map(() => 1) }, backend).values();

async function matmulMs(n: number, backend: string): Promise<number> {
  const [a, b] = [uniform(n, backend, 1n), uniform(n, backend, 2n)];
  const mm = { transposeA: false, transposeB: false };
  return timeMedian(() => { const c = runKernel('MatMul', [a, b], mm, backend); settle(c, backend); c.dispose(); }, { minRuns: 3, minMs: 1000 });
}

/**
 * Runs the suite.
 * @example
 * ```ts
 * const results = await run(); // [{ name: 'cuda_matmul_u64_4096_tmacs', value: 12.3, unit: 'Tmac/s' }, ...]
 * ```
 */
export async function run(): Promise<BenchResult[]> {
  if (!availableBackends().includes('cuda')) {
    const reason = 'no cuda backend: needs `TFE_CUDA=1 npm install` (nvcc) and an NVIDIA GPU';
    console.error(`cuda bench skipped: ${reason}`);
    return NAMES.map(([name, unit]) => ({ name, value: NaN, unit, skipped: reason }));
  }
  const device = (findBackend('cuda') as CudaBackend).device.deviceInfo().name;
  const t4096 = await matmulMs(4096, 'cuda');
  const t1024 = await matmulMs(1024, 'cuda');
  const cpu1024 = availableBackends().includes('native') ? await matmulMs(1024, 'native') : NaN;
  const n = 1 << 27;
  const prgMs = await timeMedian(() => {
    const t = runKernel('PrgUniform', [], { seed, nonce: 0n, offset: 0n, shape: [n], dtype: 'u64' }, 'cuda');
    settle(t, 'cuda');
    t.dispose();
  }, { minRuns: 3, minMs: 1000 });
  setBackend('cuda');
  const mnist = await import('./mnist.js');
  const step = (await mnist.run()).find((r) => r.name === 'networkA_train_step_ms');
  return [
    { name: 'cuda_matmul_u64_4096_tmacs', value: 4096 ** 3 / t4096 / 1e9, unit: 'Tmac/s', device },
    { name: 'cuda_matmul_u64_1024_ms', value: t1024, unit: 'ms', device },
    { name: 'cuda_prg_gbytes_per_s', value: (8 * n) / prgMs / 1e6, unit: 'GB/s', device },
    { name: 'cuda_vs_cpu_matmul_1024_ratio', value: cpu1024 / t1024, unit: 'x', native_ms: cpu1024, device },
    { name: 'networkA_train_step_ms', value: step?.value ?? NaN, unit: 'ms', backend: 'cuda', device },
  ];
}
