/**
 * Comparisons from a dealer's function secret sharing between two share holders, for any
 * protocol that can put a value in a 2-out-of-2 sharing between two players while a third one,
 * who sees none of it, deals: Pond's and SecureNN's crypto producer for server0 and server1
 * (pond/fss.ts, pond/spline.ts), and ABY3's server2 for server0 and server1, whose replicated
 * shares give that sharing locally (aby3/dealt_splines.ts).
 *
 * The dealer deals each element a pair of keys of a distributed comparison function (DCF;
 * Boyle, Chandran, Gilboa, Gupta, Ishai, Kumar, Rathee, "Function Secret Sharing for Mixed-Mode
 * and Fixed-Point Secure Computation", EUROCRYPT 2021), the `DcfGen` and `DcfEval` kernels. A
 * comparison then takes the one round that opens the masked input, where a carry circuit takes
 * 7 or 8, and a second payload word gives the comparison's product with the input in the same
 * round. The price is a 2 KB key per element and holder. LLAMA (Gupta et al., PETS 2022) and
 * Orca (Jawalkar et al., S&P 2024) build whole networks this way.
 *
 * @example
 * ```ts
 * const parties = { rt, holders: ['server0', 'server1'], dealer: 'server2' } as const;
 * const { steps, products } = dealtThresholdSteps(parties, [v0, v1], 16, [0]); // relu's step and product
 * ```
 */
import { ValueError } from '../errors.js';
import { U64, ring } from '../kernels/index.js';
import { dcfKeyWords } from '../kernels/kernel_names.js';
import type { Spline } from './approximations/linear_spline.js';
import { Scratch } from './scratch.js';
import type { Handle, Runtime } from './runtime_link.js';

/** Input bits of the comparison: x + r's low 63 bits, with bit 63 handled by hand (see {@link dealtThresholdSteps}). */
const DCF_BITS = 63;

/**
 * The largest tensor (in elements) whose relu, sigmoid and tanh use the dealer's DCF keys
 * (PondArgs.fss, ABY3Args.fss): a logistic regression's batch, a single private prediction's
 * layers. The keys save 7 rounds of about 0.5–1 ms each between players on one 2-core machine
 * (issue 17's profile), but cost 2 KB per element and holder against 100–200 bytes, and the
 * holders evaluate them at every threshold (13 for the splines). Measured on the 2-core
 * machine: a networked Pond prediction of one image with network A took 14.4 ms against
 * 21.4–21.9 ms with the tree; private serving's batches of 16 requests (relu on 2,048 elements)
 * lost 5–25 % of their throughput with the keys at 1,024 to 4,096 elements, so larger tensors
 * keep the tree and the polynomials.
 * @example `x.size <= fssMaxElements // use the one-round comparison`
 */
export const fssMaxElements = 256;

/**
 * The two players that hold a 2-out-of-2 sharing and the player that deals their keys (it
 * receives nothing). Each pair of them must share a seed (`rt.sampleShared`).
 * @example `const parties: DealtParties = { rt, holders: ['server0', 'server1'], dealer: 'server2' };`
 */
export interface DealtParties { readonly rt: Runtime; readonly holders: readonly [string, string]; readonly dealer: string }

/** A value in a 2-out-of-2 sharing: part 0 on holders[0], part 1 on holders[1]. */
export type SharedPair = readonly [Handle, Handle];

/**
 * A public real as a ring element with `fracBits` fractional bits (rounded to nearest).
 * @example `encodeScalar(0.5, 16) // 32768n`
 */
export function encodeScalar(c: number, fracBits: number): bigint {
  return BigInt.asUintN(64, BigInt(Math.round(c * 2 ** fracBits)));
}

/**
 * The dealer secret-shares a tensor it holds between the holders: part 0 is expanded on
 * holders[0] from the seed the two share (no message), part 1 = v − part 0 is sent to
 * holders[1]. One element per element of v, dealer → holders[1]. `v` is kept.
 * @example
 * ```ts
 * const [c0, c1] = dealPair(parties, c); // c on the dealer
 * ```
 */
export function dealPair(parties: DealtParties, v: Handle): [Handle, Handle] {
  const { rt, holders: [h0, h1], dealer } = parties;
  const [atDealer, at0] = rt.sampleShared([dealer, h0], v.shape, v.ring);
  const rest = rt.op(dealer, 'Sub', [v, atDealer]);
  const at1 = rt.send(rest, h1);
  rt.free(atDealer, rest);
  return [at0, at1];
}

/**
 * Shares of the steps g_k = [v ≥ t_k] for every threshold t_k, and of the products g_k·v, each
 * of shape [K, ...shape] (the steps as 0/1 integers, the products at v's scale `fracBits`),
 * exactly for |v| < 2^62 (the ring's signed range). 1 round, and no product round: the
 * dealer's keys carry r as a second payload word. The returned handles are the caller's; `v`
 * is kept.
 *  1. the dealer draws r = r0 + r1 (r_i from the seed it shares with holder i), and deals one
 *     DCF key pair per element for α = r mod 2^63 with the payload β = (1 − 2·r63, (1 − 2·r63)·r),
 *     and shares of r63 and of r63·r
 *  2. the holders open c = v + r (1 round); for each threshold, c_k = c − enc(t_k) = (v − t_k) + r
 *  3. msb(v − t_k) = c_k63 ⊕ w_k with w_k = r63 ⊕ [c_k mod 2^63 < α] (the carry out of the low
 *     63 bits). Each holder evaluates its key at every c_k mod 2^63 and adds its shares of r63
 *     and r63·r: that gives shares of w_k = r63 + (1 − 2·r63)·u_k and of w_k·r = r63·r +
 *     (1 − 2·r63)·r·u_k (u_k the comparison). With c_k63 public:
 *     g_k = (1 − c_k63) − (1 − 2·c_k63)·w_k and g_k·r = (1 − c_k63)·r − (1 − 2·c_k63)·w_k·r,
 *     and g_k·v = g_k·c − g_k·r (v = c − r), all local
 * One key serves all K thresholds: the holders see c only, and every output is a fresh additive
 * share. Communication: 16 bytes per element between the holders; from the dealer, a key of
 * 8·(2 + 4·63 + 2) = 2,048 bytes per element and holder, plus 16 for the two dealt shares.
 * @example
 * ```ts
 * const { steps, products } = dealtThresholdSteps(parties, [v0, v1], 16, [-1, 0, 1]); // each [3, ...shape]
 * ```
 */
export function dealtThresholdSteps(parties: DealtParties, v: SharedPair, fracBits: number, thresholds: readonly number[]): { steps: [Handle, Handle]; products: [Handle, Handle] } {
  const { rt, holders, dealer } = parties;
  const s = new Scratch(rt);
  const t = <H extends Handle>(h: H) => s.track(h);
  const op = s.op.bind(s);
  const fill = (player: string, value: bigint) => s.fill(player, value, U64);
  const shape = v[0].shape;
  const n = shape.reduce((a, b) => a * b, 1), k = thresholds.length;
  const flat = (h: Handle, s: number[] = [n]) => op(h.player, 'Reshape', [h], { shape: s });
  // Step 1.
  const [r0d, r0] = rt.sampleShared([dealer, holders[0]], [n], U64).map(t);
  const [r1d, r1] = rt.sampleShared([dealer, holders[1]], [n], U64).map(t);
  const r = op(dealer, 'Add', [r0d, r1d]);
  const r63 = op(dealer, 'ShiftRightLogical', [r], { bits: 63 });
  const beta1 = op(dealer, 'Sub', [fill(dealer, 1n), op(dealer, 'ShiftLeft', [r63], { bits: 1 })]);
  const beta = op(dealer, 'Concat', [flat(beta1, [n, 1]), flat(op(dealer, 'Mul', [beta1, r]), [n, 1])], { axis: 1 });
  const keys = op(dealer, 'DcfGen', [r, beta, t(rt.samplePrivate(dealer, [n, 4], U64))], { bits: DCF_BITS, width: 2 });
  const w = dcfKeyWords(DCF_BITS, 2);
  const keyOf = (i: number) => flat(op(dealer, 'Slice', [keys], { begin: [i, 0, 0], size: [1, w, n], strides: [1, 1, 1] }), [w, n]);
  const own = [t(rt.send(keyOf(0), holders[0])), t(rt.send(keyOf(1), holders[1]))];
  const rTop = dealPair(parties, r63).map(t);
  const rTopR = dealPair(parties, op(dealer, 'Mul', [r63, r])).map(t);
  // Step 2: each holder sends its masked part before either adds the other's (one round)
  const masked = [op(holders[0], 'Add', [flat(v[0]), r0]), op(holders[1], 'Add', [flat(v[1]), r1])];
  const received = [t(rt.send(masked[1], holders[0])), t(rt.send(masked[0], holders[1]))];
  const c = [op(holders[0], 'Add', [masked[0], received[0]]), op(holders[1], 'Add', [received[1], masked[1]])];
  const tk = ring.fromBigInts(thresholds.map((x) => encodeScalar(x, fracBits)), [k, 1]);
  // Step 3.
  const steps: Handle[] = [], products: Handle[] = [];
  [0, 1].forEach((i) => {
    const player = holders[i];
    const bin = (kernel: 'Add' | 'Sub' | 'Mul', a: Handle, b: Handle) => op(player, kernel, [a, b]);
    const cRow = flat(c[i], [1, n]);
    const points = bin('Sub', cRow, t(rt.upload(player, tk)));
    const u = op(player, 'DcfEval', [own[i], flat(points, [k * n])], { bits: DCF_BITS, width: 2, party: i });
    const word = (j: number) => flat(op(player, 'Slice', [u], { begin: [j, 0], size: [1, k * n], strides: [1, 1] }), [k, n]);
    const wk = bin('Add', word(0), flat(rTop[i], [1, n]));
    const wr = bin('Add', word(1), flat(rTopR[i], [1, n]));
    const top = op(player, 'ShiftRightLogical', [points], { bits: 63 });
    const one = bin('Sub', fill(player, 1n), top);
    const sign = bin('Sub', one, top); // 1 − 2·c_k63
    const g = i === 0 ? bin('Sub', one, bin('Mul', sign, wk)) : op(player, 'Neg', [bin('Mul', sign, wk)]);
    const gr = bin('Sub', bin('Mul', one, flat(i === 0 ? r0 : r1, [1, n])), bin('Mul', sign, wr));
    steps.push(s.keep(flat(g, [k, ...shape])));
    products.push(s.keep(flat(bin('Sub', bin('Mul', g, cRow), gr), [k, ...shape])));
  });
  s.release();
  return { steps: steps as [Handle, Handle], products: products as [Handle, Handle] };
}

/**
 * The linear spline s of v before its truncation: Σ_k g_k·(Δa_k·v + Δb_k) plus the line below
 * every threshold, as a 2-out-of-2 sharing at scale 2^-(slopeBits + fracBits), in the shape of
 * v. 1 round ({@link dealtThresholdSteps}); the caller truncates by slopeBits + fracBits − f.
 *  1. g_k = [v ≥ t_k] and g_k·v for the spline's thresholds
 *  2. Δa_k, Δb_k: the changes of slope and intercept at t_k (the slopes encoded first with
 *     `slopeBits` fractional bits, so that the changes add up to the last line's exactly)
 *  3. the sum over k, and the first line's constant on holders[0] (all local)
 * The value must stay below 2^(62 − slopeBits − fracBits) (each term may wrap; only the sum
 * must fit). Throws a ValueError for a spline without increasing thresholds, one more line
 * than thresholds and a constant first line, or slope bits outside [0, 60 − fracBits].
 * @example
 * ```ts
 * const wide = dealtSplineSums(parties, [v0, v1], 16, expSpline(), 32); // at scale 2^-48
 * ```
 */
export function dealtSplineSums(parties: DealtParties, v: SharedPair, fracBits: number, spline: Spline, slopeBits: number): [Handle, Handle] {
  const { rt, holders } = parties;
  const { thresholds, lines } = spline;
  // The sum starts from the line below every threshold, which must be constant (it has no v).
  if (lines.length !== thresholds.length + 1 || lines[0][0] !== 0 || thresholds.some((x, i) => i > 0 && !(x > thresholds[i - 1]))) {
    throw new ValueError(`a spline needs increasing thresholds, one more line than thresholds, and a constant first line; got ${thresholds.length} thresholds, ${lines.length} lines, first slope ${lines[0]?.[0]}`);
  }
  if (!(Number.isInteger(slopeBits) && slopeBits >= 0 && slopeBits + fracBits <= 60)) {
    throw new ValueError(`a spline's slopes need 0 to ${60 - fracBits} fractional bits at an input scale of ${fracBits}, got ${slopeBits}`);
  }
  const k = thresholds.length, scale = slopeBits + fracBits;
  // Step 1.
  const { steps, products } = dealtThresholdSteps(parties, v, fracBits, thresholds);
  // Step 2.
  const slopes = lines.map(([a]) => encodeScalar(a, slopeBits));
  const shape = [k, ...v[0].shape.map(() => 1)];
  const dA = ring.fromBigInts(thresholds.map((_, i) => BigInt.asUintN(64, slopes[i + 1] - slopes[i])), shape);
  const dB = ring.fromBigInts(thresholds.map((_, i) => BigInt.asUintN(64, encodeScalar(lines[i + 1][1], scale) - encodeScalar(lines[i][1], scale))), shape);
  // Step 3.
  const sums = [0, 1].map((i) => {
    const player = holders[i];
    const consts = [rt.upload(player, dA), rt.upload(player, dB)];
    const parts = [rt.op(player, 'Mul', [products[i], consts[0]]), rt.op(player, 'Mul', [steps[i], consts[1]])];
    const terms = rt.op(player, 'Add', parts);
    const sum = rt.op(player, 'ReduceSum', [terms], { axes: [0], keepDims: false });
    rt.free(...consts, ...parts, terms, steps[i], products[i]);
    if (i !== 0 || lines[0][1] === 0) return sum;
    // the value below every threshold (0 for σ, −1 for tanh) on holders[0]
    const first = rt.fill(player, [], encodeScalar(lines[0][1], scale), U64);
    const out = rt.op(player, 'Add', [sum, first]);
    rt.free(sum, first);
    return out;
  });
  return sums as [Handle, Handle];
}
