/**
 * Gradients of conv2d and 2-D pooling, composed from the Protocol interface's linear ops
 * (strided slices, pads, reshapes, stacks: all local), so every protocol gets them.
 *
 *  - im2col(x): the ph·pw strided slices of the padded input, stacked → [n, oh, ow, kh·kw, c].
 *  - col2im-sum(cols): the adjoint of im2col: each offset's slice is dilated by the strides
 *    (zeros inserted by reshape + pad), padded into place and summed; then the 'same' padding
 *    is cropped. No communication.
 *  - conv2d: dW = im2col(x)ᵀ·dy (one private matmul), dx = col2im-sum(dy·Wᵀ) (one matmul).
 *  - averagePooling2d: dx = col2im-sum of dy/count broadcast over each window.
 *  - maxPooling2d: dx = col2im-sum(mask ⊙ dy), with the one-hot argmax mask from the protocol.
 */
import { ValueError } from '../../errors.js';
import type { Protocol } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';
import { MAX_FOLDED_TERMS, scaledProduct } from './scale.js';

/** Geometry of a 2-D window op on NHWC input (TensorFlow padding rules). */
export interface WindowGeometry {
  n: number; h: number; w: number; c: number;
  kh: number; kw: number; sh: number; sw: number;
  oh: number; ow: number;
  /** Padding before (top, left) and after (bottom, right). */
  pt: number; pl: number; pb: number; pr: number;
}

/**
 * The geometry of a window op.
 * @example
 * ```ts
 * windowGeometry([1, 28, 28, 1], [5, 5], [1, 1], 'same').oh; // 28
 * ```
 */
export function windowGeometry(shape: readonly number[], kernel: [number, number], strides: [number, number], padding: 'same' | 'valid'): WindowGeometry {
  if (shape.length !== 4) throw new ValueError(`expected NHWC input of rank 4, got shape [${shape.join(',')}]`);
  const [n, h, w, c] = shape;
  const [kh, kw] = kernel;
  const [sh, sw] = strides;
  const out = (len: number, k: number, s: number) => (padding === 'same' ? Math.ceil(len / s) : Math.ceil((len - k + 1) / s));
  const oh = out(h, kh, sh), ow = out(w, kw, sw);
  if (oh <= 0 || ow <= 0) throw new ValueError(`window [${kernel.join(',')}] does not fit input of shape [${shape.join(',')}] with 'valid' padding`);
  const padH = padding === 'same' ? Math.max((oh - 1) * sh + kh - h, 0) : 0;
  const padW = padding === 'same' ? Math.max((ow - 1) * sw + kw - w, 0) : 0;
  const pt = Math.floor(padH / 2), pl = Math.floor(padW / 2);
  return { n, h, w, c, kh, kw, sh, sw, oh, ow, pt, pl, pb: padH - pt, pr: padW - pl };
}

function padded(p: Protocol, x: TfeTensor, g: WindowGeometry): TfeTensor {
  if (g.pt + g.pb + g.pl + g.pr === 0) return x;
  return p.pad(x, [[0, 0], [g.pt, g.pb], [g.pl, g.pr], [0, 0]]);
}

/**
 * im2col on NHWC: [n, oh, ow, kh·kw, c] (offset-major, channel-minor, like HWIO kernels).
 * @example
 * ```ts
 * const cols = im2col(prot, x, windowGeometry(x.shape, [3, 3], [1, 1], 'valid'));
 * ```
 */
export function im2col(p: Protocol, x: TfeTensor, g: WindowGeometry): TfeTensor {
  const xp = padded(p, x, g);
  const slices: TfeTensor[] = [];
  for (let i = 0; i < g.kh; i++) for (let j = 0; j < g.kw; j++) {
    slices.push(p.stridedSlice(xp, [0, i, j, 0], [g.n, i + (g.oh - 1) * g.sh + 1, j + (g.ow - 1) * g.sw + 1, g.c], [1, g.sh, g.sw, 1]));
  }
  return slices.length === 1 ? p.expandDims(slices[0], 3) : p.stack(slices, 3);
}

/** Inserts s−1 zeros between consecutive entries of axis 1 (rows) and 2 (columns). */
function dilate(p: Protocol, x: TfeTensor, sh: number, sw: number): TfeTensor {
  const [n, oh, ow, c] = x.shape;
  let t = x;
  if (sh > 1) {
    t = p.pad(p.reshape(t, [n, oh, 1, ow, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, 0]]);
    t = p.slice(p.reshape(t, [n, oh * sh, ow, c]), [0, 0, 0, 0], [n, (oh - 1) * sh + 1, ow, c]);
  }
  if (sw > 1) {
    const rows = t.shape[1];
    t = p.pad(p.reshape(t, [n, rows, ow, 1, c]), [[0, 0], [0, 0], [0, 0], [0, sw - 1], [0, 0]]);
    t = p.slice(p.reshape(t, [n, rows, ow * sw, c]), [0, 0, 0, 0], [n, rows, (ow - 1) * sw + 1, c]);
  }
  return t;
}

/**
 * The adjoint of im2col: sums every window's values back onto the input positions.
 * `cols(k)` gives the [n, oh, ow, c] slice of window offset k = i·kw + j.
 * @example
 * ```ts
 * const dx = col2imSum(prot, (k) => slices[k], g);
 * ```
 */
export function col2imSum(p: Protocol, cols: (k: number) => TfeTensor, g: WindowGeometry): TfeTensor {
  const hp = g.h + g.pt + g.pb, wp = g.w + g.pl + g.pr;
  const dh = (g.oh - 1) * g.sh + 1, dw = (g.ow - 1) * g.sw + 1;
  let acc: TfeTensor | undefined;
  for (let i = 0; i < g.kh; i++) for (let j = 0; j < g.kw; j++) {
    const d = dilate(p, cols(i * g.kw + j), g.sh, g.sw);
    const placed = p.pad(d, [[0, 0], [i, hp - i - dh], [j, wp - j - dw], [0, 0]]);
    acc = acc ? p.add(acc, placed) : placed;
  }
  if (g.pt + g.pb + g.pl + g.pr === 0) return acc!;
  return p.slice(acc!, [0, g.pt, g.pl, 0], [g.n, g.h, g.w, g.c]);
}

/**
 * Gradients of y = conv2d(x, w) (NHWC, HWIO) given dy: {dx, dw}. With `dwScale`, dw comes
 * multiplied by that public constant in its own product's truncation where the protocol can
 * ({@link scaledProduct}), and `scaled` says so.
 * @example
 * ```ts
 * const { dx, dw } = conv2dGrads(prot, x, w, dy, [1, 1], 'same');
 * ```
 */
export function conv2dGrads(
  p: Protocol, x: TfeTensor, w: TfeTensor, dy: TfeTensor, strides: [number, number], padding: 'same' | 'valid', needDx = true, dwScale?: number,
): { dx?: TfeTensor; dw: TfeTensor; scaled: boolean } {
  const [kh, kw, cin, cout] = w.shape;
  const g = windowGeometry(x.shape, [kh, kw], strides, padding);
  const rows = g.n * g.oh * g.ow;
  const dyMat = p.reshape(dy, [rows, cout]);
  const cols = p.reshape(im2col(p, x, g), [rows, kh * kw * cin]);
  const product = (a: TfeTensor, b: TfeTensor) => p.matmul(a, b, { transposeA: true });
  const folds = dwScale !== undefined && dwScale !== 1 && rows <= MAX_FOLDED_TERMS; // dw sums `rows` terms
  const scaledDw = folds ? scaledProduct(p, cols, dyMat, dwScale, product) : undefined;
  const dw = p.reshape(scaledDw ?? product(cols, dyMat), [kh, kw, cin, cout]);
  const scaled = scaledDw !== undefined;
  if (!needDx) return { dw, scaled };
  const wMat = p.reshape(w, [kh * kw * cin, cout]);
  const dcols = p.reshape(p.matmul(dyMat, wMat, { transposeB: true }), [g.n, g.oh, g.ow, kh * kw, cin]);
  const dx = col2imSum(p, (k) => p.reshape(p.slice(dcols, [0, 0, 0, k, 0], [g.n, g.oh, g.ow, 1, cin]), [g.n, g.oh, g.ow, cin]), g);
  return { dx, dw, scaled };
}

/**
 * Gradient of average pooling (TensorFlow semantics: 'same' windows divide by their in-bounds count).
 * @example
 * ```ts
 * const dx = avgPool2dGrad(prot, dy, x.shape, [2, 2], [2, 2], 'valid');
 * ```
 */
export function avgPool2dGrad(p: Protocol, dy: TfeTensor, inputShape: readonly number[], pool: [number, number], strides: [number, number], padding: 'same' | 'valid'): TfeTensor {
  const g = windowGeometry(inputShape, pool, strides, padding);
  const counts = new Float64Array(g.oh * g.ow);
  for (let i = 0; i < g.oh; i++) for (let j = 0; j < g.ow; j++) {
    const y0 = i * g.sh - g.pt, x0 = j * g.sw - g.pl;
    counts[i * g.ow + j] = (Math.min(y0 + g.kh, g.h) - Math.max(y0, 0)) * (Math.min(x0 + g.kw, g.w) - Math.max(x0, 0));
  }
  const uniform = counts.every((v) => v === counts[0]);
  const scaled = uniform
    ? p.div(dy, counts[0])
    : p.mul(dy, p.defineConstant(counts.map((v) => 1 / v), { shape: [1, g.oh, g.ow, 1] }));
  return col2imSum(p, () => scaled, g);
}

/**
 * Gradient of max pooling from the one-hot argmax mask [n, oh, ow, ph·pw, c].
 * @example
 * ```ts
 * const dx = maxPool2dGrad(prot, dy, mask, x.shape, [2, 2], [2, 2], 'valid');
 * ```
 */
export function maxPool2dGrad(
  p: Protocol, dy: TfeTensor, mask: TfeTensor, inputShape: readonly number[], pool: [number, number], strides: [number, number], padding: 'same' | 'valid',
): TfeTensor {
  const g = windowGeometry(inputShape, pool, strides, padding);
  const routed = p.mul(mask, p.expandDims(dy, 3));
  return col2imSum(p, (k) => p.reshape(p.slice(routed, [0, 0, 0, k, 0], [g.n, g.oh, g.ow, 1, g.c]), [g.n, g.oh, g.ow, g.c]), g);
}
