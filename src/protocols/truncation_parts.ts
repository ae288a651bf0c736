/**
 * The handle-level parts of a dealer-assisted truncation (Pond's and ABY3's, with the MSB
 * trick) that a later product of its result reads (pond/ and aby3/truncated_product.ts). The
 * truncation opens c = x + 2^62 + r to the two computing servers and leaves y = E + A, with E
 * public to them and A = 2^(63−k)·s⊙m − t built from the dealer's t and m.
 *
 * @example
 * ```ts
 * const tm = dealerTm(rt, dealer, record.dealt, y.shape);    // [t | m] on the dealer
 * const e = truncationPublicPart(rt, record.c[0], k, y.size); // E on server0
 * ```
 */
import { U64 } from '../kernels/dtype.js';
import type { Handle, Runtime } from './runtime_link.js';

/**
 * On the dealer: [t | m] of a truncation, shape [2, ...shape], from its stream with server0
 * ([r0 | t0 | m0]) and the [t1 | m1] it sent server1.
 * @example
 * ```ts
 * const tm = dealerTm(rt, 'server2', [stream, toServer1], [128, 10]);
 * ```
 */
export function dealerTm(rt: Runtime, dealer: string, dealt: readonly [Handle, Handle], shape: readonly number[]): Handle {
  const n = shape.reduce((a, b) => a * b, 1);
  const [stream, toServer1] = dealt;
  const own = rt.op(dealer, 'Slice', [stream], { begin: [n], size: [2 * n], strides: [1] });
  const sum = rt.op(dealer, 'Add', [own, toServer1]);
  const out = rt.op(dealer, 'Reshape', [sum], { shape: [2, ...shape] });
  rt.free(own, sum);
  return out;
}

/**
 * E, the public part of a truncation's result, on the server holding c's two parts:
 * `TruncFinishStacked` with zero t and m and `first` (n elements, k bits).
 * @example
 * ```ts
 * const e = truncationPublicPart(rt, [cOwn, cOther], 16, 1280);
 * ```
 */
export function truncationPublicPart(rt: Runtime, c: readonly [Handle, Handle], k: number, n: number): Handle {
  const [cOwn, cOther] = c;
  const zeros = rt.fill(cOwn.player, [2 * n], 0n, U64);
  const e = rt.op(cOwn.player, 'TruncFinishStacked', [cOwn, cOther, zeros], { bits: k, first: true });
  rt.free(zeros);
  return e;
}

/**
 * On the dealer: what a square of the truncation's result needs dealt, flat: [t⊙t | t⊙m], or
 * [m | t⊙t | t⊙m] for k > 31, where the 2^(126−2k)·m term of A² survives mod 2^64
 * (`TruncFinishStacked` reads the last two parts). `tm` is {@link dealerTm}'s and is kept.
 * @example
 * ```ts
 * const products = squareDealing(rt, dealer, tm, y.shape, 16); // [2n] words to deal
 * ```
 */
export function squareDealing(rt: Runtime, dealer: string, tm: Handle, shape: readonly number[], k: number): Handle {
  const n = shape.reduce((a, b) => a * b, 1);
  const part = (i: number) => rt.op(dealer, 'Slice', [tm], { begin: [i, ...shape.map(() => 0)], size: [1, ...shape], strides: [1, ...shape.map(() => 1)] });
  const t = part(0);
  const products = rt.op(dealer, 'Mul', [tm, t]); // [t⊙t | m⊙t]
  const m = k > 31 ? part(1) : undefined;
  const stacked = m ? rt.op(dealer, 'Concat', [m, products], { axis: 0 }) : products;
  const out = rt.op(dealer, 'Reshape', [stacked], { shape: [(m ? 3 : 2) * n] });
  rt.free(...new Set([t, products, stacked, ...(m ? [m] : [])]));
  return out;
}
