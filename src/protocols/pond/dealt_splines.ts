/**
 * Pond's (and SecureNN's) {@link DealtSplines} capability: the maximum and the splines of the
 * small-tensor softmax (generic/dealt_softmax.ts) from the producer's DCF keys (fss.ts), and
 * the exact maximum Pond's softmax shifts by at any size.
 */
import type { DealtSplines } from '../capabilities.js';
import type { Spline } from '../approximations/linear_spline.js';
import type { TfeTensor } from '../tensor.js';
import { tidy } from '../runtime_link.js';
import { usesFss } from './fss.js';
import { exactRelu } from './nonlinear.js';
import type { Pond } from './pond.js';
import { splineOf } from './spline.js';

/**
 * The dealt-key operations of a Pond protocol (or a subclass): splines of private tensors of at
 * most `fssMaxElements` elements when the protocol's `fss` option is on (`accepts`), and an
 * exact maximum of any tensor, from the keys where they serve.
 * @example
 * ```ts
 * const m = new PondDealtSplines(pond).reduceMaxLastAxis(logits); // [rows, 1]
 * ```
 */
export class PondDealtSplines implements DealtSplines {
  constructor(private readonly p: Pond) {}

  /**
   * Whether the keys serve x (see {@link usesFss}).
   * @example `new PondDealtSplines(pond).accepts(logits) // true for ≤ 256 private elements`
   */
  accepts(x: TfeTensor): boolean { return usesFss(this.p, x); }

  /**
   * max over the last axis by halving: max(a, b) = b + relu(a − b) on the two halves of the
   * columns, the odd one out carried along, with Pond's exact relu (exact for |a − b| < 2^62):
   * one round from the keys where a level has at most 256 elements, else the tree's 8
   * ({@link exactRelu}). So ⌈log2 k⌉ rounds for a small tensor, k − 1 keys per row; any size
   * works (Pond's softmax shifts by this exact max). Always a new tensor (for one column, a
   * copy of x), so the caller may dispose it.
   * @example `new PondDealtSplines(pond).reduceMaxLastAxis(logits) // [rows, 1]`
   */
  reduceMaxLastAxis(x: TfeTensor): TfeTensor {
    const { p } = this;
    const axis = x.rank - 1;
    return tidy(() => {
      let cur = p.toPrivate(x);
      while (cur.shape[axis] > 1) {
        const k = cur.shape[axis], h = Math.floor(k / 2);
        const cols = (from: number, n: number) => p.slice(cur, cur.shape.map((_, i) => (i === axis ? from : 0)), cur.shape.map((d, i) => (i === axis ? n : d)));
        const b = cols(h, h);
        const m = p.add(b, exactRelu(p, p.sub(cols(0, h), b)));
        cur = p.toPrivate(k % 2 ? p.concat([m, cols(2 * h, 1)], axis) : m);
      }
      return cur === x ? p.reshape(cur, [...cur.shape]) : cur;
    });
  }

  /**
   * The spline of x by {@link splineOf}, with slopes at 2f fractional bits where the ring has
   * room for values below `maxValue` (60 bits in all: f_x + slope bits + log2(maxValue + 1)),
   * else fewer. An input below the protocol's scale (an integer tensor) is first brought to it
   * (a local shift), so that the thresholds keep their fractional bits.
   * @example `new PondDealtSplines(pond).spline(d, expSpline(), { maxValue: 1 })`
   */
  spline(x: TfeTensor, s: Spline, opts: { maxValue?: number } = {}): TfeTensor {
    const { p } = this;
    const f = p.fracBits;
    const xp = x.fracBits < f ? p.toPrivate(p.rescaleTo(x, f)) : p.toPrivate(x);
    const fx = xp.fracBits;
    const room = 60 - fx - Math.ceil(Math.log2((opts.maxValue ?? 1) + 1));
    const y = splineOf(p, xp, s, xp, Math.max(Math.min(2 * f, room), f - fx, 0));
    if (xp !== x) p.dispose(xp);
    return y;
  }
}
