import { ValueError } from '../../errors.js';
import { U64 } from '../../kernels/dtype.js';
import { tidy, type Handle } from '../runtime_link.js';
import { DEFAULT_APPROXIMATIONS, checkCoefficientBits, type ApproximationName } from '../approximations/index.js';
import { polynomialOnInterval, publicTerm, runsDirectly } from '../generic/fit_eval.js';
import { msb, timesMsb } from './compare.js';
import { encodeScalar } from '../dealt_keys.js';
import { fssRelu, usesFss } from './fss.js';
import { SPLINES } from '../approximations/activation_splines.js';
import { splineOf } from './spline.js';
import type { TfeTensor } from '../tensor.js';
import { withoutRangeChecks, type Pond } from './pond.js';
import { PondMaskedTensor, PondPrivateTensor, PondPublicTensor } from './pond_tensors.js';
import { truncatePrivate } from './truncate.js';
import { signView } from './sign_source.js';
import { powers } from '../generic/powers.js';
import { nextStage } from '../generic/stage.js';

/**
 * Evaluates c0 + c1·x + … + cd·x^d. Powers come from {@link powers} (ceil(log2 d) rounds);
 * the weighted sum is local, carried at scale f + g with the coefficients encoded at g
 * fractional bits (`coefficientBits`, default f), and truncated once (1 more round).
 * Zero coefficients cost nothing.
 */
export function polynomial(p: Pond, x: TfeTensor, coefficients: ArrayLike<number>, coefficientBits = p.fracBits): TfeTensor {
  const cs = Array.from(coefficients);
  if (cs.length === 0 || cs.some((c) => !Number.isFinite(c))) {
    throw new ValueError('`coefficients` must be a non-empty list of finite numbers');
  }
  const f = p.fracBits;
  const g = checkCoefficientBits(coefficientBits, f);
  const xs = x.fracBits === f ? x : p.rescaleTo(x, f);
  const wanted = cs.map((c, k) => (k >= 1 && c !== 0 ? k : 0)).filter((k) => k > 0);
  if (xs instanceof PondPublicTensor || wanted.length === 0) {
    let acc: TfeTensor = p.defineConstant(new Float64Array(xs.size).fill(cs[0]), { shape: [...xs.shape] });
    const pw = powers(p, xs, wanted);
    for (const k of wanted) acc = p.add(acc, publicTerm(p, pw.get(k)!, cs[k], g));
    return acc;
  }
  const pw = powers(p, xs, wanted);
  const { rt } = p;
  const terms: [Handle[], Handle[]] = [[], []];
  for (const k of wanted) {
    const xk = pw.get(k)!;
    const shares = (xk instanceof PondMaskedTensor ? xk.unmasked : (xk as PondPrivateTensor)).shares;
    shares.forEach((h, i) => {
      const c = rt.fill(h.player, [], encodeScalar(cs[k], g), U64);
      terms[i].push(rt.op(h.player, 'Mul', [h, c]));
      rt.free(c);
    });
  }
  const c0 = rt.fill(p.s0, [], encodeScalar(cs[0], f + g), U64);
  terms[0].push(c0);
  const sums = terms.map((hs) => {
    const s = rt.op(hs[0].player, 'AddN', hs);
    rt.free(...hs);
    return s;
  }) as [Handle, Handle];
  return truncatePrivate(p, new PondPrivateTensor(p, f + g, sums), g, f);
}

/**
 * Exact relu on Pond, with the dealer-assisted exact MSB of {@link msb} (edaBits-style). 8 rounds.
 * Tensors of at most 256 elements take [x ≥ 0]·x from the dealer's DCF keys instead (fss.ts,
 * 1 round; PondArgs.fss).
 *  1. x·b with b = msb(x), by {@link timesMsb}: the bits' conversion and the product share one
 *     opening (8 rounds; msb and then a Beaver product took 9)
 *  2. relu(x) = x − x·b, locally
 * Public inputs are computed locally by each server (signed compare and select kernels).
 */
export function exactRelu(p: Pond, x: TfeTensor): TfeTensor {
  if (x instanceof PondPublicTensor) {
    const values = x.values.map((v) => {
      const zero = p.rt.fill(v.player, [], 0n, U64);
      const negative = p.rt.op(v.player, 'Less', [v, zero], { signed: true });
      const out = p.rt.op(v.player, 'Select', [negative, zero, v]);
      p.rt.free(zero, negative);
      return out;
    }) as [Handle, Handle];
    return new PondPublicTensor(p, x.fracBits, values);
  }
  const xp = p.toPrivate(x);
  if (usesFss(p, xp)) { // [x ≥ 0]·x in 1 round
    const { y, derivative } = fssRelu(p, xp);
    p.dispose(derivative);
    return y;
  }
  const view = signView(p, xp); // the sign from the untruncated product when there is one (sign_source.ts)
  const xb = timesMsb(p, xp, view);
  if (view) p.dispose(view);
  const y = p.sub(xp, xb);
  p.dispose(xb);
  return y;
}

/** A public tensor clamped to [lo, hi] by each server on its copy (signed compares and selects). */
function clampPublic(p: Pond, t: PondPublicTensor, lo: number, hi: number): PondPublicTensor {
  const { rt } = p;
  const values = t.values.map((v) => {
    const [l, h] = [lo, hi].map((b) => rt.fill(v.player, [], encodeScalar(b, t.fracBits), U64));
    const below = rt.op(v.player, 'Less', [v, l!], { signed: true });
    const raised = rt.op(v.player, 'Select', [below, l!, v]);
    const above = rt.op(v.player, 'Less', [h!, raised], { signed: true });
    const out = rt.op(v.player, 'Select', [above, h!, raised]);
    rt.free(l!, h!, below, raised, above);
    return out;
  }) as [Handle, Handle];
  return new PondPublicTensor(p, t.fracBits, values);
}

/**
 * A named nonlinear function by its default approximation (src/protocols/approximations;
 * interval, degree and documented error there). Inputs outside the interval get the value at
 * its end, exactly, so nothing diverges. Two independent chains, issued one after the other so
 * that the player's dataflow runs them in the same rounds:
 *  1. the exact comparisons [x < lo] and [x > hi], on x itself ({@link msb}, 8 rounds), or on the
 *     untruncated product x came from (sign_source.ts), one round earlier
 *  2. the polynomial on u = x − mid as it is, with coefficients c_k / half^k at finer scale
 *     ({@link polynomialOnInterval}; no rounding before the powers): 2 rounds per power level
 *     and 1 for the sum. Where the ring has no room for that (a wide interval or a large f),
 *     t = u / half first (1 more round, by a product with enc(1/half), as fixedPointError
 *     models it). Outside the interval the powers may overflow; the value is discarded:
 *  3. p + [x < lo]·(p(−1) − p) + [x > hi]·(p(1) − p), products with 0/1 integers that need no
 *     truncation (1 round, the two together). p(±1) − p is fresh from p's truncation, so the
 *     products open only the comparison bits' masks (pond/truncated_product.ts), in the
 *     polynomial's last round.
 * Sigmoid: 9 rounds (10 when scaling first; 20 with the clamp before the polynomial). Sigmoid
 * and tanh of tensors of at most 256 elements are linear splines on the dealer's DCF keys
 * instead (spline.ts, 2 rounds; PondArgs.fss).
 * For relu the construction is x·p(t) with p ≈ step (one more product), so relu(0) = 0.
 */
export function approximate(p: Pond, name: ApproximationName, x: TfeTensor): TfeTensor {
  const a = DEFAULT_APPROXIMATIONS[name];
  const [lo, hi] = a.interval;
  const mid = (lo + hi) / 2;
  const half = (hi - lo) / 2;
  const atEnd = (t: number) => Array.from(a.coefficients).reduce((sum, c, k) => sum + c * t ** k, 0);
  if (x instanceof PondPublicTensor) {
    // public: each server clamps and evaluates its own copy
    const scaled = p.mul(mid === 0 ? x : p.sub(x, mid), 1 / half) as PondPublicTensor;
    const t = clampPublic(p, scaled, -1, 1);
    if (scaled !== x) p.dispose(scaled);
    const poly = polynomial(p, t, a.coefficients);
    return a.construction === 'x-times-poly' ? p.mul(x, poly) : poly;
  }
  if ((name === 'sigmoid' || name === 'tanh') && usesFss(p, x)) {
    const xp = p.toPrivate(x);
    const view = signView(p, xp); // comparisons on the untruncated product when there is one
    const y = splineOf(p, xp, SPLINES[name], view ?? xp);
    if (view) p.dispose(view);
    return y;
  }
  // Step 1 (its intermediates are freed as soon as it is issued).
  // (on the untruncated product when x is one's result: its round is not waited for, sign_source.ts)
  const [bLo, bHi] = tidy(() => {
    const c = signView(p, x) ?? x;
    return p.split(msb(p, p.toPrivate(p.stack([p.sub(c, lo), p.sub(hi, c)], 0))), 2, 0).map((b) => p.squeeze(b, [0]));
  });
  // Step 2; each stage frees its intermediates as soon as it is issued (frees run in stream
  // order), so the players reuse their buffers: a 10^6 sigmoid otherwise holds about 120 arrays
  // of 8 MB per player until the caller's scope ends.
  const poly = withoutRangeChecks(() => {
    if (runsDirectly(p, a)) return polynomialOnInterval(p, x, a);
    const t = tidy(() => p.mul(mid === 0 ? x : p.sub(x, mid), 1 / half)); // always a new tensor
    return nextStage(p, t, () => polynomial(p, t, a.coefficients));
  });
  // Step 3.
  const f = nextStage(p, poly, () => p.add(poly, p.add(p.mul(bLo!, p.sub(atEnd(-1), poly)), p.mul(bHi!, p.sub(atEnd(1), poly)))));
  p.dispose(bLo!);
  p.dispose(bHi!);
  return a.construction === 'x-times-poly' ? nextStage(p, f, () => p.mul(x, f)) : f;
}
