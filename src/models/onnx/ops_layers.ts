/**
 * ONNX operators that run on a tfe Keras layer (its forward, backward and weights are reused):
 * Gemm and MatMul by an initializer (Dense), Conv (Conv2D), BatchNormalization, the pools and
 * the activations. ONNX is NCHW and the layers are NHWC, so the 4-D operators transpose on the
 * shares (a local reordering, no communication) on the way in and out.
 */
import {
  Activation, AveragePooling2D, BatchNormalization, Conv2D, Dense, GlobalAveragePooling2D, MaxPooling2D,
  type ActivationName, type BackwardOptions, type Layer,
} from '../../layers/index.js';
import type { Protocol } from '../../protocols/protocol.js';
import type { TfeTensor } from '../../protocols/tensor.js';
import { intsOf, normAxis, numAttr, unsupported, type NodeSpec, type OpImpl, type OpContext } from './op_types.js';

const toNhwc = (p: Protocol, x: TfeTensor): TfeTensor => p.transpose(x, [0, 2, 3, 1]);
const toNchw = (p: Protocol, x: TfeTensor): TfeTensor => p.transpose(x, [0, 3, 1, 2]);
const inner = (c: OpContext): Layer => c.inner!;

/** NCHW → NHWC, the layer, NHWC → NCHW. */
const nchwForward = (c: OpContext, x: TfeTensor): TfeTensor => toNchw(c.p, inner(c).call(toNhwc(c.p, x), { training: c.training, cache: true }));
/** The layer's backward, with the same change of layout. */
function nchwBackward(c: OpContext, dy: TfeTensor, opts: BackwardOptions): ReturnType<NonNullable<OpImpl['backward']>> {
  const r = inner(c).backward(toNhwc(c.p, dy), opts);
  return { dxs: [r.dx && toNchw(c.p, r.dx)], grads: r.grads };
}

/** A 4-D operator on a Keras layer (pools). */
function spatial(make: NonNullable<OpImpl['inner']>, shape: OpImpl['shape']): OpImpl {
  return { shape, inner: make, forward: (c, xs) => nchwForward(c, xs[0]!), backward: nchwBackward };
}

function window(spec: NodeSpec, s: number[], k: number[], pads = [0, 0, 0, 0]): number[] {
  const st = intsOf(spec, 'strides', -1) ?? [1, 1];
  const oh = Math.floor((s[2] + pads[0] + pads[2] - k[0]) / st[0]) + 1;
  const ow = Math.floor((s[3] + pads[1] + pads[3] - k[1]) / st[1]) + 1;
  if (oh <= 0 || ow <= 0) throw unsupported(spec, 'kernel_shape', `the window [${k}] does not fit the input [${s}]`);
  return [s[0], s[1], oh, ow];
}

function kernelOf(spec: NodeSpec, wShape?: number[]): number[] {
  const k = intsOf(spec, 'kernel_shape', -1) ?? wShape?.slice(2);
  if (!k || k.length !== 2) throw unsupported(spec, 'kernel_shape', `only 2-D windows are supported, found [${k}]`);
  return k;
}

function rank4(spec: NodeSpec, s: number[]): void {
  if (s.length !== 4) throw unsupported(spec, 'input', `expected an NCHW input of rank 4, found [${s}]`);
}

const conv: OpImpl = {
  shape: (spec, [x, w]) => { rank4(spec, x); return window(spec, x, kernelOf(spec, w), intsOf(spec, 'pads', -1)).map((d, i) => (i === 1 ? w[0] : d)); },
  inner: (spec, name) => {
    const [, c, h, w] = spec.inShapes[0];
    const ws = spec.inShapes[1];
    const pads = intsOf(spec, 'pads', -1) ?? [0, 0, 0, 0];
    if (spec.kinds[1] !== 'weight' || (spec.kinds[2] !== 'weight' && spec.kinds[2] !== 'none')) throw unsupported(spec, 'W/B', 'the weights must be initializers');
    const layer = new Conv2D({ name, filters: ws[0], kernelSize: kernelOf(spec, ws) as [number, number], strides: (intsOf(spec, 'strides', -1) ?? [1, 1]) as [number, number], padding: 'valid', useBias: spec.kinds[2] === 'weight' });
    const sources = [{ init: spec.inputs[1], transform: (p: Protocol, t: TfeTensor) => p.transpose(t, [2, 3, 1, 0]) }];
    if (spec.kinds[2] === 'weight') sources.push({ init: spec.inputs[2], transform: (_p: Protocol, t: TfeTensor) => t });
    return { layer, buildShape: [null, h + pads[0] + pads[2], w + pads[1] + pads[3], c], sources };
  },
  forward: (c, xs) => {
    const pads = intsOf(c.spec, 'pads', -1) ?? [0, 0, 0, 0];
    let x = toNhwc(c.p, xs[0]!);
    if (pads.some((v) => v !== 0)) x = c.p.pad(x, [[0, 0], [pads[0], pads[2]], [pads[1], pads[3]], [0, 0]]);
    return toNchw(c.p, inner(c).call(x, { training: c.training, cache: true }));
  },
  backward: (c, dy, opts) => {
    const r = inner(c).backward(toNhwc(c.p, dy), opts);
    if (!r.dx) return { dxs: [], grads: r.grads };
    const pads = intsOf(c.spec, 'pads', -1) ?? [0, 0, 0, 0];
    const [n, h, w, ch] = r.dx.shape;
    const dx = c.p.slice(r.dx, [0, pads[0], pads[1], 0], [n, h - pads[0] - pads[2], w - pads[1] - pads[3], ch]);
    return { dxs: [toNchw(c.p, dx)], grads: r.grads };
  },
};

const gemm: OpImpl = {
  shape: (spec, [a, b]) => {
    if (a.length !== 2) throw unsupported(spec, 'A', `expected a matrix, found shape [${a}]`);
    return [a[0], numAttr(spec, 'transB', 0) ? b[0] : b[1]];
  },
  inner: (spec, name) => {
    if (numAttr(spec, 'transA', 0)) throw unsupported(spec, 'transA', 'only 0 is supported (the batch is the first axis of A)');
    if (spec.kinds[1] !== 'weight' || !['weight', 'none'].includes(spec.kinds[2])) throw unsupported(spec, 'B/C', 'B and C must be initializers');
    const transB = numAttr(spec, 'transB', 0), alpha = numAttr(spec, 'alpha', 1), beta = numAttr(spec, 'beta', 1);
    const units = transB ? spec.inShapes[1][0] : spec.inShapes[1][1];
    const scale = (p: Protocol, t: TfeTensor, s: number): TfeTensor => (s === 1 ? t : p.mul(t, s));
    const sources = [{ init: spec.inputs[1], transform: (p: Protocol, t: TfeTensor) => scale(p, transB ? p.transpose(t, [1, 0]) : t, alpha) }];
    if (spec.kinds[2] === 'weight') {
      const cs = spec.inShapes[2];
      if (cs.reduce((x, y) => x * y, 1) !== units) throw unsupported(spec, 'C', `only a bias of ${units} values is supported, found shape [${cs}]`);
      sources.push({ init: spec.inputs[2], transform: (p, t) => scale(p, p.reshape(t, [units]), beta) });
    }
    return { layer: new Dense({ name, units, useBias: spec.kinds[2] === 'weight' }), buildShape: [null, spec.inShapes[0][1]], sources };
  },
  forward: (c, xs) => inner(c).call(xs[0]!, { training: c.training, cache: true }),
  backward: (c, dy, opts) => { const r = inner(c).backward(dy, opts); return { dxs: [r.dx], grads: r.grads }; },
};

/** MatMul by an initializer [K, M]: a bias-free Dense over the last axis. */
const matmulWeight: OpImpl = {
  shape: (spec, [a, b]) => {
    if (b.length !== 2 || a[a.length - 1] !== b[0]) throw unsupported(spec, 'B', `expected a [${a[a.length - 1]}, M] initializer, found [${b}]`);
    return [...a.slice(0, -1), b[1]];
  },
  inner: (spec, name) => ({
    layer: new Dense({ name, units: spec.inShapes[1][1], useBias: false }), buildShape: [null, spec.inShapes[1][0]],
    sources: [{ init: spec.inputs[1] }],
  }),
  forward: (c, xs) => {
    const x = xs[0]!, k = x.shape[x.rank - 1];
    const y = inner(c).call(c.p.reshape(x, [x.size / k, k]), { training: c.training, cache: true });
    c.cache.shape = x.shape;
    return c.p.reshape(y, [...x.shape.slice(0, -1), y.shape[1]]);
  },
  backward: (c, dy, opts) => {
    const m = dy.shape[dy.rank - 1];
    const r = inner(c).backward(c.p.reshape(dy, [dy.size / m, m]), opts);
    return { dxs: [r.dx && c.p.reshape(r.dx, [...(c.cache.shape as number[])])], grads: r.grads };
  },
};

const batchNorm: OpImpl = {
  shape: (_spec, [x]) => x,
  inner: (spec, name) => {
    if (spec.kinds.slice(1).some((k) => k !== 'weight')) throw unsupported(spec, 'scale/B/mean/var', 'must be initializers');
    const x = spec.inShapes[0];
    if (x.length !== 4 && x.length !== 2) throw unsupported(spec, 'input', `expected rank 2 or 4, found [${x}]`);
    const layer = new BatchNormalization({ name, epsilon: numAttr(spec, 'epsilon', 1e-5) });
    return { layer, buildShape: [null, ...(x.length === 4 ? [x[2], x[3], x[1]] : [x[1]])], sources: [1, 2, 3, 4].map((k) => ({ init: spec.inputs[k] })) };
  },
  forward: (c, xs) => (xs[0]!.rank === 4 ? nchwForward(c, xs[0]!) : inner(c).call(xs[0]!, { training: c.training, cache: true })),
  backward: (c, dy, opts) => {
    if (dy.rank === 4) return nchwBackward(c, dy, opts);
    const r = inner(c).backward(dy, opts);
    return { dxs: [r.dx], grads: r.grads };
  },
};

function pool(Cls: typeof AveragePooling2D | typeof MaxPooling2D): OpImpl {
  return spatial((spec, name) => {
    const [, c, h, w] = spec.inShapes[0];
    const layer = new Cls({ name, poolSize: kernelOf(spec) as [number, number], strides: (intsOf(spec, 'strides', -1) ?? [1, 1]) as [number, number], padding: 'valid' });
    return { layer, buildShape: [null, h, w, c], sources: [] };
  }, (spec, [x]) => { rank4(spec, x); return window(spec, x, kernelOf(spec)); });
}

const globalAvgPool: OpImpl = {
  shape: (spec, [x]) => { rank4(spec, x); return [x[0], x[1], 1, 1]; },
  inner: (spec, name) => ({ layer: new GlobalAveragePooling2D({ name }), buildShape: [null, spec.inShapes[0][2], spec.inShapes[0][3], spec.inShapes[0][1]], sources: [] }),
  forward: (c, xs) => {
    const y = inner(c).call(toNhwc(c.p, xs[0]!), { training: c.training, cache: true });
    return c.p.reshape(y, [...y.shape, 1, 1]);
  },
  backward: (c, dy, opts) => {
    const r = inner(c).backward(c.p.reshape(dy, dy.shape.slice(0, 2)), opts);
    return { dxs: [r.dx && toNchw(c.p, r.dx)], grads: [] };
  },
};

function activation(name: ActivationName): OpImpl {
  return {
    shape: (spec, [x]) => {
      if (name === 'softmax') {
        const axis = normAxis(numAttr(spec, 'axis', -1), x.length);
        if (axis !== x.length - 1) throw unsupported(spec, 'axis', `only the last axis (${x.length - 1}) is supported, found ${axis}`);
      }
      return x;
    },
    inner: (spec, layerName) => ({ layer: new Activation({ name: layerName, activation: name }), buildShape: [null, ...spec.inShapes[0].slice(1)], sources: [] }),
    forward: (c, xs) => inner(c).call(xs[0]!, { training: c.training, cache: true }),
    backward: (c, dy, opts) => { const r = inner(c).backward(dy, opts); return { dxs: [r.dx], grads: [] }; },
  };
}

/**
 * The operators backed by Keras layers.
 * @example
 * ```ts
 * LAYER_OPS.Conv.inner!(spec, 'conv_1').layer; // a Conv2D
 * ```
 */
export const LAYER_OPS: Record<string, OpImpl> = {
  Conv: conv, Gemm: gemm, BatchNormalization: batchNorm,
  MaxPool: pool(MaxPooling2D), AveragePool: pool(AveragePooling2D), GlobalAveragePool: globalAvgPool,
  Relu: activation('relu'), Sigmoid: activation('sigmoid'), Tanh: activation('tanh'), Softmax: activation('softmax'),
};

/**
 * MatMul whose right operand is an initializer (a Dense without bias).
 * @example
 * ```ts
 * const impl = spec.kinds[1] === 'weight' ? MATMUL_WEIGHT : TENSOR_OPS.MatMul;
 * ```
 */
export const MATMUL_WEIGHT = matmulWeight;
