/**
 * Shape-inference rules for linear-algebra, window and data-movement kernels.
 * @internal
 */
import { ValueError } from '../../errors.js';
import { axisGeometry } from '../reference/window.js';
import type { Rule } from './infer_elementwise.js';
import {
  broadcastOrThrow, checkAxis, checkBool, checkIntArray, checkOneOf, checkRank, checkRing,
  checkSameRing, checkShape, fmtShape, isU64, sizeOf, type TensorInfo,
} from './validate.js';


const matMulRule: Rule = ([a, b], attrs) => {
  const ring = checkSameRing([['a', a], ['b', b]]);
  const [ta, tb] = [checkBool('transposeA', attrs.transposeA), checkBool('transposeB', attrs.transposeB)];
  for (const [name, t] of [['a', a], ['b', b]] as const) {
    if (t.shape.length < 2) throw new ValueError(`\`${name}\` must have rank ≥ 2 for a matmul, got shape ${fmtShape(t.shape)}`);
  }
  const [ra, rb] = [a.shape.length, b.shape.length];
  const [M, K] = ta ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const [K2, N] = tb ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
  if (K !== K2) {
    const [bWhat, aWhat] = [tb ? 'columns (transposeB)' : 'rows', ta ? 'rows (transposeA)' : 'columns'];
    throw new ValueError(`\`b\` must have ${K} ${bWhat} to match \`a\`'s ${K} ${aWhat}, got shape ${fmtShape(b.shape)}`);
  }
  const batch = broadcastOrThrow('a batch dims', a.shape.slice(0, -2), 'b batch dims', b.shape.slice(0, -2));
  return { shape: [...batch, M, N], ring };
};

/** Validates window attributes and returns [oh, ow] for an NHWC input shape. */
function windowOut(name: string, x: readonly number[], kernelSize: [number, number], attrs: any): [number, number] {
  const strides = checkIntArray('strides', attrs.strides, 2, 1);
  const padding = checkOneOf('padding', attrs.padding, ['same', 'valid'] as const);
  const gy = axisGeometry(x[1], kernelSize[0], strides[0], padding);
  const gx = axisGeometry(x[2], kernelSize[1], strides[1], padding);
  if (gy.out < 0 || gx.out < 0 || (padding === 'valid' && (kernelSize[0] > x[1] || kernelSize[1] > x[2]))) {
    throw new ValueError(`window ${fmtShape(kernelSize)} is larger than \`${name}\`'s spatial size ${fmtShape(x.slice(1, 3))} with 'valid' padding`);
  }
  return [gy.out, gx.out];
}

const conv2dRule: Rule = ([x, w], attrs) => {
  checkRing('x', x, isU64, 'u64');
  checkSameRing([['x', x], ['w', w]]);
  checkRank('x', x, 4, ' (NHWC)');
  checkRank('w', w, 4, ' (HWIO: [kh, kw, inChannels, filters])');
  if (w.shape[2] !== x.shape[3]) {
    throw new ValueError(`\`w\` must have ${x.shape[3]} input channels (axis 2) to match \`x\`'s channels, got shape ${fmtShape(w.shape)}`);
  }
  const [oh, ow] = windowOut('x', x.shape, [w.shape[0], w.shape[1]], attrs);
  return { shape: [x.shape[0], oh, ow, w.shape[3]], ring: x.ring };
};

const im2colRule: Rule = ([x], attrs) => {
  checkRank('x', x, 4, ' (NHWC)');
  const [kh, kw] = checkIntArray('kernelSize', attrs.kernelSize, 2, 1);
  const [oh, ow] = windowOut('x', x.shape, [kh, kw], attrs);
  return { shape: [x.shape[0] * oh * ow, kh * kw * x.shape[3]], ring: x.ring };
};

const col2imRule: Rule = ([cols], attrs) => {
  const inputShape = checkIntArray('inputShape', attrs.inputShape, 4, 0);
  const expected = im2colRule([{ shape: inputShape, ring: cols.ring }], attrs).shape;
  if (cols.shape.length !== 2 || cols.shape[0] !== expected[0] || cols.shape[1] !== expected[1]) {
    throw new ValueError(`\`cols\` must have shape ${fmtShape(expected)} (im2col of \`inputShape\` ${fmtShape(inputShape)}), got ${fmtShape(cols.shape)}`);
  }
  return { shape: inputShape, ring: cols.ring };
};

const sliceRule: Rule = ([x], attrs) => {
  const r = x.shape.length;
  const begin = checkIntArray('begin', attrs.begin, r, 0);
  const sz = checkIntArray('size', attrs.size, r, 0);
  const strides = checkIntArray('strides', attrs.strides, r, 1);
  for (let d = 0; d < r; d++) {
    const last = begin[d] + (sz[d] - 1) * strides[d];
    if (begin[d] > x.shape[d] || (sz[d] > 0 && last >= x.shape[d])) {
      throw new ValueError(`slice of \`x\` ${fmtShape(x.shape)} reads out of bounds on axis ${d}: \`begin\` ${begin[d]}, \`size\` ${sz[d]}, \`strides\` ${strides[d]} (last index ${last})`);
    }
  }
  return { shape: sz, ring: x.ring };
};

const concatRule: Rule = (xs, attrs) => {
  if (xs.length === 0) throw new ValueError('`xs` must hold at least one tensor, got none');
  const ring = checkSameRing(xs.map((t, i) => [`xs[${i}]`, t] as [string, TensorInfo]));
  const axis = checkAxis('axis', attrs.axis, xs[0].shape.length, 'xs[0]');
  xs.forEach((t, i) => {
    const ok = t.shape.length === xs[0].shape.length && t.shape.every((n, d) => d === axis || n === xs[0].shape[d]);
    if (!ok) throw new ValueError(`\`xs[${i}]\` must match \`xs[0]\` ${fmtShape(xs[0].shape)} on every axis but ${axis}, got ${fmtShape(t.shape)}`);
  });
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((a, t) => a + t.shape[axis], 0);
  return { shape, ring };
};

const reduceSumRule: Rule = ([x], attrs) => {
  const axes = checkIntArray('axes', attrs.axes);
  axes.forEach((a) => checkAxis('axes', a, x.shape.length));
  if (new Set(axes).size !== axes.length) throw new ValueError(`\`axes\` must not repeat an axis, got [${axes.join(',')}]`);
  const keep = checkBool('keepDims', attrs.keepDims);
  const shape = keep ? x.shape.map((n, d) => (axes.includes(d) ? 1 : n)) : x.shape.filter((_, d) => !axes.includes(d));
  return { shape, ring: x.ring };
};

/** Rules of the layout kernels, by kernel name. @example `LAYOUT_RULES.Transpose([x], { perm: [1, 0] })` */
export const LAYOUT_RULES: Record<string, Rule> = {
  MatMul: matMulRule,
  Conv2D: conv2dRule,
  Im2Col: im2colRule,
  Col2Im: col2imRule,
  Slice: sliceRule,
  Concat: concatRule,
  ReduceSum: reduceSumRule,
  Transpose: ([x], attrs) => {
    const perm = checkIntArray('perm', attrs.perm, x.shape.length);
    if (!perm.every((p) => p < perm.length) || new Set(perm).size !== perm.length) {
      throw new ValueError(`\`perm\` must be a permutation of [0, ${perm.length}) for \`x\` of shape ${fmtShape(x.shape)}, got [${perm.join(',')}]`);
    }
    return { shape: perm.map((p) => x.shape[p]), ring: x.ring };
  },
  Reshape: ([x], attrs) => {
    const shape = checkShape('shape', attrs.shape);
    if (sizeOf(shape) !== sizeOf(x.shape)) {
      throw new ValueError(`\`shape\` ${fmtShape(shape)} must have ${sizeOf(x.shape)} elements like \`x\` ${fmtShape(x.shape)}, got ${sizeOf(shape)}`);
    }
    return { shape, ring: x.ring };
  },
  Pad: ([x], attrs) => {
    const p = attrs.paddings;
    if (!Array.isArray(p) || p.length !== x.shape.length) {
      throw new ValueError(`\`paddings\` must hold one [before, after] pair per axis of \`x\` (${x.shape.length}), got ${Array.isArray(p) ? p.length : typeof p}`);
    }
    p.forEach((pair, d) => checkIntArray(`paddings[${d}]`, pair, 2, 0));
    return { shape: x.shape.map((n, d) => p[d][0] + n + p[d][1]), ring: x.ring };
  },
  Gather: ([x], attrs) => {
    const axis = checkAxis('axis', attrs.axis, x.shape.length);
    const idx = checkIntArray('indices', attrs.indices);
    const bad = idx.findIndex((i) => i >= x.shape[axis]);
    if (bad >= 0) throw new ValueError(`\`indices\`[${bad}] must be in [0, ${x.shape[axis]}) (axis ${axis} of \`x\` ${fmtShape(x.shape)}), got ${idx[bad]}`);
    return { shape: x.shape.map((n, d) => (d === axis ? idx.length : n)), ring: x.ring };
  },
  Tile: ([x], attrs) => {
    const reps = checkIntArray('reps', attrs.reps, x.shape.length);
    return { shape: x.shape.map((n, d) => n * reps[d]), ring: x.ring };
  },
  CumSum: ([x], attrs) => {
    checkAxis('axis', attrs.axis, x.shape.length);
    checkBool('exclusive', attrs.exclusive);
    checkBool('reverse', attrs.reverse);
    return { shape: [...x.shape], ring: x.ring };
  },
};

