/**
 * One ONNX node as a tfe layer, so an imported graph is a `Sequential` of its nodes in ONNX
 * (topological) order and reuses `fit`, `predict`, `evaluate`, `summary` and checkpoints.
 * The nodes of one graph share a table of named values: the first node puts the model input
 * in it, each node reads its inputs from it by name and writes its output, and the last node
 * returns the graph output. Backward runs in reverse order over a table of gradients the same
 * way, so branches (Concat, Add of two computed tensors) get the sum of their gradients.
 */
import { NotImplementedError, ValueError } from '../../errors.js';
import { Layer, registerLayer, type BackwardOptions, type CallKwargs, type Gradients, type LayerArgs, type Shape } from '../../layers/index.js';
import { missingCapability } from '../../protocols/capabilities.js';
import type { Protocol } from '../../protocols/protocol.js';
import type { TfeTensor } from '../../protocols/tensor.js';
import { LAYER_OPS, MATMUL_WEIGHT } from './ops_layers.js';
import { TENSOR_OPS } from './ops_tensor.js';
import type { NodeSpec, OpContext, OpImpl, WeightSource } from './op_types.js';

/** The value and gradient tables of each imported graph, by graph id. */
const tables = new Map<string, { values: Map<string, TfeTensor>; grads: Map<string, TfeTensor> }>();

/**
 * The implementation of a node's operator.
 * @example
 * ```ts
 * opFor(spec).shape(spec, spec.inShapes);
 * ```
 */
export function opFor(spec: Pick<NodeSpec, 'opType' | 'kinds' | 'name'>): OpImpl {
  if (spec.opType === 'MatMul' && spec.kinds[1] === 'weight') return MATMUL_WEIGHT;
  const impl = LAYER_OPS[spec.opType] ?? TENSOR_OPS[spec.opType];
  if (!impl) throw new NotImplementedError(`ONNX node \`${spec.name}\`: operator ${spec.opType} is not supported`);
  return impl;
}

/**
 * Arguments of {@link OnnxNodeLayer}.
 * @example
 * ```ts
 * new OnnxNodeLayer({ name: 'fc', graph: 'mlp#1', spec, graphInput: 'x', graphOutput: '', inputShape: [8] });
 * ```
 */
export interface OnnxNodeLayerArgs extends LayerArgs {
  /** Shared by the nodes of one graph. */
  graph: string;
  spec: NodeSpec;
  /** Set on the first node: the name of the graph input it stores. */
  graphInput?: string;
  /** Set on the last node: the graph output it returns. */
  graphOutput?: string;
}

/**
 * A layer running one ONNX node (see the module comment).
 * @example
 * ```ts
 * const model = await tfe.models.loadOnnx('cnn.onnx', { owner: 'model-owner' });
 * model.layers[0] instanceof OnnxNodeLayer; // true
 * ```
 */
export class OnnxNodeLayer extends Layer {
  static override readonly className = 'OnnxNode';
  readonly spec: NodeSpec;
  readonly graph: string;
  readonly graphInput?: string;
  readonly graphOutput?: string;
  private readonly impl: OpImpl;
  private readonly inner?: Layer;
  private readonly innerShape?: Shape;
  /** Where each weight comes from (ONNX initializer and layout change), in `weights` order. */
  readonly sources: WeightSource[];
  private readonly cache: Record<string, unknown> = {};
  private readonly ownWeights: string[];

  constructor(args: OnnxNodeLayerArgs) {
    super(args);
    this.spec = args.spec;
    this.graph = args.graph;
    this.graphInput = args.graphInput || undefined;
    this.graphOutput = args.graphOutput || undefined;
    this.impl = opFor(this.spec);
    const made = this.impl.inner?.(this.spec, this.name);
    this.inner = made?.layer;
    this.innerShape = made?.buildShape;
    // initializers an operator without a layer reads (e.g. Add of a bias) are this node's own weights
    this.ownWeights = this.inner ? [] : this.spec.inputs.filter((_, k) => this.spec.kinds[k] === 'weight');
    this.sources = made?.sources ?? this.ownWeights.map((init) => ({ init }));
  }

  private table(): { values: Map<string, TfeTensor>; grads: Map<string, TfeTensor> } {
    let t = tables.get(this.graph);
    if (!t) { t = { values: new Map(), grads: new Map() }; tables.set(this.graph, t); }
    return t;
  }

  override build(inputShape: Shape): void {
    void inputShape;
    if (this.inner && !this.inner.built) this.inner.build(this.innerShape!);
    if (this.inner) this.weightList = this.inner.weights;
    else if (this.weightList.length === 0) {
      for (const init of this.ownWeights) {
        const shape = this.spec.inShapes[this.spec.inputs.indexOf(init)];
        this.addWeight(init.replace(/[^A-Za-z0-9_.]+/g, '_'), shape, new Float64Array(shape.reduce((a, b) => a * b, 1)));
      }
    }
    this.built = true;
  }

  override computeOutputShape(s: Shape): Shape { return [s[0], ...this.spec.outShape.slice(1)]; }

  call(x: TfeTensor, kwargs: CallKwargs = {}): TfeTensor {
    const t = this.table();
    if (this.graphInput) { t.values.clear(); t.values.set(this.graphInput, x); }
    const p = this.prot();
    const xs = this.spec.inputs.map((name, k) => {
      const kind = this.spec.kinds[k];
      if (kind === 'none') return undefined;
      if (kind === 'weight') return this.inner ? undefined : this.weightList[this.ownWeights.indexOf(name)].value;
      if (kind === 'const') { const c = this.spec.consts[name]; return p.defineConstant(Float64Array.from(c.values), { shape: c.shape }); }
      const v = t.values.get(name);
      if (!v) throw new ValueError(`ONNX node \`${this.spec.name}\`: input \`${name}\` was not computed (run the model from its first node)`);
      return v;
    });
    const y = this.impl.forward(this.ctx(p, !!kwargs.training), xs);
    t.values.set(this.spec.outputs[0], y);
    if (!this.graphOutput) return y;
    const out = t.values.get(this.graphOutput)!;
    t.values.clear();
    return out;
  }

  backward(dy: TfeTensor, opts: BackwardOptions = {}): Gradients {
    const t = this.table();
    if (this.graphOutput) { t.grads.clear(); t.grads.set(this.graphOutput, dy); }
    const p = this.prot();
    const g = t.grads.get(this.spec.outputs[0]);
    if (!this.impl.backward) throw this.noBackward();
    if (!g) return { dx: undefined, grads: this.trainableWeights.map((w) => p.mul(w.value, 0)) };
    const r = this.impl.backward(this.ctx(p, true), g, { skipActivation: !!this.graphOutput && opts.skipActivation, needDx: true });
    this.spec.inputs.forEach((name, k) => {
      const d = r.dxs[k];
      if (this.spec.kinds[k] !== 'value' || !d || name === this.graphInput) return;
      const prev = t.grads.get(name);
      t.grads.set(name, prev ? p.add(prev, d) : d);
    });
    if (this.graphInput) t.grads.clear();
    const own = this.ownWeights.map((init) => r.dxs[this.spec.inputs.indexOf(init)] ?? p.mul(this.weightList[this.ownWeights.indexOf(init)].value, 0));
    return { dx: dy, grads: this.trainable ? (this.inner ? r.grads : own) : [] };
  }

  private ctx(p: Protocol, training: boolean): OpContext { return { p, spec: this.spec, inner: this.inner, training, cache: this.cache }; }

  private noBackward(): NotImplementedError {
    return new NotImplementedError(`ONNX node \`${this.spec.name}\` (${this.spec.opType}) has no backward: the model can predict but not be fine-tuned`);
  }

  override outputActivation(): string | undefined { return this.graphOutput ? this.inner?.outputActivation() : undefined; }
  override preActivation(): TfeTensor | undefined { return this.inner?.preActivation(); }

  override checkProtocol(p: Protocol, training: boolean): void {
    if (this.impl.needsExact && !p.capabilities.exactComparison) {
      throw new NotImplementedError(missingCapability(p, 'exactComparison', `ONNX node \`${this.spec.name}\` (${this.spec.opType}): ${this.impl.needsExact}`));
    }
    if (training && !this.impl.backward) throw this.noBackward();
    this.inner?.checkProtocol(p, training);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), graph: this.graph, spec: this.spec, graphInput: this.graphInput ?? '', graphOutput: this.graphOutput ?? '' };
  }

  override dispose(): void { this.inner?.dispose(); }
}

registerLayer('OnnxNode', (c) => new OnnxNodeLayer(c as unknown as OnnxNodeLayerArgs));
