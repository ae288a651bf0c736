/**
 * Comparisons from the crypto producer's function secret sharing, for Pond's relu, sigmoid and
 * tanh and SecureNN's relu on small tensors, where rounds cost more than bytes (a logistic
 * regression's batch, issue 15's fraud step; a single private prediction). The producer deals each element a pair of keys of a distributed comparison function
 * (DCF; Boyle, Chandran, Gilboa, Gupta, Ishai, Kumar, Rathee, "Function Secret Sharing for
 * Mixed-Mode and Fixed-Point Secure Computation", EUROCRYPT 2021), the `DcfGen` and `DcfEval`
 * kernels. A comparison then takes the one round that opens the masked input, instead of the
 * 8 rounds of the bit-sliced carry tree (compare.ts), and a second payload word gives the
 * comparison's product with the input in the same round. The price is a 2 KB key per element
 * and server (against about 100 bytes for the tree); {@link fssMaxElements} says where the
 * trade turns. LLAMA (Gupta et al., PETS 2022) and Orca (Jawalkar et al., S&P 2024) build whole
 * networks this way.
 */
import { U64, ring } from '../../kernels/index.js';
import { dcfKeyWords } from '../../kernels/kernel_names.js';
import type { Handle } from '../runtime_link.js';
import { dealShares } from './dealer.js';
import { openShares } from './open.js';
import type { Pond } from './pond.js';
import { PondPrivateTensor, PondPublicTensor } from './pond_tensors.js';
import type { TfeTensor } from '../tensor.js';
import { Scratch } from './scratch.js';

/** Input bits of the comparison: x + r's low 63 bits, with bit 63 handled by hand (see {@link thresholdSteps}). */
const DCF_BITS = 63;

/**
 * The largest tensor (in elements) whose relu, sigmoid and tanh use the dealer's DCF keys
 * (PondArgs.fss): a logistic regression's batch, a single private prediction's layers. The
 * keys save 7 rounds of about 0.5–1 ms each between players on one 2-core machine (issue 17's
 * profile), but cost 2 KB per element and server against 100–200 bytes, and the servers
 * evaluate them at every threshold (13 for the splines). Measured on the 2-core machine: a
 * networked Pond prediction of one image with network A took 14.4 ms against 21.4–21.9 ms with
 * the tree; private serving's batches of 16 requests (relu on 2,048 elements) lost 5–25 % of
 * their throughput with the keys at 1,024 to 4,096 elements, so larger tensors keep the tree
 * and the polynomials.
 * @example `x.size <= fssMaxElements // use the one-round comparison`
 */
export const fssMaxElements = 256;

/**
 * A public real as a ring element with `fracBits` fractional bits (rounded to nearest).
 * @example `encodeScalar(0.5, 16) // 32768n`
 */
export function encodeScalar(c: number, fracBits: number): bigint {
  return BigInt.asUintN(64, BigInt(Math.round(c * 2 ** fracBits)));
}

/**
 * Shares of the steps g_k = [v ≥ t_k] for every threshold t_k, and of the products g_k·v, as
 * private tensors of shape [K, ...v.shape] (the steps as 0/1 integers, fracBits 0; the products
 * at v's scale), exactly for |v| < 2^62 (the ring's signed range). 1 round, and no product
 * round: the dealer's keys carry r as a second payload word.
 *  1. the producer draws r = r0 + r1 (r_i from the seed it shares with server i), and deals one
 *     DCF key pair per element for α = r mod 2^63 with the payload β = (1 − 2·r63, (1 − 2·r63)·r),
 *     and shares of r63 and of r63·r
 *  2. the servers open c = v + r (1 round); for each threshold, c_k = c − enc(t_k) = (v − t_k) + r
 *  3. msb(v − t_k) = c_k63 ⊕ w_k with w_k = r63 ⊕ [c_k mod 2^63 < α] (the carry out of the low
 *     63 bits). Each server evaluates its key at every c_k mod 2^63 and adds its shares of r63
 *     and r63·r: that gives shares of w_k = r63 + (1 − 2·r63)·u_k and of w_k·r = r63·r +
 *     (1 − 2·r63)·r·u_k (u_k the comparison). With c_k63 public:
 *     g_k = (1 − c_k63) − (1 − 2·c_k63)·w_k and g_k·r = (1 − c_k63)·r − (1 − 2·c_k63)·w_k·r,
 *     and g_k·v = g_k·c − g_k·r (v = c − r), all local
 * One key serves all K thresholds: the servers see c only, and every output is a fresh additive
 * share. Communication: 16 bytes per element between the servers; from the producer, a key of
 * 8·(2 + 4·63 + 2) = 2,048 bytes per element and server, plus 16 for the two dealt shares.
 * @example
 * ```ts
 * const { steps, products } = thresholdSteps(pond, x, [-1, 0, 1]); // each [3, ...x.shape]
 * ```
 */
export function thresholdSteps(p: Pond, v: PondPrivateTensor, thresholds: readonly number[]): { steps: PondPrivateTensor; products: PondPrivateTensor } {
  const { rt, s0, s1, cp } = p;
  const t = new Scratch(rt);
  const n = v.size, k = thresholds.length;
  const flat = (h: Handle, shape: number[] = [n]) => t.op(h.player, 'Reshape', [h], { shape });
  // Step 1.
  const [r0cp, r0] = rt.sampleShared([cp, s0], [n], U64).map((h) => t.track(h));
  const [r1cp, r1] = rt.sampleShared([cp, s1], [n], U64).map((h) => t.track(h));
  const r = t.op(cp, 'Add', [r0cp, r1cp]);
  const r63 = t.op(cp, 'ShiftRightLogical', [r], { bits: 63 });
  const beta1 = t.op(cp, 'Sub', [t.fill(cp, 1n, U64), t.op(cp, 'ShiftLeft', [r63], { bits: 1 })]);
  const beta = t.op(cp, 'Concat', [flat(beta1, [n, 1]), flat(t.op(cp, 'Mul', [beta1, r]), [n, 1])], { axis: 1 });
  const keys = t.op(cp, 'DcfGen', [r, beta, t.track(rt.samplePrivate(cp, [n, 4], U64))], { bits: DCF_BITS, width: 2 });
  const w = dcfKeyWords(DCF_BITS, 2);
  const keyOf = (i: number) => flat(t.op(cp, 'Slice', [keys], { begin: [i, 0, 0], size: [1, w, n], strides: [1, 1, 1] }), [w, n]);
  const own = [t.send(keyOf(0), s0), t.send(keyOf(1), s1)];
  const rTop = dealShares(p, r63).map((h) => t.track(h));
  const rTopR = dealShares(p, t.op(cp, 'Mul', [r63, r])).map((h) => t.track(h));
  // Step 2.
  const masked = [t.op(s0, 'Add', [flat(v.shares[0]), r0]), t.op(s1, 'Add', [flat(v.shares[1]), r1])] as const;
  const [c] = openShares(rt, [masked], 'Add').map((pair) => pair.map((h) => t.track(h)));
  const tk = ring.fromBigInts(thresholds.map((x) => encodeScalar(x, v.fracBits)), [k, 1]);
  // Step 3.
  const steps: Handle[] = [], products: Handle[] = [];
  [0, 1].forEach((i) => {
    const player = i === 0 ? s0 : s1;
    const op = (kernel: 'Add' | 'Sub' | 'Mul', a: Handle, b: Handle) => t.op(player, kernel, [a, b]);
    const cRow = flat(c[i], [1, n]);
    const points = op('Sub', cRow, t.track(rt.upload(player, tk)));
    const u = t.op(player, 'DcfEval', [own[i], flat(points, [k * n])], { bits: DCF_BITS, width: 2, party: i });
    const word = (j: number) => flat(t.op(player, 'Slice', [u], { begin: [j, 0], size: [1, k * n], strides: [1, 1] }), [k, n]);
    const wk = op('Add', word(0), flat(rTop[i], [1, n]));
    const wr = op('Add', word(1), flat(rTopR[i], [1, n]));
    const top = t.op(player, 'ShiftRightLogical', [points], { bits: 63 });
    const one = op('Sub', t.fill(player, 1n, U64), top);
    const sign = op('Sub', one, top); // 1 − 2·c_k63
    const g = i === 0 ? op('Sub', one, op('Mul', sign, wk)) : t.op(player, 'Neg', [op('Mul', sign, wk)]);
    const gr = op('Sub', op('Mul', one, flat(i === 0 ? r0 : r1, [1, n])), op('Mul', sign, wr));
    steps.push(t.keep(flat(g, [k, ...v.shape])));
    products.push(t.keep(flat(op('Sub', op('Mul', g, cRow), gr), [k, ...v.shape])));
  });
  t.release();
  return { steps: new PondPrivateTensor(p, 0, steps as [Handle, Handle]), products: new PondPrivateTensor(p, v.fracBits, products as [Handle, Handle]) };
}

/**
 * Whether `x` is a private tensor whose relu, sigmoid and tanh take the dealer's DCF keys
 * (PondArgs.fss, {@link fssMaxElements}).
 * @example `if (usesFss(pond, x)) return fssRelu(pond, x).y;`
 */
export function usesFss(p: Pond, x: TfeTensor): boolean {
  return p.fss && !(x instanceof PondPublicTensor) && x.size > 0 && x.size <= fssMaxElements;
}

/**
 * relu(x) = [x ≥ 0]·x and its derivative [x ≥ 0], exactly, for small tensors: the step and
 * product of {@link thresholdSteps} with the one threshold 0, whose integer step needs no
 * truncation. 1 round (Pond's tree takes 8, SecureNN's DReLU and product 4). Communication
 * per element: 2 KB from the producer to each server, 8 bytes each way between the servers.
 * @example
 * ```ts
 * const { y, derivative } = fssRelu(pond, x); // x.size ≤ fssMaxElements
 * ```
 */
export function fssRelu(p: Pond, x: PondPrivateTensor): { y: PondPrivateTensor; derivative: PondPrivateTensor } {
  const { steps, products } = thresholdSteps(p, x, [0]);
  const y = p.reshape(products, [...x.shape]) as PondPrivateTensor;
  const derivative = p.reshape(steps, [...x.shape]) as PondPrivateTensor;
  p.dispose(products);
  p.dispose(steps);
  return { y, derivative };
}
