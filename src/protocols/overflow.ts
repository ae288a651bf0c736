/**
 * Overflow checks that open nothing. Fixed-point products are truncated exactly only while the
 * product, in ring units, stays below 2^62: for operands with fx and fy fractional bits,
 * |x·y| (summed over the inner terms of a matmul or convolution) must stay below
 * 2^(62 − fx − fy), which is 2^30 ≈ 1.07·10^9 at f = 16. Past it the revealed result is
 * garbage, and the servers cannot notice without opening values (`tfe.setDebug(true)` does,
 * for development).
 *
 * What can be checked without opening anything uses public bounds: a tensor's `bound` (an
 * upper bound on |x|) is known for public constants (their largest magnitude), for private
 * inputs declared with `definePrivateInput(..., {bounds})` (checked on the owner's player when
 * loaded), and for weights shared from plaintext. Every product of two tensors with known
 * bounds gets the worst-case bound of its result, and warns once when that worst case can
 * reach the limit. `analyzeRanges` (src/models) does the same for a whole model before it runs.
 *
 * @example
 * ```ts
 * const x = await tfe.definePrivateInput('owner', () => data, { bounds: [-1000, 1000] });
 * tfe.mul(x, tfe.defineConstant(5e6)); // warns: |x·y| can reach 5e9 ≥ 2^30
 * ```
 */
import { ValueError } from '../errors.js';
import type { TfeTensor } from './tensor.js';

/**
 * The largest |x·y| (summed over inner terms) that truncates exactly, for operands with
 * `fx` and `fy` fractional bits.
 * @example
 * ```ts
 * productLimit(16, 16); // 2^30
 * ```
 */
export function productLimit(fx: number, fy: number): number { return 2 ** (62 - fx - fy); }

/**
 * A bound from `{bounds}`: a number B (|x| ≤ B) or an interval [lo, hi].
 * @example
 * ```ts
 * boundOf([-3, 10]); // { lo: -3, hi: 10, abs: 10 }
 * ```
 */
export function boundOf(bounds: number | readonly [number, number]): { lo: number; hi: number; abs: number } {
  const [lo, hi] = typeof bounds === 'number' ? [-bounds, bounds] : bounds;
  if (!Array.isArray(bounds) && typeof bounds !== 'number') throw new ValueError(`\`bounds\` must be a number or [lo, hi], got ${typeof bounds}`);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new ValueError(`\`bounds\` must be finite with lo ≤ hi, got [${lo}, ${hi}]`);
  return { lo, hi, abs: Math.max(Math.abs(lo), Math.abs(hi)) };
}

/**
 * Throws a `ValueError` when a plain value lies outside its declared bounds (run on the
 * owner's player: the message names neither the value nor its position).
 * @example
 * ```ts
 * checkBounds(values, [-1, 1], 'x'); // throws if some |v| > 1
 * ```
 */
export function checkBounds(values: ArrayLike<number>, bounds: number | readonly [number, number], what: string): void {
  const { lo, hi } = boundOf(bounds);
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] >= lo && values[i] <= hi)) throw new ValueError(`\`${what}\` has a value outside its declared bounds [${lo}, ${hi}]`);
  }
}

/**
 * The largest magnitude of plain values (0 for none): the public bound of values the sharing
 * party knows.
 * @example
 * ```ts
 * maxAbs([1, -3, 2]); // 3
 * ```
 */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

const warned = new Set<string>();

/** Where overflow warnings go (console.warn; tests may replace it). @internal */
export const overflowWarnings = { sink: (line: string): void => console.warn(line) };

/**
 * The worst-case bound of a product and, when it can reach the truncation limit, a warning
 * (once per message). `terms` is the number of products summed into one output element.
 * @example
 * ```ts
 * z.bound = productBound('MatMul', x, w, 784);
 * ```
 */
export function productBound(op: string, x: TfeTensor, y: TfeTensor, terms: number): number | undefined {
  if (x.bound === undefined || y.bound === undefined) return undefined;
  const worst = x.bound * y.bound * terms;
  const limit = productLimit(x.fracBits, y.fracBits);
  if (worst >= limit) {
    const line = `tfe: possible overflow in ${op}: |x| ≤ ${fmt(x.bound)} and |y| ≤ ${fmt(y.bound)}${terms > 1 ? ` over ${terms} terms` : ''} ` +
      `can reach ${fmt(worst)} ≥ ${fmt(limit)}, the largest product fixed point truncates exactly at ${x.fracBits}+${y.fracBits} fractional bits; ` +
      'scale the inputs down or declare tighter bounds';
    if (!warned.has(line)) { warned.add(line); overflowWarnings.sink(line); }
  }
  return worst;
}

const fmt = (v: number) => (v >= 1e4 ? v.toExponential(2) : String(+v.toPrecision(4)));
