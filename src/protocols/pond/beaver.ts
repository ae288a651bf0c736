import { U64 } from '../../kernels/dtype.js';
import type { Handle } from '../runtime_link.js';
import { dealShares } from './dealer.js';
import { openShares } from './open.js';
import type { Pond } from './pond.js';
import { PondMaskedTensor, PondPrivateTensor } from './pond_tensors.js';

/**
 * Masks private tensors for Beaver products (SPDZ; Beaver '91). 1 round for all of them.
 *  1. server_i and the producer expand a_i from the seed they share (no message); the
 *     producer adds a = a0 + a1.
 *  2. server_i computes alpha_i = x_i − a_i and sends it to the other server.
 *  3. both servers hold alpha = alpha0 + alpha1 = x − a (uniform, so it says nothing of x).
 * Communication: 2 · 8 bytes per element. The result is remembered on `x`, so a tensor is
 * masked at most once (weights in forward and backward pay once).
 */
export function maskAll(p: Pond, xs: readonly (PondPrivateTensor | PondMaskedTensor)[]): PondMaskedTensor[] {
  const { rt, s0, s1, cp } = p;
  for (const x of xs) if (x instanceof PondPrivateTensor && x.masked && !isLive(p, x.masked)) x.masked = undefined;
  const todo = [...new Set(xs.filter((x): x is PondPrivateTensor => x instanceof PondPrivateTensor && !x.masked))];
  const prepared = todo.map((x) => {
    const [a0cp, a0] = rt.sampleShared([cp, s0], x.shape, U64);
    const [a1cp, a1] = rt.sampleShared([cp, s1], x.shape, U64);
    const a = rt.op(cp, 'Add', [a0cp, a1cp]);
    rt.free(a0cp, a1cp);
    const own: [Handle, Handle] = [rt.op(s0, 'Sub', [x.shares[0], a0]), rt.op(s1, 'Sub', [x.shares[1], a1])];
    return { x, a, aShares: [a0, a1] as [Handle, Handle], own };
  });
  const alphas = openShares(rt, prepared.map((m) => m.own), 'Add');
  prepared.forEach((m, i) => { m.x.masked = new PondMaskedTensor(p, m.x, m.a, m.aShares, alphas[i], rt.randomEpoch); });
  return xs.map((x) => (x instanceof PondMaskedTensor ? x : x.masked!));
}

/**
 * True while every handle of a mask is alive and no `setRandomSeed` came after it. A mask made
 * inside a `tidy` scope is freed when the scope ends even if its tensor lives on (a kept
 * weight); it is then made afresh, as it is after a reseed (so reseeded runs repeat exactly).
 */
export function isLive(p: Pond, m: PondMaskedTensor): boolean {
  return m.epoch === p.rt.randomEpoch && ![m.a, ...m.aShares, ...m.alpha].some((h) => h.disposed);
}

/** Masks one private tensor (see {@link maskAll}). */
export function mask(p: Pond, x: PondPrivateTensor | PondMaskedTensor): PondMaskedTensor {
  return maskAll(p, [x])[0];
}

/**
 * A bilinear op (Mul, MatMul, Conv2D) of two private tensors with a Beaver triple of the
 * matching shape (SPDZ; Beaver '91). 1 round (0 when both are already masked).
 *  1. mask x and y (alpha = x − a, beta = y − b opened on both servers), reusing masks
 *  2. the producer computes c = op(a, b) and deals it (only c1 is sent)
 *  3. z0 = c0 + op(alpha, b0 + beta) + op(a0, beta);  z1 = c1 + op(alpha, b1) + op(a1, beta)
 * Correct because x·y = (alpha + a)(beta + b) = ab + alpha·b + a·beta + alpha·beta, and every
 * term is linear in the shares. The result carries both fixed-point scales; the caller
 * truncates.
 */
export function beaverProduct(
  p: Pond,
  kernel: 'Mul' | 'MatMul' | 'Conv2D',
  attrs: object,
  x: PondPrivateTensor | PondMaskedTensor,
  y: PondPrivateTensor | PondMaskedTensor,
): PondPrivateTensor {
  const { rt, s0, s1, cp } = p;
  const [mx, my] = maskAll(p, [x, y]);
  const c = rt.op(cp, kernel, [mx.a, my.a], attrs);
  const [c0, c1] = dealShares(p, c);
  rt.free(c);
  const [alpha0, alpha1] = mx.alpha;
  const [beta0, beta1] = my.alpha;
  const [a0, a1] = mx.aShares;
  const [b0, b1] = my.aShares;
  const bPlusBeta = rt.op(s0, 'Add', [b0, beta0]);
  const z0 = sum(p, s0, [c0, rt.op(s0, kernel, [alpha0, bPlusBeta], attrs), rt.op(s0, kernel, [a0, beta0], attrs)]);
  const z1 = sum(p, s1, [c1, rt.op(s1, kernel, [alpha1, b1], attrs), rt.op(s1, kernel, [a1, beta1], attrs)]);
  rt.free(bPlusBeta);
  return new PondPrivateTensor(p, x.fracBits + y.fracBits, [z0, z1]);
}

/**
 * Squares a private tensor with a square triple (a, a²). 1 round (0 when already masked).
 *  1. mask x (alpha = x − a opened on both servers)
 *  2. the producer deals c = a²
 *  3. z0 = c0 + 2·alpha·a0 + alpha²;  z1 = c1 + 2·alpha·a1
 * Cheaper than a general product: only x is opened.
 */
export function beaverSquare(p: Pond, x: PondPrivateTensor | PondMaskedTensor): PondPrivateTensor {
  const { rt, s0, s1, cp } = p;
  const mx = mask(p, x);
  const c = rt.op(cp, 'Mul', [mx.a, mx.a]);
  const [c0, c1] = dealShares(p, c);
  rt.free(c);
  const [alpha0, alpha1] = mx.alpha;
  const [a0, a1] = mx.aShares;
  const twoA0 = rt.op(s0, 'ShiftLeft', [a0], { bits: 1 });
  const twoA0PlusAlpha = rt.op(s0, 'Add', [twoA0, alpha0]);
  const twoA1 = rt.op(s1, 'ShiftLeft', [a1], { bits: 1 });
  const z0 = sum(p, s0, [c0, rt.op(s0, 'Mul', [alpha0, twoA0PlusAlpha])]);
  const z1 = sum(p, s1, [c1, rt.op(s1, 'Mul', [alpha1, twoA1])]);
  rt.free(twoA0, twoA0PlusAlpha, twoA1);
  return new PondPrivateTensor(p, 2 * x.fracBits, [z0, z1]);
}

/** Adds handles on one player in one pass (`AddN`), freeing the inputs. */
function sum(p: Pond, player: string, hs: Handle[]): Handle {
  const total = p.rt.op(player, 'AddN', hs);
  p.rt.free(...hs);
  return total;
}

