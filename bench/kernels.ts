/**
 * The `kernels` suite: native ring kernels against the reference backend and tfjs float32.
 * `npm run bench -- kernels --json`. Figures: GMAC/s for products, G elements/s for the
 * elementwise multiply (output allocation included), GB/s for the PRG keystream. Each native
 * figure also carries `perCpuSecond`, the same rate per second of process CPU time (both
 * threads counted), which stays meaningful when other work shares the cores; `load1` is the
 * 1-minute load average when the suite started.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { HostStorage } from '../src/kernels/backend.js';
import { runKernel, runKernelAsync } from '../src/kernels/engine.js';
import '../src/kernels/native/register.js';
import '../src/kernels/reference/register.js';
import { RingTensor } from '../src/kernels/ring_tensor.js';
import { type BenchResult, timeMedian } from './util.js';

/** A u64 tensor with varied bits (a fixed pattern; timings do not depend on the values). */
function u64(shape: number[]): RingTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new BigUint64Array(n);
  const w = new Uint32Array(v.buffer);
  let s = 0x9e3779b9;
  for (let i = 0; i < w.length; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; w[i] = s >>> 0; }
  return new RingTensor(shape, 'u64', new HostStorage(v));
}

type Opts = Parameters<typeof timeMedian>[1];

/** Median wall milliseconds of `fn`, and its mean process CPU milliseconds per run. */
async function timed(fn: () => unknown, opts: Opts = {}): Promise<{ ms: number; cpuMs: number }> {
  let cpu = 0, runs = 0;
  const ms = await timeMedian(async () => {
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
    runs++;
  }, opts);
  return { ms, cpuMs: cpu / runs };
}

const mm = { transposeA: false, transposeB: false };

async function tfjsMatmul(n: number): Promise<number> {
  await tf.setBackend('cpu');
  const [a, b] = [tf.randomUniform([n, n]), tf.randomUniform([n, n])];
  const ms = await timeMedian(() => tf.tidy(() => tf.matMul(a, b).dataSync()));
  tf.dispose([a, b]);
  return (n ** 3) / ms / 1e6;
}

/**
 * Runs the suite.
 * @example
 * ```ts
 * const results = await run(); // [{ name: 'matmul_u64_512', value: 18.2, unit: 'GMAC/s' }, ...]
 * ```
 */
export async function run(): Promise<BenchResult[]> {
  const load1 = +loadavg()[0].toFixed(2);
  const r: BenchResult[] = [];
  /** Records `work / time` in giga-units per second, wall and per CPU second. */
  const rate = (name: string, work: number, t: { ms: number; cpuMs: number }, unit: string, extra: object = {}) => {
    const value = work / t.ms / 1e6;
    r.push({ name, value, unit, ms: t.ms, perCpuSecond: work / t.cpuMs / 1e6, load1, ...extra });
    return value;
  };
  const [a5, b5, a10, b10] = [u64([512, 512]), u64([512, 512]), u64([1024, 1024]), u64([1024, 1024])];
  const m512 = rate('matmul_u64_512', 512 ** 3, await timed(() => runKernel('MatMul', [a5, b5], mm, 'native')), 'GMAC/s');
  const m1024 = rate('matmul_u64_1024', 1024 ** 3, await timed(() => runKernel('MatMul', [a10, b10], mm, 'native'), { minMs: 1000 }), 'GMAC/s');
  const refMs = await timeMedian(() => runKernel('MatMul', [a10, b10], mm, 'reference'), { warmup: 0, minRuns: 1, minMs: 0 });
  const ref = 1024 ** 3 / refMs / 1e6;
  r.push({ name: 'matmul_u64_1024_reference', value: ref, unit: 'GMAC/s', ms: refMs, runs: 1 });
  r.push({ name: 'matmul_u64_1024_native_vs_reference', value: m1024 / ref, unit: 'x' });
  rate('matmul_u64_1024_async', 1024 ** 3, await timed(() => runKernelAsync('MatMul', [a10, b10], mm, 'native')), 'GMAC/s');
  const f32 = await tfjsMatmul(512);
  r.push({ name: 'matmul_f32_tfjs_512', value: f32, unit: 'GMAC/s' });
  r.push({ name: 'matmul_u64_512_native_vs_tfjs_f32', value: m512 / f32, unit: 'x' });

  const n = 1 << 24;
  const [x, y] = [u64([n]), u64([n])];
  const mul = rate('mul_u64_elementwise', n, await timed(() => runKernel('Mul', [x, y], {}, 'native'), { minMs: 1000 }), 'G elements/s');
  // The async form yields to the event loop, so collected outputs return to the addon's pool.
  rate('mul_u64_elementwise_async', n, await timed(() => runKernelAsync('Mul', [x, y], {}, 'native'), { minMs: 1000 }), 'G elements/s');
  const small = [u64([1 << 16]), u64([1 << 16])];
  const refMulMs = await timeMedian(() => runKernel('Mul', small, {}, 'reference'), { minRuns: 1, minMs: 200 });
  r.push({ name: 'mul_u64_elementwise_native_vs_reference', value: mul / ((1 << 16) / refMulMs / 1e6), unit: 'x', referenceElements: 1 << 16 });

  const prg = { seed: new Uint8Array(16).map((_, i) => i), nonce: 1n, offset: 0n, shape: [1 << 23], dtype: 'u64' };
  const bytes = 8 << 23;
  const p = rate('prg_gbytes_per_s', bytes, await timed(() => runKernel('PrgUniform', [], prg, 'native'), { minMs: 1000 }), 'GB/s', { bytes });
  const refPrgMs = await timeMedian(() => runKernel('PrgUniform', [], prg, 'reference'), { minRuns: 1, minMs: 200 });
  r.push({ name: 'prg_native_vs_reference', value: p / (bytes / refPrgMs / 1e6), unit: 'x' });

  const [img, ker] = [u64([64, 28, 28, 16]), u64([5, 5, 16, 32])];
  const conv = { strides: [1, 1], padding: 'same' };
  rate('conv2d_u64', 64 * 28 * 28 * 25 * 16 * 32, await timed(() => runKernel('Conv2D', [img, ker], conv, 'native'), { minMs: 1000 }), 'GMAC/s');
  return r;
}
