/**
 * An emulated device for tests: the {@link DeviceBinding} surface implemented on the CPU addon,
 * handles being host arrays. It lets the `cuda` backend's TypeScript side (shapes, strides,
 * attributes, storage lifetimes) run against the reference backend on every machine. It says
 * nothing about the CUDA kernels themselves: those are checked by the host limb/AES tests, the
 * real-device cross-checks and the standalone harness (native/cuda/run_harness.sh).
 */
import type { HostArray } from '../../src/kernels/dtype.js';
import type { DeviceBinding, DeviceHandle } from '../../src/kernels/cuda/binding.js';
import { loadBinding } from '../../src/kernels/native/binding.js';
import { rowStrides } from '../../src/kernels/native/util.js';

interface Emulated { v: HostArray; freed: boolean }

/** Live emulated allocations (for leak checks). */
export const liveHandles = new Set<Emulated>();

function make(v: HostArray): DeviceHandle {
  const e: Emulated = { v, freed: false };
  liveHandles.add(e);
  return e as unknown as DeviceHandle;
}

function arr(h: DeviceHandle): HostArray {
  const e = h as unknown as Emulated;
  if (e.freed) throw new Error('emulated device: handle used after free');
  return e.v;
}

/** The emulated device. @example `registerDeviceBackend('cuda_emulated', () => emulatedDevice(), 0)` */
export function emulatedDevice(): DeviceBinding {
  const nb = loadBinding();
  const sync = <T>(v: T | Promise<T>) => v as T;
  return {
    deviceInfo: () => ({ count: 1, name: 'emulated (CPU addon)', major: 0, minor: 0, memoryBytes: 0 }),
    upload: (v) => make(v.slice()),
    download: (h) => arr(h).slice(),
    downloadAsync: async (h) => arr(h).slice(),
    free: (h) => { const e = h as unknown as Emulated; e.freed = true; liveHandles.delete(e); },
    alloc: (u64, n, zero) => make(nb.alloc(u64, n, zero)),
    fill: (h, value) => { const v = arr(h); if (v instanceof BigUint64Array) v.fill(value); else v.fill(Number(value)); },
    binary: (op, a, b, s, sa, sb, m) => make(sync(nb.binary(op, arr(a), arr(b), s, sa, sb, m, false))),
    compare: (op, a, b, s, sa, sb, signed) => make(sync(nb.compare(op, arr(a), arr(b), s, sa, sb, signed, false))),
    select: (c, a, b, s, sc, sa, sb) => make(sync(nb.select(arr(c) as Uint8Array, arr(a), arr(b), s, sc, sa, sb, false))),
    unary: (op, x, m) => make(sync(nb.unary(op, arr(x), m, false))),
    shift: (op, x, bits) => make(sync(nb.shift(op, arr(x) as BigUint64Array, bits, false))),
    bitExtract: (x, bit) => make(nb.bitExtract(arr(x) as BigUint64Array, bit)),
    bitDecompose: (x) => make(nb.bitDecompose(arr(x) as BigUint64Array)),
    cast: (x, toU64, m) => make(nb.cast(arr(x), toU64, m)),
    oneHot: (x, depth, toU64) => make(nb.oneHot(arr(x) as BigUint64Array, depth, toU64)),
    stridedCopy: (dst, dOff, dS, src, sOff, sS, shape) => nb.stridedCopy(arr(dst), dOff, dS, arr(src), sOff, sS, shape),
    gather: (x, outer, len, inner, idx) => make(nb.gather(arr(x), outer, len, inner, idx)),
    reduceSum: (x, shape, strides, outSize, m) => {
      // The view (kept axes first) copied out contiguously, then summed row by row.
      const src = arr(x);
      const flat = nb.alloc(src instanceof BigUint64Array, src.length, false);
      nb.stridedCopy(flat, 0, rowStrides([...shape]), src, 0, strides, shape);
      const rows = outSize === 0 ? 0 : src.length / outSize;
      return make(nb.reduceSum(flat, [outSize, rows], [1, 0], outSize, m));
    },
    cumSum: (x, outer, len, inner, excl, rev, m) => make(nb.cumSum(arr(x), outer, len, inner, excl, rev, m)),
    matmul: (a, b, batch, sa, sb, M, K, N, tA, tB, m) => make(sync(nb.matmul(arr(a), arr(b), batch, sa, sb, M, K, N, tA, tB, m, false))),
    conv2d: (x, w, F, ...g) => make(sync(nb.conv2d(arr(x) as BigUint64Array, arr(w) as BigUint64Array, F, ...g, false))),
    im2col: (x, ...g) => make(sync(nb.im2col(arr(x), ...g, false))),
    col2im: (cols, ...gm) => make(sync(nb.col2im(arr(cols), ...gm, false))),
    prgUniform: (seed, nonce, offset, n, m) => make(sync(nb.prgUniform(seed, nonce, offset, n, m, false))),
  };
}
