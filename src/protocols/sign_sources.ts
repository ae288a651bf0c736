/**
 * What Pond's and ABY3's sign sources (pond/sign_source.ts, aby3/sign_view.ts) have in
 * common: a truncated product's result remembers the untruncated product, and private addends
 * (a bias) join it lazily, so a comparison of the sum can start before the truncation's round.
 *
 * @example
 * ```ts
 * out.signSource = sumSignSources(x.signSource, y.signSource, x.shares, y.shares, 'Add');
 * ```
 */
import type { Handle } from './runtime_link.js';

/** The protocol-independent part of a sign source: addends (of share type S) and ownership. */
export interface SignSourceLike<S> {
  readonly addends: readonly { readonly shares: S; readonly sub: boolean }[];
  readonly owned: boolean;
}

/**
 * The sign source of x ± y from the operands' live sources: x's with y added when only x has
 * one, y's with x added when only y has one and the kernel is `Add`; undefined otherwise. The
 * result refers to the product's handles and does not own them.
 * @example
 * ```ts
 * const s = sumSignSources(sx, undefined, x.shares, bias.shares, 'Add');
 * ```
 */
export function sumSignSources<S, T extends SignSourceLike<S>>(sx: T | undefined, sy: T | undefined, xShares: S, yShares: S, kernel: 'Add' | 'Sub'): T | undefined {
  if (sx && !sy) return { ...sx, addends: [...sx.addends, { shares: yShares, sub: kernel === 'Sub' }], owned: false };
  if (sy && !sx && kernel === 'Add') return { ...sy, addends: [...sy.addends, { shares: xShares, sub: false }], owned: false };
  return undefined;
}

/**
 * True when every handle is alive (absent ones count as alive).
 * @example
 * ```ts
 * if (!allAlive([...s.base, ...x.shares])) x.signSource = undefined;
 * ```
 */
export function allAlive(handles: Iterable<Handle | undefined>): boolean {
  for (const h of handles) if (h && h.disposed) return false;
  return true;
}
