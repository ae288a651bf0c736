/**
 * Checks an ONNX graph against the operators and attributes tfe-js can run, before any share is
 * sent. Every refusal is a `NotImplementedError` naming the node, the operator and the attribute.
 */
import { NotImplementedError, ValueError } from '../../errors.js';
import type { OnnxGraph, OnnxNode } from './parse.js';

/** Attribute rule: `true` = any value; a function returns an error text for a value it refuses. */
type Rule = true | ((v: unknown, n: OnnxNode) => string | null);

const ones = (v: unknown): string | null => (Array.isArray(v) && v.every((x) => x === 1) ? null : `only 1 is supported, found [${v}]`);
const zero = (v: unknown): string | null => (v === 0 ? null : `only 0 is supported, found ${v}`);
const one = (v: unknown): string | null => (v === 1 ? null : `only 1 is supported, found ${v}`);
const zeros = (v: unknown): string | null => (Array.isArray(v) && v.every((x) => x === 0) ? null : `only zero padding is supported, found [${v}]`);
const constantMode = (v: unknown): string | null => (v === 'constant' ? null : `only mode 'constant' is supported, found '${v}'`);
const toFloat = (v: unknown): string | null => (v === 1 ? null : `only casts to float (1) are supported, found ${v}`);
const notSet = (v: unknown): string | null => (v === 'NOTSET' || v === '' ? null : `only NOTSET with explicit pads is supported, found ${v}`);

/** Supported operators (default domain) and the attributes each accepts. */
export const SUPPORTED_OPS: Record<string, Record<string, Rule>> = {
  Gemm: { alpha: true, beta: true, transA: true, transB: true },
  MatMul: {}, Add: {}, Sub: {}, Mul: {},
  Conv: { pads: true, strides: true, kernel_shape: true, dilations: ones, group: one, auto_pad: notSet },
  BatchNormalization: { epsilon: true, momentum: true, training_mode: zero, spatial: one },
  Relu: {}, Sigmoid: {}, Tanh: {},
  Softmax: { axis: true }, LogSoftmax: { axis: true },
  MaxPool: { kernel_shape: true, pads: zeros, strides: true, dilations: ones, ceil_mode: zero, storage_order: zero, auto_pad: notSet },
  AveragePool: { kernel_shape: true, pads: zeros, strides: true, ceil_mode: zero, count_include_pad: true, auto_pad: notSet },
  GlobalAveragePool: {}, Flatten: { axis: true }, Reshape: { allowzero: zero },
  Transpose: { perm: true }, Squeeze: { axes: true }, Unsqueeze: { axes: true }, Concat: { axis: true },
  Identity: {}, Dropout: { seed: true, ratio: true }, Constant: { value: true }, Clip: { min: true, max: true },
  Pad: { mode: constantMode }, Cast: { to: toFloat },
};

/** The ONNX opsets the import is written for. */
export const OPSET_RANGE = [11, 18] as const;

/**
 * Throws `NotImplementedError` for the first unsupported operator, attribute or opset, and
 * `ValueError` for a graph that is not well formed. Pure: reads only the graph structure.
 * @example
 * ```ts
 * checkOnnxGraph(parseOnnx(bytes).graph); // throws before any share is sent
 * ```
 */
export function checkOnnxGraph(g: OnnxGraph): void {
  if (g.opset < OPSET_RANGE[0] || g.opset > OPSET_RANGE[1]) {
    throw new NotImplementedError(`ONNX model: expected opset ${OPSET_RANGE[0]}–${OPSET_RANGE[1]}, found ${g.opset}`);
  }
  if (g.inputs.length !== 1) throw new NotImplementedError(`ONNX model: expected one graph input, found ${g.inputs.length} (${g.inputs.map((i) => i.name).join(', ')})`);
  const known = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.map((i) => i.name), ...g.constants.keys(), '']);
  for (const n of g.nodes) {
    const rules = (n.domain === '' || n.domain === 'ai.onnx') ? SUPPORTED_OPS[n.opType] : undefined;
    if (!rules) throw new NotImplementedError(`ONNX node \`${n.name}\`: operator ${n.domain ? n.domain + '.' : ''}${n.opType} is not supported (supported: ${Object.keys(SUPPORTED_OPS).join(', ')})`);
    for (const [attr, v] of Object.entries(n.attrs)) {
      const rule = rules[attr];
      if (rule === undefined) throw new NotImplementedError(`ONNX node \`${n.name}\` (${n.opType}): attribute \`${attr}\` is not supported`);
      const why = rule === true ? null : rule(v, n);
      if (why) throw new NotImplementedError(`ONNX node \`${n.name}\` (${n.opType}): attribute \`${attr}\`: ${why}`);
    }
    if (n.opType === 'Clip') checkClip(n, g);
    for (const i of n.inputs) if (!known.has(i)) throw new ValueError(`ONNX node \`${n.name}\` (${n.opType}): input \`${i}\` is produced by no earlier node, initializer or graph input`);
    for (const o of n.outputs) known.add(o);
  }
  for (const o of g.outputs) if (!known.has(o.name)) throw new ValueError(`ONNX model: graph output \`${o.name}\` is produced by no node`);
}

/** Clip is supported only as ReLU6 (min 0, max 6) with constant bounds. */
function checkClip(n: OnnxNode, g: OnnxGraph): void {
  const consts = new Set([...g.constants.keys(), ...g.nodes.filter((m) => m.opType === 'Constant' || m.opType === 'Cast').flatMap((m) => m.outputs)]);
  for (const b of n.inputs.slice(1)) {
    if (b !== '' && !consts.has(b)) {
      throw new NotImplementedError(`ONNX node \`${n.name}\` (Clip): attribute \`min/max\` must be constants, found the computed tensor \`${b}\``);
    }
  }
}
