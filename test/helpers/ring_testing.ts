/**
 * Test helpers for ring kernels: deterministic random tensors from our own PRG (fixed seeds,
 * edge values mixed in), bit-exact comparison, and running one body on every backend.
 */
import * as assert from 'uvu/assert';
import { ValueError } from '../../src/errors.js';
import {
  availableBackends, inferOutput, runKernel, type RingSpec, RingTensor, ringName, U64,
} from '../../src/kernels/index.js';
import { HostStorage } from '../../src/kernels/backend.js';
import { prgValues } from '../../src/kernels/prg.js';

/** A fixed 16-byte seed for label `label` (tests must be reproducible). */
export function testSeed(label: number): Uint8Array {
  return Uint8Array.from({ length: 16 }, (_, i) => (label * 31 + i * 7 + 1) & 0xff);
}

/** u64 edge values mixed into random data. */
export const U64_EDGES = [0n, 1n, 1n << 63n, (1n << 64n) - 1n];

let counter = 0;

/**
 * A random tensor of `shape` in `ring`, from the reference PRG with a fixed seed; about one
 * element in eight is replaced by an edge value (u64: 0, 1, 2^63, 2^64 − 1; u8: 0, 1, m − 1).
 * Successive calls give different tensors, the same in every run.
 */
export function randomTensor(shape: number[], ring: RingSpec = U64, label?: number): RingTensor {
  const seed = testSeed(label ?? ++counter);
  const size = shape.reduce((a, b) => a * b, 1);
  const picks = prgValues(seed, 1n, 0n, size, 'u8', 256) as Uint8Array;
  if (ring.dtype === 'u64') {
    const v = prgValues(seed, 0n, 0n, size, 'u64') as BigUint64Array;
    for (let i = 0; i < size; i++) if (picks[i] < 32) v[i] = U64_EDGES[picks[i] & 3];
    return new RingTensor(shape, 'u64', hostStorage(v), undefined);
  }
  const m = ring.modulus ?? 256;
  const v = prgValues(seed, 0n, 0n, size, 'u8', m) as Uint8Array;
  for (let i = 0; i < size; i++) if (picks[i] < 32) v[i] = [0, 1, m - 1][picks[i] % 3];
  return new RingTensor(shape, 'u8', hostStorage(v), m);
}

/** Random small u64 values in [0, bound) (for indices). */
export function randomSmall(shape: number[], bound: number, label?: number): RingTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = prgValues(testSeed(label ?? ++counter), 2n, 0n, size, 'u64') as BigUint64Array;
  return new RingTensor(shape, 'u64', hostStorage(v.map((e) => e % BigInt(bound))), undefined);
}

function hostStorage(v: BigUint64Array | Uint8Array): HostStorage { return new HostStorage(v); }

/**
 * Asserts two tensors have the same shape, ring and bits; reports the first differing index.
 */
export function assertSameBits(actual: RingTensor, expected: RingTensor, what = ''): void {
  const label = what ? `${what}: ` : '';
  assert.equal([...actual.shape], [...expected.shape], `${label}shape`);
  assert.is(ringName(actual.ring), ringName(expected.ring), `${label}ring`);
  const [a, b] = [actual.values(), expected.values()];
  const ba = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const bb = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (ba.length !== bb.length) assert.unreachable(`${label}byte lengths ${ba.length} vs ${bb.length}`);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) assert.unreachable(`${label}element ${i} differs: ${a[i]} vs ${b[i]} (shape [${actual.shape}])`);
  }
}

/** Asserts a tensor holds exactly `expected` (bigints or numbers) in `shape`. */
export function assertValues(t: RingTensor, shape: number[], expected: (bigint | number)[], what = ''): void {
  assert.equal([...t.shape], shape, `${what} shape`);
  const got = Array.from(t.values() as ArrayLike<bigint | number>, (v) => BigInt(v));
  assert.equal(got, expected.map((v) => BigInt(v)), what);
}

/** True when native cross-checks may be skipped (env TFE_ALLOW_NO_NATIVE=1). */
export const allowNoNative = process.env.TFE_ALLOW_NO_NATIVE === '1';

/**
 * Throws unless the native backend is available, except with TFE_ALLOW_NO_NATIVE=1, where it
 * returns false so the caller can skip.
 */
export function nativeAvailable(): boolean {
  if (availableBackends().includes('native')) return true;
  if (allowNoNative) return false;
  throw new Error('the native backend is not available (addon missing?); set TFE_ALLOW_NO_NATIVE=1 to skip native cross-checks');
}

/**
 * Runs `kernelName` on the reference and native backends and asserts identical bits, and that
 * the output matches shape inference. Returns the reference result.
 */
export function crossCheck(kernelName: string, inputs: RingTensor[], attrs: object = {}, what = ''): RingTensor {
  const want = inferOutput(kernelName, inputs.map((t) => ({ shape: t.shape, ring: t.ring })), attrs);
  const ref = runKernel(kernelName, inputs, attrs, 'reference');
  const label = `${kernelName}${what ? ` ${what}` : ''}`;
  assert.equal([...ref.shape], want.shape, `${label}: reference shape vs inferOutput`);
  if (!nativeAvailable()) return ref;
  assertSameBits(runKernel(kernelName, inputs, attrs, 'native'), ref, `${label} native vs reference`);
  return ref;
}

/** The backends a "run on every backend" test body uses (native required unless allowed). */
export function backendsUnderTest(): string[] {
  return nativeAvailable() ? ['reference', 'native'] : ['reference'];
}

/**
 * Runs `body` once per backend under test (tfjs's ALL_ENVS), naming the backend on failure.
 */
export function forEachBackend(body: (backend: string) => void): void {
  for (const b of backendsUnderTest()) {
    try {
      body(b);
    } catch (e) {
      if (e instanceof Error) e.message = `[backend ${b}] ${e.message}`;
      throw e;
    }
  }
}

/**
 * Asserts `fn` throws a ValueError whose message contains every given string or regex
 * (e.g. the argument name in backticks). Returns the message.
 */
export function assertValueError(fn: () => unknown, ...mustMatch: (string | RegExp)[]): string {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ValueError)) assert.unreachable(`expected a ValueError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    const msg = (e as Error).message;
    for (const m of mustMatch) {
      const ok = typeof m === 'string' ? msg.includes(m) : m.test(msg);
      assert.ok(ok, `message ${JSON.stringify(msg)} should match ${String(m)}`);
    }
    return msg;
  }
  return assert.unreachable(`expected a ValueError matching ${mustMatch.map(String).join(', ')}`) as never;
}
