/**
 * Comparisons of a product's truncated result that start before the truncation (Pond and
 * SecureNN). A product z = x·w is a 2-out-of-2 sharing as soon as its Beaver opening is done;
 * its truncation y = z/2^k (within one unit) takes one more round. The sign of y − v equals the
 * sign of z − v·2^k, except where y is within one unit of v, where the truncation's own
 * rounding could have gone either way. So a comparison that only needs a sign (relu's
 * derivative, the range tests of a clamped approximation) runs on z and saves that round:
 * a dense layer's `relu(x·w + b)` or `sigmoid(x·w + b)` starts its comparison in the product's
 * round.
 *
 * The product keeps z as its result's {@link SignSource} (freed with the result); a private
 * addend b (a bias) joins it lazily as b·2^k, so adding costs nothing until a comparison asks.
 * Range: the standard fixed-point range (|values| < 2^(62−2f), so that products fit) keeps
 * z + b·2^k below 2^62 in the ring, where signs are exact.
 *
 * @example
 * ```ts
 * const view = signView(pond, x) ?? x; // compare `view` instead of `x`, at scale 2^-(f + k)
 * ```
 */
import type { Handle } from '../runtime_link.js';
import type { Pond } from './pond.js';
import { PondPrivateTensor, type SignSource } from './pond_tensors.js';
import { allAlive, sumSignSources } from '../sign_sources.js';

/** The handles a tensor's sign source frees with it (the base, when the tensor owns it). */
export function ownedSignHandles(s: SignSource): Handle[] {
  return s.owned ? s.base.filter((h) => !h.disposed) : [];
}

/** x's sign source when all its handles are alive (a dead one is dropped). */
function liveSource(x: PondPrivateTensor): SignSource | undefined {
  const s = x.signSource;
  if (s && allAlive([...s.base, ...s.addends.flatMap((a) => a.shares), ...x.shares])) return s;
  x.signSource = undefined;
  return undefined;
}

/**
 * The sign source of x ± y for private x and y (addSub's private branch; sign_sources.ts).
 * @example
 * ```ts
 * out.signSource = summedSignSource(x, y, 'Add'); // x·w + bias
 * ```
 */
export function summedSignSource(x: PondPrivateTensor, y: PondPrivateTensor, kernel: 'Add' | 'Sub'): SignSource | undefined {
  return sumSignSources(liveSource(x), liveSource(y), x.shares, y.shares, kernel);
}

/**
 * A private tensor at scale 2^-(fracBits + k) whose sign agrees with x's (see the module
 * comment), built from x's live sign source: base plus each addend shifted left by k. The
 * caller disposes it. Undefined when x has none.
 * @example
 * ```ts
 * const d = isNegative(pond, signView(pond, x) ?? x);
 * ```
 */
export function signView(p: Pond, x: unknown): PondPrivateTensor | undefined {
  if (!(x instanceof PondPrivateTensor)) return undefined;
  const s = liveSource(x);
  if (!s) return undefined;
  const { rt } = p;
  const shares = [0, 1].map((i) => {
    let acc = p.copy(s.base[i]);
    for (const a of s.addends) {
      const shifted = rt.op(a.shares[i].player, 'ShiftLeft', [a.shares[i]], { bits: s.k });
      const next = rt.op(acc.player, a.sub ? 'Sub' : 'Add', [acc, shifted]);
      rt.free(acc, shifted);
      acc = next;
    }
    return acc;
  }) as [Handle, Handle];
  return new PondPrivateTensor(p, x.fracBits + s.k, shares);
}
