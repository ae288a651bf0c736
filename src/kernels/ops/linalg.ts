/**
 * Front doors of the linear-algebra and window kernels: matmul (2-D and batched), conv2d
 * (NHWC input, HWIO kernel), im2col and its adjoint col2im.
 */
import { ValueError } from '../../errors.js';
import type { Padding } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import { checkTensor, op } from './run_op.js';

/** Options of {@link matmul}. @example `ring.matmul(a, b, { transposeA: true })` */
export interface MatMulOptions { transposeA?: boolean; transposeB?: boolean }

/**
 * a · b over the ring. Operands have rank ≥ 2; leading batch dims broadcast.
 * @example
 * ```ts
 * ring.matmul(a, b);                       // [M, K] · [K, N] → [M, N]
 * ring.matmul(a, b, { transposeB: true }); // [M, K] · [N, K]ᵀ
 * ```
 */
export function matmul(a: RingTensor, b: RingTensor, options: MatMulOptions = {}): RingTensor {
  const attrs = { transposeA: options.transposeA ?? false, transposeB: options.transposeB ?? false };
  return op('MatMul', [checkTensor('a', a), checkTensor('b', b)], attrs);
}

/** Window options: `strides` (a number for both axes, or [sh, sw]) and `padding`. @example `ring.conv2d(x, w, { strides: [2, 1], padding: 'same' })` */
export interface WindowOptions { strides?: number | [number, number]; padding?: Padding }

/** [sh, sw] from a number or a pair. */
function pair(name: string, v: number | [number, number] | undefined, fallback: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v)) return [v[0], v[1]];
  throw new ValueError(`\`${name}\` must be a number or a pair [h, w], got ${typeof v}`);
}

function windowAttrs(options: WindowOptions) {
  return { strides: pair('strides', options.strides, 1), padding: options.padding ?? 'valid' };
}

/**
 * 2-D convolution over u64: x [N, H, W, C] with w [kh, kw, C, F] → [N, oh, ow, F]
 * (TensorFlow's 'same'/'valid'; default strides 1, padding 'valid').
 * @example
 * ```ts
 * ring.conv2d(x, w, { strides: 2, padding: 'same' });
 * ```
 */
export function conv2d(x: RingTensor, w: RingTensor, options: WindowOptions = {}): RingTensor {
  return op('Conv2D', [checkTensor('x', x), checkTensor('w', w)], windowAttrs(options));
}

/** Options of {@link im2col}: the window size plus {@link WindowOptions}. @example `ring.im2col(x, { kernelSize: [3, 3] })` */
export interface Im2ColOptions extends WindowOptions { kernelSize: number | [number, number] }

/**
 * Unfolds the windows of x [N, H, W, C] into rows: [N·oh·ow, kh·kw·C], (dy, dx, c) order.
 * @example
 * ```ts
 * ring.im2col(x, { kernelSize: 3, padding: 'same' });
 * ```
 */
export function im2col(x: RingTensor, options: Im2ColOptions): RingTensor {
  const attrs = { kernelSize: pair('kernelSize', options?.kernelSize, NaN), ...windowAttrs(options ?? {}) };
  return op('Im2Col', [checkTensor('x', x)], attrs);
}

/**
 * The adjoint of {@link im2col}: sums window rows back into an image of `inputShape`.
 * @example
 * ```ts
 * ring.col2im(cols, { kernelSize: 3, padding: 'same', inputShape: [1, 28, 28, 16] });
 * ```
 */
export function col2im(cols: RingTensor, options: Im2ColOptions & { inputShape: [number, number, number, number] }): RingTensor {
  const attrs = {
    kernelSize: pair('kernelSize', options?.kernelSize, NaN), ...windowAttrs(options ?? {}), inputShape: options?.inputShape,
  };
  return op('Col2Im', [checkTensor('cols', cols)], attrs);
}
