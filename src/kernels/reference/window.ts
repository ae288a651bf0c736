/**
 * Geometry of 2-D windows (conv2d, im2col), TensorFlow semantics: output size and padding.
 */
import type { Padding } from '../kernel_names.js';

/** Output length and leading padding along one spatial axis. @example `const g: AxisGeometry = axisGeometry(5, 3, 1, 'same')` */
export interface AxisGeometry {
  /** Output length. */
  out: number;
  /** Zeros before the input (top or left). */
  padBefore: number;
}

/**
 * 'valid': out = ceil((n − k + 1) / s), no padding. 'same': out = ceil(n / s), total padding
 * max((out − 1)·s + k − n, 0), floor(total / 2) of it before. `out` may be ≤ 0 for 'valid'
 * when the window is larger than the input; callers reject that.
 * @example
 * ```ts
 * axisGeometry(28, 5, 1, 'same'); // { out: 28, padBefore: 2 }
 * axisGeometry(28, 5, 2, 'valid'); // { out: 12, padBefore: 0 }
 * ```
 */
export function axisGeometry(n: number, k: number, s: number, padding: Padding): AxisGeometry {
  if (padding === 'valid') return { out: Math.ceil((n - k + 1) / s), padBefore: 0 };
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  return { out, padBefore: Math.floor(total / 2) };
}
