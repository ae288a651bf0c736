/**
 * The types shared by the ONNX operator table and the node layer: a node's serialisable
 * description ({@link NodeSpec}) and one operator's implementation ({@link OpImpl}).
 */
import { NotImplementedError } from '../../errors.js';
import type { BackwardOptions, Layer, Shape } from '../../layers/index.js';
import type { Protocol } from '../../protocols/protocol.js';
import type { TfeTensor } from '../../protocols/tensor.js';
import type { OnnxAttr } from './parse.js';

/**
 * How a node input is fed: a computed private tensor (`value`), a public constant (`const`), a
 * private initializer shared by the owner (`weight`), or an omitted optional input (`none`).
 * @example
 * ```ts
 * const k: InputKind = 'weight';
 * ```
 */
export type InputKind = 'value' | 'const' | 'weight' | 'none';

/**
 * One ONNX node as the driver knows it (JSON-safe: checkpoints store it). Shapes are batch
 * first, with batch size 1 at import time.
 * @example
 * ```ts
 * const spec: NodeSpec = { name: 'fc', opType: 'Gemm', inputs: ['x', 'W', 'B'], outputs: ['y'], attrs: { transB: 1 }, kinds: ['value', 'weight', 'weight'], consts: {}, inShapes: [[1, 4], [3, 4], [3]], outShape: [1, 3] };
 * ```
 */
export interface NodeSpec {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, OnnxAttr>;
  kinds: InputKind[];
  /** Values of the `const` inputs, by input name. */
  consts: Record<string, { shape: number[]; values: number[] }>;
  inShapes: number[][];
  outShape: number[];
}

/**
 * A weight of the node: the ONNX initializer it comes from and the change of layout from ONNX
 * to the tfe layer's (done on the shares: transposes and public scalings only).
 * @example
 * ```ts
 * const src: WeightSource = { init: 'conv.weight', transform: (p, w) => p.transpose(w, [2, 3, 1, 0]) };
 * ```
 */
export interface WeightSource { init: string; transform?: (p: Protocol, w: TfeTensor) => TfeTensor }

/**
 * What an operator sees when it runs: the protocol, its node, the wrapped Keras layer (if any),
 * the node's own weights (initializer inputs not absorbed by a layer) and a per-node cache.
 * @example
 * ```ts
 * const y = impl.forward(ctx, xs);
 * ```
 */
export interface OpContext {
  p: Protocol;
  spec: NodeSpec;
  inner?: Layer;
  training: boolean;
  cache: Record<string, unknown>;
}

/**
 * One operator: output shape, the Keras layer it maps onto (reusing its forward, backward and
 * weights), forward on private tensors and backward (input gradients by position).
 * @example
 * ```ts
 * const impl = OPS.Relu; impl.shape(spec, [[1, 4]]); // [1, 4]
 * ```
 */
export interface OpImpl {
  shape(spec: NodeSpec, inShapes: number[][]): number[];
  /** The Keras layer this node runs, its build shape (batch first) and its weights' sources in the layer's order. */
  inner?(spec: NodeSpec, name: string): { layer: Layer; buildShape: Shape; sources: WeightSource[] };
  /** `xs[k]` is the k-th input: private for `value`/`weight`, a public tensor for `const`, undefined for `none`. */
  forward(c: OpContext, xs: (TfeTensor | undefined)[]): TfeTensor;
  /** Input gradients by position (undefined where not needed) and the inner layer's weight gradients. */
  backward?(c: OpContext, dy: TfeTensor, opts: BackwardOptions): { dxs: (TfeTensor | undefined)[]; grads: TfeTensor[] };
  /** Needs exact comparison even for inference (reason shown in the error). */
  needsExact?: string;
}

/**
 * A `NotImplementedError` naming the node, its operator and the attribute.
 * @example
 * ```ts
 * throw unsupported(spec, 'axis', 'only the last axis is supported, found 0');
 * ```
 */
export function unsupported(spec: { name: string; opType: string }, attr: string, why: string): NotImplementedError {
  return new NotImplementedError(`ONNX node \`${spec.name}\` (${spec.opType}): attribute \`${attr}\`: ${why}`);
}

/**
 * An integer attribute list, or the values of the constant input `k` (opset 13 moved axes to inputs).
 * @example
 * ```ts
 * const axes = intsOf(spec, 'axes', 1); // Squeeze
 * ```
 */
export function intsOf(spec: NodeSpec, attr: string, k: number): number[] | undefined {
  const a = spec.attrs[attr];
  if (Array.isArray(a)) return a as number[];
  const name = spec.inputs[k];
  if (name && spec.consts[name]) return spec.consts[name].values.map((v) => Math.round(v));
  if (name && spec.kinds[k] !== 'none') throw unsupported(spec, attr, `input \`${name}\` must be a constant`);
  return undefined;
}

/**
 * A number attribute with its ONNX default.
 * @example
 * ```ts
 * const alpha = numAttr(spec, 'alpha', 1);
 * ```
 */
export function numAttr(spec: NodeSpec, attr: string, dflt: number): number {
  const v = spec.attrs[attr];
  return typeof v === 'number' ? v : dflt;
}

/**
 * The axis `a` of a rank-`r` tensor as a non-negative index.
 * @example
 * ```ts
 * normAxis(-1, 4); // 3
 * ```
 */
export function normAxis(a: number, r: number): number { return a < 0 ? a + r : a; }
