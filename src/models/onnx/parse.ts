/**
 * ONNX model parsing: bytes -> a plain graph description, decoded with `onnx-proto` (protobufjs
 * and the published ONNX schema; no hand-written protobuf decoding). Initializer values are
 * kept apart from the graph so a driver can see the structure without the weights.
 */
import onnxProto from 'onnx-proto';
import { ValueError } from '../../errors.js';

const { onnx } = onnxProto as unknown as { onnx: typeof import('onnx-proto').onnx };

/** One attribute of a node, decoded to a JS value. */
export type OnnxAttr = number | string | number[] | string[] | Float64Array | null;

/** One node of an ONNX graph. */
export interface OnnxNode { name: string; opType: string; domain: string; inputs: string[]; outputs: string[]; attrs: Record<string, OnnxAttr> }

/** A graph input or output with its static shape (`-1` for a symbolic dimension). */
export interface OnnxValueInfo { name: string; shape: number[] }

/** The structure of an ONNX model: everything a driver may learn. */
export interface OnnxGraph {
  opset: number;
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Initializer names and shapes (values are in {@link OnnxWeights}). */
  initializers: OnnxValueInfo[];
  /**
   * Public constants: the values of Constant nodes, integer initializers (shapes, axes, pads)
   * and float initializers used only as Clip bounds. They are structure, not weights.
   */
  constants: Map<string, OnnxConstant>;
}

/**
 * A public constant tensor of the graph.
 * @example
 * ```ts
 * const shape = graph.constants.get('/Constant_output_0')?.values; // e.g. [-1, 128] for a Reshape
 * ```
 */
export interface OnnxConstant { shape: number[]; values: Float64Array }

/** Initializer values by name, as float64, read on the weight owner's player. */
export type OnnxWeights = Map<string, { shape: number[]; values: Float64Array }>;

const DT_FLOAT = 1, DT_INT32 = 6, DT_INT64 = 7, DT_DOUBLE = 11;

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: () => number }).toNumber === 'function') return (v as { toNumber: () => number }).toNumber();
  return Number(v);
}

/**
 * Decodes a TensorProto to float64 values.
 * @example
 * ```ts
 * const { shape, values } = tensorValues(model.graph.initializer[0]);
 * ```
 */
export function tensorValues(t: import('onnx-proto').onnx.ITensorProto): { shape: number[]; values: Float64Array } {
  const shape = (t.dims ?? []).map(num);
  const n = shape.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  let values: Float64Array;
  const dt = t.dataType ?? 0;
  if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const size = dt === DT_FLOAT || dt === DT_INT32 ? 4 : dt === DT_INT64 || dt === DT_DOUBLE ? 8 : 0;
    if (size === 0) throw new ValueError(`ONNX tensor \`${t.name}\`: expected data type float, double, int32 or int64, found type ${dt}`);
    if (raw.byteLength !== n * size) throw new ValueError(`ONNX tensor \`${t.name}\`: expected ${n * size} bytes for shape [${shape}], found ${raw.byteLength}`);
    values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      values[i] = dt === DT_FLOAT ? view.getFloat32(i * 4, true) : dt === DT_INT32 ? view.getInt32(i * 4, true)
        : dt === DT_DOUBLE ? view.getFloat64(i * 8, true) : Number(view.getBigInt64(i * 8, true));
    }
  } else {
    const src = dt === DT_FLOAT ? t.floatData : dt === DT_INT32 ? t.int32Data : dt === DT_INT64 ? t.int64Data : dt === DT_DOUBLE ? t.doubleData : null;
    if (!src) throw new ValueError(`ONNX tensor \`${t.name}\`: expected data type float, double, int32 or int64, found type ${dt}`);
    values = Float64Array.from((src as unknown[]).map(num));
    if (values.length !== n) throw new ValueError(`ONNX tensor \`${t.name}\`: expected ${n} values for shape [${shape}], found ${values.length}`);
  }
  return { shape, values };
}

function attrValue(a: import('onnx-proto').onnx.IAttributeProto): OnnxAttr {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT: return a.f ?? 0;
    case T.INT: return num(a.i ?? 0);
    case T.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case T.FLOATS: return (a.floats ?? []).slice();
    case T.INTS: return (a.ints ?? []).map(num);
    case T.STRINGS: return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    case T.TENSOR: return a.t ? tensorValues(a.t).values : null; // the shape is kept in `constants`
    default: return null;
  }
}

function valueInfo(v: import('onnx-proto').onnx.IValueInfoProto): OnnxValueInfo {
  const dims = v.type?.tensorType?.shape?.dim ?? [];
  return { name: v.name ?? '', shape: dims.map((d) => (d.dimValue != null && num(d.dimValue) > 0 ? num(d.dimValue) : -1)) };
}

/** Operator inputs (by position) that hold structure, not weights. */
const STRUCTURAL: Record<string, number[]> = { Reshape: [1], Squeeze: [1], Unsqueeze: [1], Pad: [1, 2], Clip: [1, 2] };

/** Initializers that are public structure: integer tensors and those used only as structural inputs. */
function publicInitializers(g: import('onnx-proto').onnx.IGraphProto): Set<string> {
  const out = new Set<string>();
  for (const t of g.initializer ?? []) {
    const name = t.name ?? '';
    const uses = (g.node ?? []).flatMap((n) => (n.input ?? []).map((inp, k) => ({ op: n.opType ?? '', k, inp }))).filter((u) => u.inp === name);
    const integer = t.dataType === DT_INT32 || t.dataType === DT_INT64;
    if (integer || (uses.length > 0 && uses.every((u) => (STRUCTURAL[u.op] ?? []).includes(u.k)))) out.add(name);
  }
  return out;
}

/**
 * Decodes ONNX bytes into the graph (for the driver) and the weights (for the owner).
 * Throws `ValueError` for bytes that are not an ONNX model (malformed or truncated).
 * @example
 * ```ts
 * const { graph, weights } = parseOnnx(readFileSync('mlp.onnx'));
 * ```
 */
export function parseOnnx(bytes: Uint8Array): { graph: OnnxGraph; weights: OnnxWeights } {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new ValueError('ONNX model: expected non-empty bytes, found an empty buffer');
  let model: import('onnx-proto').onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ValueError(`ONNX model: expected a ModelProto, the bytes do not decode (${(e as Error).message}); the file is malformed or truncated`);
  }
  const g = model.graph;
  if (!g || (g.node ?? []).length === 0) throw new ValueError('ONNX model: expected a graph with at least one node, found none (malformed or truncated file)');
  const opsetEntry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = opsetEntry ? num(opsetEntry.version) : 0;
  const initNames = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  const publicInits = publicInitializers(g);
  const weights: OnnxWeights = new Map();
  const constants = new Map<string, OnnxConstant>();
  for (const t of g.initializer ?? []) (publicInits.has(t.name ?? '') ? constants : weights).set(t.name ?? '', tensorValues(t));
  for (const n of g.node ?? []) {
    const v = n.opType === 'Constant' ? (n.attribute ?? []).find((a) => a.name === 'value')?.t : undefined;
    if (v && n.output?.[0]) constants.set(n.output[0], tensorValues(v));
  }
  const nodes: OnnxNode[] = (g.node ?? []).map((n, i) => ({
    name: n.name || `${n.opType}_${i}`, opType: n.opType ?? '', domain: n.domain ?? '',
    inputs: (n.input ?? []).slice(), outputs: (n.output ?? []).slice(),
    attrs: Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', attrValue(a)])),
  }));
  const graph: OnnxGraph = {
    opset, nodes,
    inputs: (g.input ?? []).filter((v) => !initNames.has(v.name ?? '')).map(valueInfo),
    outputs: (g.output ?? []).map(valueInfo),
    initializers: [...weights].map(([name, w]) => ({ name, shape: w.shape })),
    constants,
  };
  return { graph, weights };
}
