/**
 * ONNX operators written directly on protocol ops (no Keras layer fits them): elementwise
 * Add/Sub/Mul with broadcasting, MatMul of two computed tensors, the shape operators (a reshape
 * or transpose of the shares, no communication), Concat, Pad, Clip as ReLU6 and LogSoftmax.
 * Axis 0 is the batch everywhere: an operator that would move or mix it is refused.
 */
import { ValueError } from '../../errors.js';
import { activationBackward, forwardActivation, type ActivationCache } from '../../layers/activations.js';
import { log, softmaxParts } from '../../protocols/generic/index.js';
import type { Protocol } from '../../protocols/protocol.js';
import type { TfeTensor } from '../../protocols/tensor.js';
import { intsOf, normAxis, numAttr, unsupported, type NodeSpec, type OpImpl } from './op_types.js';

const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

function broadcast(spec: NodeSpec, a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => {
    const x = a[i - r + a.length] ?? 1, y = b[i - r + b.length] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw unsupported(spec, 'inputs', `shapes [${a}] and [${b}] do not broadcast`);
    return Math.max(x, y);
  });
}

/** Sums `g` over the axes that broadcasting added to a tensor of shape `to`. */
function unbroadcast(p: Protocol, g: TfeTensor, to: readonly number[]): TfeTensor {
  const lead = g.rank - to.length;
  const axes = g.shape.map((d, i) => i).filter((i) => i < lead || (to[i - lead] === 1 && g.shape[i] !== 1));
  return axes.length === 0 ? g : p.reshape(p.reduceSum(g, axes, true), [...to]);
}

function elementwise(kind: 'Add' | 'Sub' | 'Mul'): OpImpl {
  return {
    shape: (spec, [a, b]) => broadcast(spec, a, b),
    forward: (c, [a, b]) => {
      c.cache.a = a; c.cache.b = b;
      return kind === 'Add' ? c.p.add(a!, b!) : kind === 'Sub' ? c.p.sub(a!, b!) : c.p.mul(a!, b!);
    },
    backward: (c, dy) => {
      const a = c.cache.a as TfeTensor, b = c.cache.b as TfeTensor;
      const ga = kind === 'Mul' ? c.p.mul(dy, b) : dy;
      const gb = kind === 'Mul' ? c.p.mul(dy, a) : kind === 'Sub' ? c.p.neg(dy) : dy;
      const want = (k: number): boolean => c.spec.kinds[k] !== 'const';
      return { dxs: [want(0) ? unbroadcast(c.p, ga, a.shape) : undefined, want(1) ? unbroadcast(c.p, gb, b.shape) : undefined], grads: [] };
    },
  };
}

/** MatMul of a computed tensor by a computed or constant matrix (rank 2). */
const matmul: OpImpl = {
  shape: (spec, [a, b]) => {
    if (a.length !== 2 || b.length !== 2 || a[1] !== b[0]) throw unsupported(spec, 'inputs', `only [n, k]·[k, m] is supported between computed tensors, found [${a}]·[${b}]`);
    return [a[0], b[1]];
  },
  forward: (c, [a, b]) => { c.cache.a = a; c.cache.b = b; return c.p.matmul(a!, b!); },
  backward: (c, dy) => {
    const a = c.cache.a as TfeTensor, b = c.cache.b as TfeTensor;
    return { dxs: [c.p.matmul(dy, b, { transposeB: true }), c.spec.kinds[1] === 'const' ? undefined : c.p.matmul(a, dy, { transposeA: true })], grads: [] };
  },
};

/** An operator that only changes the shape: forward reshapes to `shape`, backward back. */
function reshaping(shape: OpImpl['shape']): OpImpl {
  return {
    shape,
    forward: (c, [x]) => { c.cache.shape = x!.shape; return c.p.reshape(x!, shape(c.spec, [[...x!.shape]])); },
    backward: (c, dy) => ({ dxs: [c.p.reshape(dy, [...(c.cache.shape as number[])])], grads: [] }),
  };
}

function flattenShape(spec: NodeSpec, [x]: number[][]): number[] {
  const axis = normAxis(numAttr(spec, 'axis', 1), x.length);
  if (axis === 0) throw unsupported(spec, 'axis', 'axis 0 would merge the batch into one row; only axis ≥ 1 is supported');
  return [size(x.slice(0, axis)), size(x.slice(axis))];
}

function reshapeShape(spec: NodeSpec, [x]: number[][]): number[] {
  const t = intsOf(spec, 'shape', 1);
  if (!t) throw unsupported(spec, 'shape', 'the target shape must be a constant');
  const out = t.map((d, i) => (d === 0 ? x[i] : d));
  const known = size(out.filter((d) => d !== -1));
  const r = out.map((d) => (d === -1 ? size(x) / known : d));
  if (size(r) !== size(x) || r.some((d) => !Number.isInteger(d) || d <= 0)) throw new ValueError(`ONNX node \`${spec.name}\` (Reshape): cannot reshape [${x}] to [${t}]`);
  return r;
}

function squeezeShape(spec: NodeSpec, [x]: number[][]): number[] {
  const axes = (intsOf(spec, 'axes', 1) ?? x.map((d, i) => (d === 1 && i > 0 ? i : -99)).filter((i) => i !== -99)).map((a) => normAxis(a, x.length));
  if (axes.includes(0)) throw unsupported(spec, 'axes', 'axis 0 is the batch and cannot be squeezed');
  for (const a of axes) if (x[a] !== 1) throw unsupported(spec, 'axes', `axis ${a} has size ${x[a]}, not 1`);
  return x.filter((_, i) => !axes.includes(i));
}

function unsqueezeShape(spec: NodeSpec, [x]: number[][]): number[] {
  const axes = intsOf(spec, 'axes', 1);
  if (!axes) throw unsupported(spec, 'axes', 'the axes must be given');
  const r = x.length + axes.length;
  const norm = axes.map((a) => normAxis(a, r));
  if (norm.includes(0)) throw unsupported(spec, 'axes', 'axis 0 is the batch; nothing can be inserted before it');
  const out: number[] = [];
  for (let i = 0, k = 0; i < r; i++) out.push(norm.includes(i) ? 1 : x[k++]);
  return out;
}

const identity = reshaping((_s, [x]) => x);

const transpose: OpImpl = {
  shape: (spec, [x]) => {
    const perm = intsOf(spec, 'perm', -1) ?? x.map((_, i) => x.length - 1 - i);
    if (perm[0] !== 0) throw unsupported(spec, 'perm', `axis 0 is the batch and must stay first, found [${perm}]`);
    return perm.map((i) => x[i]);
  },
  forward: (c, [x]) => c.p.transpose(x!, intsOf(c.spec, 'perm', -1)),
  backward: (c, dy) => {
    const perm = intsOf(c.spec, 'perm', -1)!;
    const inv = perm.map((_, i) => perm.indexOf(i));
    return { dxs: [c.p.transpose(dy, inv)], grads: [] };
  },
};

const concat: OpImpl = {
  shape: (spec, xs) => {
    const axis = normAxis(numAttr(spec, 'axis', 0), xs[0].length);
    if (axis === 0) throw unsupported(spec, 'axis', 'axis 0 is the batch; only concatenation along other axes is supported');
    return xs[0].map((d, i) => (i === axis ? xs.reduce((a, s) => a + s[axis], 0) : d));
  },
  forward: (c, xs) => { c.cache.sizes = xs.map((x) => x!.shape[normAxis(numAttr(c.spec, 'axis', 0), x!.rank)]); return c.p.concat(xs as TfeTensor[], normAxis(numAttr(c.spec, 'axis', 0), xs[0]!.rank)); },
  backward: (c, dy) => {
    const axis = normAxis(numAttr(c.spec, 'axis', 0), dy.rank);
    const parts = c.p.split(dy, c.cache.sizes as number[], axis);
    return { dxs: parts.map((g, k) => (c.spec.kinds[k] === 'const' ? undefined : g)), grads: [] };
  },
};

function padsOf(spec: NodeSpec, r: number): [number, number][] {
  const pads = intsOf(spec, 'pads', 1);
  if (!pads || pads.length !== 2 * r) throw unsupported(spec, 'pads', `expected ${2 * r} constant pads, found ${pads ? pads.length : 'none'}`);
  const v = spec.inputs[2] ? spec.consts[spec.inputs[2]]?.values[0] ?? NaN : 0;
  if (v !== 0) throw unsupported(spec, 'constant_value', 'only padding with 0 is supported');
  if (pads[0] !== 0 || pads[r] !== 0) throw unsupported(spec, 'pads', 'axis 0 is the batch and cannot be padded');
  return Array.from({ length: r }, (_, i) => [pads[i], pads[i + r]] as [number, number]);
}

const pad: OpImpl = {
  shape: (spec, [x]) => padsOf(spec, x.length).map(([a, b], i) => x[i] + a + b),
  forward: (c, [x]) => { const pp = padsOf(c.spec, x!.rank); return pp.every(([a, b]) => a === 0 && b === 0) ? x! : c.p.pad(x!, pp); },
  backward: (c, dy) => {
    const pp = padsOf(c.spec, dy.rank);
    return { dxs: [c.p.slice(dy, pp.map(([a]) => a), dy.shape.map((d, i) => d - pp[i][0] - pp[i][1]))], grads: [] };
  },
};

/** Clip(x, 0, 6) = relu(x) − relu(x − 6), with the relu of the protocol (exact where it has comparison). */
const clip: OpImpl = {
  shape: (spec, [x]) => {
    const bound = (k: number, attr: string): number | undefined => (typeof spec.attrs[attr] === 'number' ? spec.attrs[attr] as number : spec.consts[spec.inputs[k]]?.values[0]);
    const lo = bound(1, 'min'), hi = bound(2, 'max');
    if (lo !== 0 || hi !== 6) throw unsupported(spec, 'min/max', `Clip is supported as ReLU6 (min 0, max 6), found min ${lo}, max ${hi}`);
    return x;
  },
  forward: (c, [x]) => {
    const a = forwardActivation(c.p, 'relu', x!, c.training), b = forwardActivation(c.p, 'relu', c.p.sub(x!, 6), c.training);
    c.cache.a = a; c.cache.b = b;
    return c.p.sub(a.y, b.y);
  },
  backward: (c, dy) => {
    const g = (k: 'a' | 'b'): TfeTensor => activationBackward(c.p, 'relu', c.cache[k] as ActivationCache, dy, c.spec.name);
    return { dxs: [c.p.sub(g('a'), g('b'))], grads: [] };
  },
};

/** LogSoftmax over the last axis: x − max − log Σ exp(x − max) (exact max needed: SecureNN, ABY3). */
const logSoftmax: OpImpl = {
  needsExact: 'LogSoftmax subtracts the exact maximum before the logarithm',
  shape: (spec, [x]) => {
    const axis = normAxis(numAttr(spec, 'axis', -1), x.length);
    if (axis !== x.length - 1) throw unsupported(spec, 'axis', `only the last axis (${x.length - 1}) is supported, found ${axis}`);
    return x;
  },
  forward: (c, [x]) => {
    const parts = softmaxParts(c.p, x!);
    c.cache.probs = parts.probs;
    return c.p.sub(c.p.sub(x!, parts.shift), log(c.p, parts.sum, parts.sumInterval));
  },
  backward: (c, dy) => ({ dxs: [c.p.sub(dy, c.p.mul(c.cache.probs as TfeTensor, c.p.reduceSum(dy, dy.rank - 1, true)))], grads: [] }),
};

/**
 * The operators written on protocol ops.
 * @example
 * ```ts
 * TENSOR_OPS.Flatten.shape(spec, [[1, 4, 2, 2]]); // [1, 16]
 * ```
 */
export const TENSOR_OPS: Record<string, OpImpl> = {
  Add: elementwise('Add'), Sub: elementwise('Sub'), Mul: elementwise('Mul'), MatMul: matmul,
  Flatten: reshaping(flattenShape), Reshape: reshaping(reshapeShape), Squeeze: reshaping(squeezeShape), Unsqueeze: reshaping(unsqueezeShape),
  Identity: identity, Dropout: identity, Cast: identity,
  Transpose: transpose, Concat: concat, Pad: pad, Clip: clip, LogSoftmax: logSoftmax,
};
