/**
 * ABY3's local (communication-free) ops: a linear kernel applied to every share, addition and
 * subtraction with any operand kinds, and the shape ops. Replicated shares are closed under
 * every linear map, so each server applies the kernel to both of its shares.
 *
 * @example
 * ```ts
 * const y = mapLocal(p, x, 'Transpose', { perm: [1, 0] });
 * ```
 */
import { ValueError } from '../../errors.js';
import { U64, type KernelAttrMap, type KernelAttrsArg, type KernelName } from '../../kernels/index.js';
import { broadcastOrThrow } from '../../kernels/ops/validate.js';
import type { Handle } from '../runtime_link.js';
import type { TensorLike, TfeTensor } from '../tensor.js';
import type { ABY3 } from './aby3.js';
import { summedSignSource } from './sign_view.js';
import { ABY3BooleanTensor, ABY3PrivateTensor, ABY3PublicTensor, type ReplicatedShares, type SharePair } from './aby3_tensors.js';

/** Applies `f` to each share of a replicated sharing. */
export function mapShares(shares: ReplicatedShares, f: (h: Handle, server: number, slot: number) => Handle): ReplicatedShares {
  return shares.map((pair, i) => [f(pair[0], i, 0), f(pair[1], i, 1)] as SharePair) as unknown as ReplicatedShares;
}

/**
 * Applies a linear kernel to every handle of a tensor, locally (no communication).
 * @example
 * ```ts
 * const y = mapLocal(p, x, 'Reshape', { shape: [6] });
 * ```
 */
export function mapLocal<K extends KernelName>(p: ABY3, x: TfeTensor, kernel: K, attrs: KernelAttrMap[K], fracBits = x.fracBits): TfeTensor {
  const f = (h: Handle) => p.rt.op(h.player, kernel, [h], ...([attrs] as KernelAttrsArg<K>));
  if (x instanceof ABY3PublicTensor) return new ABY3PublicTensor(p, fracBits, x.values.map(f) as [Handle, Handle, Handle]);
  if (x instanceof ABY3BooleanTensor) return new ABY3BooleanTensor(p, fracBits, mapShares(x.shares, f));
  return new ABY3PrivateTensor(p, fracBits, mapShares((x as ABY3PrivateTensor).shares, f));
}

/** Widens a handle to `shape` by adding zeros (for a share that a public operand did not touch). */
function widen(p: ABY3, h: Handle, shape: readonly number[]): Handle {
  if (h.shape.length === shape.length && h.shape.every((d, i) => d === shape[i])) return p.copy(h);
  const zeros = p.rt.fill(h.player, shape, 0n, U64);
  const out = p.rt.op(h.player, 'Add', [h, zeros]);
  p.rt.free(zeros);
  return out;
}

/**
 * Addition and subtraction on any operand kinds, locally; scales are aligned by an exact left
 * shift. A public operand enters the share x0 (held by server0 first and server2 second).
 * @example
 * ```ts
 * const z = addSub(p, 'Add', x, 1.5);
 * ```
 */
export function addSub(p: ABY3, kernel: 'Add' | 'Sub', xv: TensorLike, yv: TensorLike): TfeTensor {
  let x = p.toTensor(xv);
  let y = p.toTensor(yv);
  const f = Math.max(x.fracBits, y.fracBits);
  x = p.rescaleTo(x, f);
  y = p.rescaleTo(y, f);
  const shape = broadcastOrThrow('x', x.shape, 'y', y.shape);
  const { rt } = p;
  if (x instanceof ABY3PublicTensor && y instanceof ABY3PublicTensor) {
    const yp = y;
    return new ABY3PublicTensor(p, f, x.values.map((h, i) => rt.op(h.player, kernel, [h, yp.values[i]])) as [Handle, Handle, Handle]);
  }
  if (x instanceof ABY3PublicTensor || y instanceof ABY3PublicTensor) {
    const pubFirst = x instanceof ABY3PublicTensor;
    const pub = (pubFirst ? x : y) as ABY3PublicTensor;
    const priv = p.toPrivate(pubFirst ? y : x);
    const shares = mapShares(priv.shares, (h, i, slot) => {
      const isX0 = (i === 0 && slot === 0) || (i === 2 && slot === 1);
      if (isX0) return rt.op(h.player, kernel, pubFirst ? [pub.values[i], h] : [h, pub.values[i]]);
      if (pubFirst && kernel === 'Sub') {
        const neg = rt.op(h.player, 'Neg', [h]);
        const out = widen(p, neg, shape);
        rt.free(neg);
        return out;
      }
      return widen(p, h, shape);
    });
    return new ABY3PrivateTensor(p, f, shares);
  }
  const [px, py] = [p.toPrivate(x), p.toPrivate(y)];
  const ys = py.shares;
  const out = new ABY3PrivateTensor(p, f, mapShares(px.shares, (h, i, slot) => rt.op(h.player, kernel, [h, ys[i][slot]])));
  // x·w + b: a comparison of the sum can still start from the untruncated product (sign_view.ts)
  out.signSource = summedSignSource(px, py, kernel);
  return out;
}

/**
 * Concatenation; any private operand makes the result private.
 * @example
 * ```ts
 * const z = concat(p, [x, y], 0);
 * ```
 */
export function concat(p: ABY3, xs: TfeTensor[], axis: number): TfeTensor {
  if (xs.length === 0) throw new ValueError('`concat` needs at least one tensor');
  const rank = xs[0].rank;
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) throw new ValueError(`\`concat\`: axis ${axis} is out of range for rank ${rank}`);
  const f = Math.max(...xs.map((x) => x.fracBits));
  const aligned = xs.map((x) => p.rescaleTo(x, f));
  const { rt } = p;
  if (aligned.every((x) => x instanceof ABY3PublicTensor)) {
    const v = [0, 1, 2].map((i) => rt.op(p.servers[i], 'Concat', aligned.map((x) => (x as ABY3PublicTensor).values[i]), { axis: a }));
    return new ABY3PublicTensor(p, f, v as [Handle, Handle, Handle]);
  }
  const shares = aligned.map((x) => p.toPrivate(x).shares);
  return new ABY3PrivateTensor(p, f, shares[0].map((_, i) => [0, 1].map((slot) => rt.op(p.servers[i], 'Concat', shares.map((s) => s[i][slot]), { axis: a }))) as unknown as ReplicatedShares);
}
