/** Window geometry of Conv2D, Im2Col and Col2Im, TensorFlow padding rules (kernel_names.ts). */
import type { Padding } from '../kernel_names.js';
import type { ConvGeom } from './binding.js';

/** Output size and leading padding of one axis, TensorFlow rules. @example `axis(28, 5, 1, 'same') // [28, 2]` */
export function axis(size: number, k: number, s: number, padding: Padding): [number, number] {
  if (padding === 'valid') return [Math.max(0, Math.ceil((size - k + 1) / s)), 0];
  const out = Math.ceil(size / s);
  return [out, Math.floor(Math.max((out - 1) * s + k - size, 0) / 2)];
}

/**
 * The addon's window geometry of an NHWC input, kernel size, strides and padding.
 * @example
 * ```ts
 * geom([1, 28, 28, 1], [5, 5], [1, 1], 'same'); // [1, 28, 28, 1, 5, 5, 1, 1, 2, 2, 28, 28]
 * ```
 */
export function geom([n, h, w, c]: readonly number[], [kh, kw]: number[], [sh, sw]: number[], p: Padding): ConvGeom {
  const [[oh, pt], [ow, pl]] = [axis(h, kh, sh, p), axis(w, kw, sw, p)];
  return [n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow];
}
