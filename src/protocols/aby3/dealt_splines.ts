/**
 * ABY3's {@link DealtSplines} capability: the small-tensor softmax (generic/dealt_softmax.ts)
 * and a training batch's 1/Σ from DCF keys that server2 deals to server0 and server1
 * (dealt_keys.ts). Replicated shares are a 2-out-of-2 sharing between server0 (x0 + x1) and
 * server1 (x2) without any message, so the two compare with the one round that opens their
 * masked input, where the carry circuit (msb.ts) takes 7 and bit injection one more. Server2
 * deals as it does for every truncation (truncate.ts) and receives nothing; server0 and
 * server1 see only the input masked by server2's r, so no single server learns anything
 * (semi-honest, honest majority, as the rest of ABY3).
 *
 * Rounds for a softmax of 10 classes on at most 256 elements (one private prediction): 4 for
 * the exact max, 3 for exp's spline (its round and a truncation's 2), 3 for 1/Σ's, and 2 for
 * the product, against 35 on the carry circuits; a training batch's 1/Σ over 128 row sums
 * takes 5 (spline and one Newton step) instead of 11.
 *
 * @example
 * ```ts
 * const dealt = new ABY3DealtSplines(aby3);
 * const probs = dealtSoftmaxParts(aby3, dealt, logits).probs; // logits.size ≤ 256
 * ```
 */
import type { DealtSplines } from '../capabilities.js';
import type { Spline } from '../approximations/linear_spline.js';
import { dealtSplineSums, dealtThresholdSteps, fssMaxElements } from '../dealt_keys.js';
import { Scratch } from '../scratch.js';
import type { Handle } from '../runtime_link.js';
import { tidy } from '../runtime_link.js';
import type { TfeTensor } from '../tensor.js';
import type { ABY3 } from './aby3.js';
import { ABY3PrivateTensor } from './aby3_tensors.js';
import { aby3Parties, fromTwoOfTwo, twoOfTwoOf } from './sharing.js';
import { truncateSum } from './truncate.js';
import { hasLiveTruncation } from './truncated_product.js';

/**
 * The dealt-key operations of an ABY3 protocol: splines of private tensors of at most
 * {@link fssMaxElements} elements when its `fss` option is on (`accepts`), and an exact maximum
 * of any tensor.
 * @example
 * ```ts
 * const m = new ABY3DealtSplines(aby3).reduceMaxLastAxis(logits); // [rows, 1]
 * ```
 */
export class ABY3DealtSplines implements DealtSplines {
  constructor(private readonly p: ABY3) {}

  /**
   * Whether the keys serve x: the protocol's `fss` option on, and a private tensor of 1 to
   * {@link fssMaxElements} elements.
   * @example `new ABY3DealtSplines(aby3).accepts(logits) // true for ≤ 256 private elements`
   */
  accepts(x: TfeTensor): boolean {
    return this.p.fss && x instanceof ABY3PrivateTensor && x.size > 0 && x.size <= fssMaxElements;
  }

  /**
   * max over the last axis by halving, on the 2-out-of-2 sharing: max(a, b) = b + relu(a − b)
   * on the two halves of the columns, the odd one out carried along, relu(d) = [d ≥ 0]·d from
   * the keys (exact for |a − b| < 2^62). ⌈log2 k⌉ rounds, then one that makes the result
   * replicated (fromTwoOfTwo); k − 1 keys per row. A tensor the keys do not serve
   * (`accepts`) takes ABY3's exact max on the carry circuit (13 rounds for 10 columns): the
   * keys' 2 KB per element and server would cost more than the rounds they save on a real
   * network. Always a new tensor.
   * @example `new ABY3DealtSplines(aby3).reduceMaxLastAxis(logits) // [rows, 1]`
   */
  reduceMaxLastAxis(x: TfeTensor): TfeTensor {
    const { p } = this;
    if (!this.accepts(x)) return p.reduceMax(x, -1, true);
    const { rt } = p;
    const xp = p.toPrivate(x);
    const axis = xp.rank - 1;
    const parties = aby3Parties(p);
    const s = new Scratch(rt);
    const slice = (h: Handle, from: number, n: number) => s.op(h.player, 'Slice', [h], {
      begin: h.shape.map((_, i) => (i === axis ? from : 0)), size: h.shape.map((d, i) => (i === axis ? n : d)), strides: h.shape.map(() => 1),
    });
    let cur = twoOfTwo(p, xp, s);
    while (cur[0].shape[axis] > 1) {
      const k = cur[0].shape[axis], h = Math.floor(k / 2);
      const d = cur.map((c) => s.op(c.player, 'Sub', [slice(c, 0, h), slice(c, h, h)])) as [Handle, Handle];
      const { steps, products } = dealtThresholdSteps(parties, d, xp.fracBits, [0]);
      rt.free(...steps);
      cur = cur.map((c, i) => {
        const relu = s.op(c.player, 'Reshape', [s.track(products[i])], { shape: [...d[i].shape] });
        const m = s.op(c.player, 'Add', [slice(c, h, h), relu]);
        return k % 2 ? s.op(c.player, 'Concat', [m, slice(c, 2 * h, 1)], { axis }) : m;
      }) as [Handle, Handle];
    }
    // one column: cur may still be a truncation record's own parts, which fromTwoOfTwo would free
    const out = cur.map((h) => s.keep(s.op(h.player, 'Reshape', [h], { shape: [...h.shape] }))) as [Handle, Handle];
    s.release();
    return new ABY3PrivateTensor(p, xp.fracBits, fromTwoOfTwo(p, out[0], out[1]));
  }

  /**
   * relu(x) = [x ≥ 0]·x and, when asked, its derivative [x ≥ 0], exactly (|x| < 2^62), for a
   * tensor the keys serve: the step and product of {@link dealtThresholdSteps} at the one
   * threshold 0 (1 round), made replicated by one fromTwoOfTwo for both (1 round): 2 rounds
   * where the carry circuit and bit injection take 8; 3 after a product, whose truncation's
   * first round is enough. Communication per element: 2 KB of key from server2 to server0
   * and to server1, 8 bytes each way between them, 16 bytes per output for the resharing.
   * @example `new ABY3DealtSplines(aby3).reluWithDerivative(h, true) // h.size ≤ 256`
   */
  reluWithDerivative(x: ABY3PrivateTensor, derivative: boolean): { y: ABY3PrivateTensor; derivative?: ABY3PrivateTensor } {
    const { p } = this;
    const s = new Scratch(p.rt);
    const { steps, products } = dealtThresholdSteps(aby3Parties(p), twoOfTwo(p, x, s), x.fracBits, [0]);
    s.release();
    const shaped = (pair: [Handle, Handle]) => pair.map((h) => {
      const out = p.rt.op(h.player, 'Reshape', [h], { shape: [...x.shape] });
      p.rt.free(h);
      return out;
    });
    const y = shaped(products);
    const out = { y: new ABY3PrivateTensor(p, x.fracBits, fromTwoOfTwo(p, y[0], y[1])) };
    if (!derivative) {
      p.rt.free(...steps);
      return out;
    }
    const d = shaped(steps);
    return { ...out, derivative: new ABY3PrivateTensor(p, 0, fromTwoOfTwo(p, d[0], d[1])) };
  }

  /**
   * The spline s of x at the protocol's scale: {@link dealtSplineSums} on the 2-out-of-2
   * sharing (1 round), then {@link truncateSum} to f (2 rounds; the result is replicated).
   * The slopes get 2f fractional bits where the ring has room for values below `maxValue`
   * (60 bits in all: f_x + slope bits + log2(maxValue + 1)), else fewer. An integer input is
   * first brought to the protocol's scale (a local shift).
   * @example `new ABY3DealtSplines(aby3).spline(d, expSpline(), { maxValue: 1 })`
   */
  spline(x: TfeTensor, spline: Spline, opts: { maxValue?: number } = {}): TfeTensor {
    const { p } = this;
    const f = p.fracBits;
    return tidy(() => {
      const xp = p.toPrivate(x.fracBits < f ? p.rescaleTo(x, f) : x);
      const fx = xp.fracBits;
      const room = 60 - fx - Math.ceil(Math.log2((opts.maxValue ?? 1) + 1));
      const slopeBits = Math.max(Math.min(2 * f, room), f - fx, 0);
      const s = new Scratch(p.rt);
      const sums = dealtSplineSums(aby3Parties(p), twoOfTwo(p, xp, s), fx, spline, slopeBits);
      s.release();
      const k = slopeBits + fx - f;
      return k > 0 ? truncateSum(p, sums, k, f) : new ABY3PrivateTensor(p, f, fromTwoOfTwo(p, sums[0], sums[1]));
    });
  }
}

/**
 * x as a 2-out-of-2 sharing between server0 and server1, without a message: a fresh
 * truncation's own 2-out-of-2 result (truncate.ts), so the keys' round need not wait for the
 * truncation's second, else x0 + x1 on server0 and x2 on server1 (scratch handles).
 */
function twoOfTwo(p: ABY3, x: ABY3PrivateTensor, s: Scratch): readonly [Handle, Handle] {
  if (hasLiveTruncation(p, x)) return x.truncation.twoOfTwo;
  return twoOfTwoOf(p, x.shares).map((h) => s.track(h)) as [Handle, Handle];
}
