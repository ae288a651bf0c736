/**
 * Window kernels: `Im2Col`, its adjoint `Col2Im`, and `Conv2D` = im2col followed by a matmul
 * with w as [kh·kw·C, F] (which is how the contract defines it).
 */
import type { KernelBackend } from '../backend.js';
import type { Col2ImAttrs, Conv2DAttrs, Im2ColAttrs } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import { matMulRef } from './matmul.js';
import type { RefKernel } from './reference_backend.js';
import { modulusOf, output } from './util.js';
import { axisGeometry } from './window.js';

/**
 * Calls `visit(row, col, src)` for every (window row, window column, input flat index) of the
 * im2col matrix of an NHWC input, skipping positions over the padding.
 */
function eachWindowElement(inputShape: readonly number[], attrs: Im2ColAttrs,
  visit: (row: number, col: number, src: number) => void): [number, number] {
  const [N, H, W, C] = inputShape;
  const [kh, kw] = attrs.kernelSize;
  const gy = axisGeometry(H, kh, attrs.strides[0], attrs.padding);
  const gx = axisGeometry(W, kw, attrs.strides[1], attrs.padding);
  const cols = kh * kw * C;
  for (let n = 0; n < N; n++) for (let i = 0; i < gy.out; i++) for (let j = 0; j < gx.out; j++) {
    const row = (n * gy.out + i) * gx.out + j;
    for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) {
      const y = i * attrs.strides[0] + dy - gy.padBefore;
      const x = j * attrs.strides[1] + dx - gx.padBefore;
      if (y < 0 || y >= H || x < 0 || x >= W) continue;
      for (let c = 0; c < C; c++) visit(row, (dy * kw + dx) * C + c, ((n * H + y) * W + x) * C + c);
    }
  }
  return [N * gy.out * gx.out, cols];
}

function im2col(x: RingTensor, attrs: Im2ColAttrs, be: KernelBackend): RingTensor {
  const v = x.values();
  const [rows, cols] = eachWindowElement(x.shape, attrs, () => undefined);
  const out = x.dtype === 'u64' ? new BigUint64Array(rows * cols) : new Uint8Array(rows * cols);
  eachWindowElement(x.shape, attrs, (r, c, src) => { out[r * cols + c] = v[src]; });
  return output(be, [rows, cols], x.ring, out);
}

function col2im(y: RingTensor, attrs: Col2ImAttrs, be: KernelBackend): RingTensor {
  const v = y.values();
  const size = attrs.inputShape.reduce((a, b) => a * b, 1);
  const sums = new Array<bigint>(size).fill(0n);
  const cols = y.shape[1];
  eachWindowElement(attrs.inputShape, attrs, (r, c, dst) => { sums[dst] += BigInt(v[r * cols + c]); });
  const m = modulusOf(y.ring);
  const out = y.dtype === 'u64' ? BigUint64Array.from(sums, (s) => s % m) : Uint8Array.from(sums, (s) => Number(s % m));
  return output(be, attrs.inputShape, y.ring, out);
}

function conv2d(x: RingTensor, w: RingTensor, attrs: Conv2DAttrs, be: KernelBackend): RingTensor {
  const [kh, kw, C, F] = w.shape;
  const cols = im2col(x, { kernelSize: [kh, kw], strides: attrs.strides, padding: attrs.padding }, be);
  const w2 = output(be, [kh * kw * C, F], w.ring, w.values());
  const y = matMulRef(cols, w2, { transposeA: false, transposeB: false }, be);
  const oh = axisGeometry(x.shape[1], kh, attrs.strides[0], attrs.padding).out;
  const ow = axisGeometry(x.shape[2], kw, attrs.strides[1], attrs.padding).out;
  return output(be, [x.shape[0], oh, ow, F], y.ring, y.values());
}

/** The window reference kernels. @example `convKernels.map((k) => k.kernelName)` */
export const convKernels: RefKernel[] = [
  { kernelName: 'Im2Col', kernelFunc: ([x], attrs: Im2ColAttrs, be) => im2col(x, attrs, be) },
  { kernelName: 'Col2Im', kernelFunc: ([y], attrs: Col2ImAttrs, be) => col2im(y, attrs, be) },
  { kernelName: 'Conv2D', kernelFunc: ([x, w], attrs: Conv2DAttrs, be) => conv2d(x, w, attrs, be) },
];
