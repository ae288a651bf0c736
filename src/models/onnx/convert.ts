/**
 * ONNX graph → the node specs of an imported model, on the driver, from the structure alone:
 * constants are folded (Constant, Cast of a constant), each input is classified (computed,
 * constant, initializer), and shapes are inferred twice, for batch sizes 1 and 2, so an
 * operator that would mix the batch axis into the others is refused before any share is sent.
 */
import { NotImplementedError, ValueError } from '../../errors.js';
import { opFor } from './node_layer.js';
import type { InputKind, NodeSpec } from './op_types.js';
import type { OnnxGraph } from './parse.js';

function shapesFor(specs: NodeSpec[], g: OnnxGraph, batch: number): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const input = g.inputs[0];
  shapes.set(input.name, [batch, ...input.shape.slice(1)]);
  for (const s of specs) {
    const ins = s.inputs.map((name, k) => (s.kinds[k] === 'none' ? [] : s.kinds[k] === 'const' ? s.consts[name].shape : shapes.get(name) ?? g.initializers.find((i) => i.name === name)!.shape));
    const out = opFor(s).shape(s, ins);
    if (batch === 1) { s.inShapes = ins; s.outShape = out; }
    shapes.set(s.outputs[0], out);
  }
  return shapes;
}

/**
 * The node specs of `g` in execution order, checked (run `checkOnnxGraph` first).
 * @example
 * ```ts
 * const specs = convertGraph(parseOnnx(bytes).graph);
 * ```
 */
export function convertGraph(g: OnnxGraph): NodeSpec[] {
  const input = g.inputs[0];
  if (input.shape.length < 2 || input.shape.slice(1).some((d) => d <= 0)) {
    throw new ValueError(`ONNX model: input \`${input.name}\` must have a known shape after the batch axis, found [${input.shape.map((d) => (d < 0 ? '?' : d))}]`);
  }
  if (g.outputs.length !== 1) throw new NotImplementedError(`ONNX model: expected one graph output, found ${g.outputs.length}`);
  const consts = new Map(g.constants);
  const weights = new Set(g.initializers.map((i) => i.name));
  const specs: NodeSpec[] = [];
  for (const n of g.nodes) {
    if (n.opType === 'Constant') continue;
    if (n.opType === 'Cast' && consts.has(n.inputs[0])) { consts.set(n.outputs[0], consts.get(n.inputs[0])!); continue; }
    const kinds: InputKind[] = n.inputs.map((i) => (i === '' ? 'none' : consts.has(i) ? 'const' : weights.has(i) ? 'weight' : 'value'));
    const used = Object.fromEntries(n.inputs.filter((_, k) => kinds[k] === 'const').map((i) => [i, { shape: consts.get(i)!.shape, values: Array.from(consts.get(i)!.values) }]));
    const attrs = Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [k, v instanceof Float64Array ? Array.from(v) : v]));
    // before opset 13, (Log)Softmax's default axis was 1 with the input coerced to 2-D: make it explicit, so only rank 2 passes
    if (g.opset < 13 && (n.opType === 'Softmax' || n.opType === 'LogSoftmax') && attrs.axis === undefined) attrs.axis = 1;
    specs.push({ name: n.name, opType: n.opType, inputs: n.inputs, outputs: n.outputs, attrs, kinds, consts: used, inShapes: [], outShape: [] });
  }
  if (specs.length === 0) throw new NotImplementedError('ONNX model: the graph computes nothing from its input (only constants)');
  const last = specs[specs.length - 1];
  if (last.outputs[0] !== g.outputs[0].name) throw new NotImplementedError(`ONNX model: the graph output \`${g.outputs[0].name}\` must come from the last node (\`${last.name}\`)`);
  if (!specs[0].inputs.includes(input.name)) throw new NotImplementedError(`ONNX model: the first node (\`${specs[0].name}\`) must read the graph input \`${input.name}\``);
  const one = shapesFor(specs, g, 1), two = shapesFor(specs.map((s) => ({ ...s })), g, 2);
  for (const s of specs) {
    const a = one.get(s.outputs[0])!, b = two.get(s.outputs[0])!;
    if (a[0] !== 1 || b[0] !== 2 || a.slice(1).join() !== b.slice(1).join()) {
      throw new NotImplementedError(`ONNX node \`${s.name}\` (${s.opType}): attribute \`shape\`: the output [${a.map((d, i) => (i === 0 ? 'N' : d))}] does not keep the batch as its first axis`);
    }
  }
  return specs;
}
