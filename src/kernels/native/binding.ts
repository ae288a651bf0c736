/**
 * The typed surface of the native ring addon (`build/Release/tfe_ring.node`, built from
 * `native/*.cc` by node-gyp). This is the only module that loads the addon. Every function
 * checks its argument types and lengths and throws a `TypeError` naming the argument;
 * shapes are validated by the front-door ops before they get here.
 *
 * Conventions: u64 data is a `BigUint64Array`, u8 data a `Uint8Array`; `modulus` is 0 for u64
 * and the ring modulus m for u8; strides count elements; functions with an `async` flag return
 * a Promise when it is true and the work is large, and the result itself otherwise; an optional
 * trailing `out` array of the output's kind and length is written instead of a fresh one
 * (out_cache.ts).
 * @internal
 */
import { createRequire } from 'node:module';
import type { HostArray } from '../dtype.js';

type Arr = HostArray;
type Ints = readonly number[] | Int32Array;
type MaybeAsync<T> = T | Promise<T>;

/** The addon's functions. @example `loadBinding().threads // 2` */
export interface NativeBinding {
  /** Worker threads plus the caller. */
  readonly threads: number;
  /** Whether the addon set glibc's mmap and trim thresholds for large tensors (native/malloc_tuning.cc). */
  readonly mallocTuned: boolean;
  binary(op: number, a: Arr, b: Arr, outShape: Ints, aStrides: Ints, bStrides: Ints, modulus: number, async: boolean, out?: Arr): MaybeAsync<Arr>;
  compare(op: number, a: Arr, b: Arr, outShape: Ints, aStrides: Ints, bStrides: Ints, signed: boolean, async: boolean, out?: Arr): MaybeAsync<Uint8Array>;
  select(cond: Uint8Array, a: Arr, b: Arr, outShape: Ints, cStrides: Ints, aStrides: Ints, bStrides: Ints, async: boolean, out?: Arr): MaybeAsync<Arr>;
  unary(op: number, x: Arr, modulus: number, async: boolean, out?: Arr): MaybeAsync<Arr>;
  shift(op: number, x: BigUint64Array, bits: number, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  bitExtract(x: BigUint64Array, bit: number, out?: Arr): Uint8Array;
  bitDecompose(x: BigUint64Array, out?: Arr): Uint8Array;
  cast(x: Arr, toU64: boolean, modulus: number): Arr;
  oneHot(x: BigUint64Array, depth: number, toU64: boolean): Arr;
  stridedCopy(dst: Arr, dstOffset: number, dstStrides: Ints, src: Arr, srcOffset: number, srcStrides: Ints, shape: Ints): void;
  gather(x: Arr, outer: number, axisLen: number, inner: number, indices: Ints, out?: Arr): Arr;
  alloc(u64: boolean, n: number, zero: boolean): Arr;
  reduceSum(x: Arr, shape: Ints, outStrides: Ints, outSize: number, modulus: number, out?: Arr): Arr;
  cumSum(x: Arr, outer: number, len: number, inner: number, exclusive: boolean, reverse: boolean, modulus: number): Arr;
  matmul(a: Arr, b: Arr, batchShape: Ints, aBatchStrides: Ints, bBatchStrides: Ints, M: number, K: number, N: number,
    transposeA: boolean, transposeB: boolean, modulus: number, async: boolean, out?: Arr): MaybeAsync<Arr>;
  conv2d(x: BigUint64Array, w: BigUint64Array, F: number, ...geomAsyncOut: [...ConvGeom, boolean, Arr?]): MaybeAsync<BigUint64Array>;
  im2col(x: Arr, ...geomAsyncOut: [...ConvGeom, boolean, Arr?]): MaybeAsync<Arr>;
  col2im(cols: Arr, ...geomModAsync: [...ConvGeom, number, boolean]): MaybeAsync<Arr>;
  prgUniform(seed: Uint8Array, nonce: bigint, offset: bigint, n: number, modulus: number, async: boolean, out?: Arr): MaybeAsync<Arr>;
  /** X25519(scalar, u) (RFC 7748) for each 32-byte u of `points`, constant time in the scalar. */
  x25519(scalar: Uint8Array, points: Uint8Array, async: boolean): MaybeAsync<Uint8Array>;
  /** Returns a pooled output block at once, detaching its ArrayBuffer; false for any other buffer. */
  recycle(view: Arr): boolean;
  /** True when the view's buffer is a block leased from the pool (what the output cache may reuse). */
  pooled(view: Arr): boolean;
  /** Bytes out and cached now, and block counts since start-up: cache hits, fresh blocks, blocks freed. */
  poolStats(): { outstanding: number; cached: number; hits: number; fresh: number; evicted: number };
  addN(xs: BigUint64Array[], n: number, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  truncDeal(r0: BigUint64Array, r1: BigUint64Array, s: BigUint64Array, bits: number, msb: boolean, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  truncFinish(cOwn: BigUint64Array, cOther: BigUint64Array, t: BigUint64Array, m: BigUint64Array, bits: number, first: boolean,
    async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  privateCompareMask(x: Uint8Array, r: BigUint64Array, beta: Uint8Array, s: Uint8Array, z: Uint8Array, rot: Uint8Array,
    first: boolean, modulus: number, edgeCase: boolean, async: boolean, out?: Arr): MaybeAsync<Uint8Array>;
  privateCompareZeroTest(d0: Uint8Array, d1: Uint8Array, modulus: number, async: boolean, out?: Arr): MaybeAsync<Uint8Array>;
  bitDecomposeSub(x: BigUint64Array, s: Uint8Array, modulus: number, async: boolean, out?: Arr): MaybeAsync<Uint8Array>;
  addModOdd(a: BigUint64Array, b: BigUint64Array, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  bitUnzipPack(x: BigUint64Array, odd: boolean, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  prefixTerms(g0: BigUint64Array, g1: BigUint64Array, p0: BigUint64Array, p1: BigUint64Array, level: number, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  /** The next level's G words from (z, g), or its P words from z when `g` is null. */
  prefixNext(z: BigUint64Array, g: BigUint64Array | null, level: number, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  bitUnpackTree(h: BigUint64Array, count: number, lanes: boolean, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  signBitsTree(h: BigUint64Array, lanes: boolean, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  lanePack(x: BigUint64Array, half: number, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  signLeafTerms(u: BigUint64Array, c: BigUint64Array, v: BigUint64Array, generate: boolean, withV: boolean, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  pondLeaves(r: BigUint64Array, c: BigUint64Array, first: boolean, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  pondPrefixMask(ge: BigUint64Array, masks: BigUint64Array, last: boolean, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  pondPrefixCombine(ge: BigUint64Array, opened: BigUint64Array, masks: BigUint64Array, ands: BigUint64Array, first: boolean, last: boolean, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  pondPrefixDeal(masks: BigUint64Array, last: boolean, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  dcfGen(alpha: BigUint64Array, beta: BigUint64Array, seeds: BigUint64Array, bits: number, width: number, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
  dcfEval(keys: BigUint64Array, x: BigUint64Array, n: number, bits: number, width: number, party: number, async: boolean, out?: Arr): MaybeAsync<BigUint64Array>;
}

/**
 * Window geometry: N, H, W, C, kh, kw, sh, sw, padTop, padLeft, oh, ow.
 * @example
 * ```ts
 * const g: ConvGeom = [1, 28, 28, 1, 5, 5, 1, 1, 2, 2, 28, 28]; // 5×5 'same' on 28×28
 * ```
 */
export type ConvGeom = [number, number, number, number, number, number, number, number, number, number, number, number];

const addons = new Map<string, unknown>();

/**
 * Loads a node-gyp addon of this package by file name, once, from build/Release (or
 * build/Debug), relative to this file (same depth in `src/` and `dist/`); throws with the
 * loader's reason when it is missing or broken.
 * @example
 * ```ts
 * const cuda = requireAddon<DeviceBinding>('tfe_cuda.node');
 * ```
 */
export function requireAddon<T>(file: string): T {
  if (!addons.has(file)) {
    const require = createRequire(import.meta.url);
    let first: unknown;
    for (const dir of ['../../../build/Release/', '../../../build/Debug/']) {
      try {
        addons.set(file, require(dir + file));
        break;
      } catch (e) {
        first ??= e;
      }
    }
    if (!addons.has(file)) throw first;
  }
  return addons.get(file) as T;
}

/**
 * Loads the ring addon once; throws with the loader's reason when it is missing or broken.
 * @example
 * ```ts
 * const nb = loadBinding();
 * nb.binary(0, a, b, [4], [1], [1], 0, false); // a + b
 * ```
 */
export function loadBinding(): NativeBinding {
  return requireAddon<NativeBinding>('tfe_ring.node');
}
