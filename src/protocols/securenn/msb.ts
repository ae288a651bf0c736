import { U64 } from '../../kernels/dtype.js';
import type { Handle } from '../runtime_link.js';
import type { Pond } from '../pond/pond.js';
import { PondPrivateTensor } from '../pond/pond_tensors.js';
import { Scratch } from '../scratch.js';
import { msbShares, msbSharesViaShareConvert } from './compute_msb.js';

/**
 * Which MSB protocol runs: `'wrap-free'` (default; exact on the whole ring) or the paper's
 * `'share-convert'` pipeline (exact except at −1 ulp).
 * @example
 * ```ts
 * new SecureNN({ msb: 'share-convert' });
 * ```
 */
export type MsbProtocol = 'wrap-free' | 'share-convert';

/**
 * Elements per chunk: the [n, 64] field tensors and u64 permutation keys of one chunk stay near
 * 100 MB.
 * @example
 * ```ts
 * new SecureNN({ chunkSize: DEFAULT_CHUNK / 2 });
 * ```
 */
export const DEFAULT_CHUNK = 1 << 17;

/**
 * MSB(x) = [x < 0] of a private tensor, exactly, on the whole ring, as a private 0/1 tensor
 * with fracBits 0 (see {@link msbShares}: ComputeMSB on the low 63 bits plus the shares' top
 * bits; 3 rounds, 218 bytes per element). Large tensors run in chunks of `chunk` elements, so a
 * 2,000,000-element relu stays within memory: every chunk's temporaries are freed (in stream
 * order) before the next chunk's are made.
 * @example
 * ```ts
 * const neg = msb(secureNN, x, 67); // private 0/1, 1 where x < 0
 * ```
 */
export function msb(p: Pond, x: PondPrivateTensor, prime: number, chunk = DEFAULT_CHUNK, protocol: MsbProtocol = 'wrap-free'): PondPrivateTensor {
  const { rt, s0, s1 } = p;
  const n = x.size;
  const shape = [...x.shape];
  if (n === 0) return new PondPrivateTensor(p, 0, [rt.fill(s0, shape, 0n, U64), rt.fill(s1, shape, 0n, U64)]);
  const outer = new Scratch(rt);
  const flat = x.shares.map((h) => outer.op(h.player, 'Reshape', [h], { shape: [n] }));
  const parts: [Handle[], Handle[]] = [[], []];
  for (let off = 0; off < n; off += chunk) {
    const len = Math.min(chunk, n - off);
    const t = new Scratch(rt);
    const piece = len === n ? flat : flat.map((h) => t.op(h.player, 'Slice', [h], { begin: [off], size: [len], strides: [1] }));
    const run = protocol === 'share-convert' ? msbSharesViaShareConvert : msbShares;
    const out = run(p, t, [piece[0], piece[1]], prime);
    parts[0].push(t.keep(out[0]));
    parts[1].push(t.keep(out[1]));
    t.release();
  }
  const joined = parts.map((hs, j) => {
    const player = j === 0 ? s0 : s1;
    const whole = hs.length === 1 ? hs[0] : outer.op(player, 'Concat', hs, { axis: 0 });
    if (hs.length > 1) rt.free(...hs); else outer.track(hs[0]);
    return rt.op(player, 'Reshape', [whole], { shape });
  });
  outer.release();
  return new PondPrivateTensor(p, 0, [joined[0], joined[1]]);
}

/**
 * 1 − b for a private 0/1 tensor b (server0 adds the 1), locally.
 * @example
 * ```ts
 * const drelu = oneMinus(pond, msb(pond, x, 67));
 * ```
 */
export function oneMinus(p: Pond, b: PondPrivateTensor): PondPrivateTensor {
  const { rt, s0, s1 } = p;
  const one = rt.fill(s0, [], 1n, U64);
  const z0 = rt.op(s0, 'Sub', [one, b.shares[0]]);
  const z1 = rt.op(s1, 'Neg', [b.shares[1]]);
  rt.free(one);
  return new PondPrivateTensor(p, 0, [z0, z1]);
}
