/**
 * Secret-shared checkpoints (DESIGN.md §7, §10). `model.save(dir)` never reconstructs a
 * weight: every player writes ITS OWN share of every weight with the runtime's `raw` sink
 * (temp file, then rename) under `<dir>/<slot>/<player>/`, relative to that player's data
 * directory (`tfe player --data-dir`; the working directory in LocalConfig). The driver then
 * writes `<dir>/tfe_model.json` (topology, shapes, scales, which slot is current) by temp file
 * and rename. Saves alternate between slots `a` and `b`, and the manifest is switched only after
 * every player finished its files, so a crash at any point of a save leaves the previous
 * checkpoint readable and intact. `tfe.models.load(dir)` reads the manifest and has each player
 * load its own shares with the `raw` loader.
 *
 * A compiled model also saves its training state, as Keras does: the optimizer's name,
 * hyper-parameters and step count, the loss and metric names, and every optimizer state tensor
 * (momentum, Adam's moments), secret-shared the same way. `load` then returns a compiled model
 * whose next `fit` step continues exactly where the saved one stopped. A custom loss object
 * cannot be named in a file: such a model is saved without its training state (said once on
 * the console), and the loaded model must be compiled again.
 *
 * Shares are written and read by the protocol (`Protocol.saveShares` / `loadShares`), so this
 * file never touches a handle: it records what the protocol returns and assigns what it loads.
 * It sees the model through {@link CheckpointModel} only, so `sequential.ts` can import it
 * without a cycle.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValueError } from '../errors.js';
import { getProtocol, type Protocol, type SavedShares } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';
import { getRuntime } from '../runtime/index.js';
import type { LayerWeight, SerializedLayer } from '../layers/index.js';
import { getLoss, type Loss } from './losses.js';
import { optimizerFromConfig, type Optimizer } from './optimizers.js';

/**
 * What a checkpoint needs of a model (`Sequential` implements it).
 * @example
 * ```ts
 * const m: CheckpointModel = tfe.sequential({ layers });
 * ```
 */
export interface CheckpointModel {
  readonly layers: readonly { readonly weights: LayerWeight[] }[];
  readonly optimizer?: Optimizer;
  readonly loss?: Loss;
  readonly metricNames: string[];
  build(): Protocol;
  getConfig(): { name: string; layers: SerializedLayer[] };
  compile(args: { optimizer: Optimizer; loss: string; metrics: string[] }): void;
}

const MANIFEST = 'tfe_model.json';

interface WeightEntry extends SavedShares { name: string }
interface SlotEntry extends WeightEntry { weight: string; index: number }
interface TrainingState { optimizer: { name: string; config: Record<string, unknown>; iterations: number }; loss: string; metrics: string[]; slots: SlotEntry[] }
interface Manifest {
  format: 'tfe-checkpoint'; version: 1 | 2; slot: 'a' | 'b'; protocol: string; fracBits: number;
  model: { name: string; layers: SerializedLayer[] }; weights: WeightEntry[]; training?: TrainingState;
}

function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return undefined;
  let m: Manifest;
  try { m = JSON.parse(readFileSync(path, 'utf8')) as Manifest; } catch { throw new ValueError(`\`${MANIFEST}\` is not valid JSON (truncated or corrupt)`); }
  if (m?.format !== 'tfe-checkpoint' || !Array.isArray(m.weights)) throw new ValueError(`\`${path}\` is not a tfe checkpoint manifest`);
  return m;
}

let warnedCustomLoss = false;

/** The training state of a compiled model, its state tensors written with `writeShares`. */
function trainingState(model: CheckpointModel, writeShares: (t: TfeTensor, stem: string) => SavedShares): TrainingState | undefined {
  const { optimizer, loss } = model;
  if (!optimizer || !loss) return undefined;
  try { getLoss(loss.name); } catch {
    if (!warnedCustomLoss) console.warn(`model.save: the custom loss \`${loss.name}\` cannot be saved by name; the checkpoint holds the weights only (compile again after loading)`);
    warnedCustomLoss = true;
    return undefined;
  }
  const { iterations, slots } = optimizer.getState();
  const entries: SlotEntry[] = [];
  let i = 0;
  for (const [weight, tensors] of slots) {
    tensors.forEach((t, index) => {
      entries.push({ weight, index, name: `${weight}/slot${index}`, ...writeShares(t, `opt${i}_${index}`) });
    });
    i++;
  }
  return { optimizer: { name: optimizer.name, config: optimizer.getConfig(), iterations }, loss: loss.name, metrics: model.metricNames, slots: entries };
}

/**
 * Writes a secret-shared checkpoint of `model` (see the module comment).
 * @example
 * ```ts
 * await saveCheckpoint(model, 'checkpoints/mnist');
 * ```
 */
export async function saveCheckpoint(model: CheckpointModel, dir: string): Promise<void> {
  if (typeof dir !== 'string' || !dir) throw new ValueError('`dir` must be a non-empty path');
  const p = model.build();
  const rt = getRuntime();
  const previous = readManifest(dir);
  const slot: 'a' | 'b' = previous?.slot === 'a' ? 'b' : 'a';
  const writeShares = (t: TfeTensor, stem: string) => p.saveShares(t, (player, k) => join(dir, slot, player, `${stem}_${k}.bin`));
  const weights: WeightEntry[] = model.layers.flatMap((l) => l.weights).map((w, i) => ({ name: w.name, ...writeShares(w.value, `w${i}`) }));
  const training = trainingState(model, writeShares);
  await rt.flush();
  const manifest: Manifest = { format: 'tfe-checkpoint', version: 2, slot, protocol: p.name, fracBits: p.fracBits, model: model.getConfig(), weights, training };
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${MANIFEST}.tmp`);
  writeFileSync(tmp, JSON.stringify(manifest, null, 1));
  renameSync(tmp, join(dir, MANIFEST));
}

/** Has each player load its own shares of entry `e` and assigns them to the variable `t`. */
function restoreShares(p: Protocol, t: TfeTensor, e: WeightEntry): void {
  const loaded = p.loadShares(e);
  p.assign(t, loaded);
  p.dispose(loaded);
}

/** Compiles `model` as it was saved and restores the optimizer's step count and state. */
function restoreTraining(model: CheckpointModel, t: TrainingState, p: Protocol): void {
  const optimizer = optimizerFromConfig(t.optimizer.name, t.optimizer.config);
  model.compile({ optimizer, loss: t.loss, metrics: t.metrics });
  const byName = new Map(model.layers.flatMap((l) => l.weights).map((w) => [w.name, w]));
  const groups = new Map<string, SlotEntry[]>();
  for (const e of t.slots) {
    if (!byName.has(e.weight)) throw new ValueError(`checkpoint optimizer state names weight \`${e.weight}\`, which the model does not have`);
    groups.set(e.weight, [...(groups.get(e.weight) ?? []), e]);
  }
  const order = [...groups.keys()];
  const made = optimizer.restoreState(p, t.optimizer.iterations, order.map((name) => {
    const w = byName.get(name)!;
    return { weight: { name, value: w.value }, count: groups.get(name)!.length };
  }));
  order.forEach((name, g) => {
    for (const e of groups.get(name)!) {
      const target = made[g][e.index];
      if (!target || e.shape.join() !== target.shape.join()) throw new ValueError(`checkpoint optimizer state \`${e.name}\` has shape [${e.shape.join(',')}], the weight needs [${target?.shape.join(',') ?? '?'}]`);
      restoreShares(p, target, e);
    }
  });
}

/**
 * Loads a checkpoint written by `model.save(dir)` into a model that `fromConfig` rebuilds from
 * the saved config: every player loads its own shares. A checkpoint of a compiled model comes
 * back compiled, with its optimizer state. The active protocol must match the saved one.
 * `tfe.models.load(dir)` is this with `Sequential.fromConfig`.
 * @example
 * ```ts
 * const model = await restoreCheckpoint('checkpoints/mnist', Sequential.fromConfig);
 * ```
 */
export async function restoreCheckpoint<M extends CheckpointModel>(dir: string, fromConfig: (config: Manifest['model']) => M): Promise<M> {
  const m = readManifest(dir);
  if (!m) throw new ValueError(`no tfe checkpoint in \`${dir}\` (missing ${MANIFEST})`);
  const p = getProtocol();
  if (p.name !== m.protocol || p.fracBits !== m.fracBits) {
    throw new ValueError(`checkpoint \`${dir}\` was saved under ${m.protocol} with fracBits ${m.fracBits}; the active protocol is ${p.name} with fracBits ${p.fracBits}`);
  }
  const model = fromConfig(m.model);
  model.build();
  const ws = model.layers.flatMap((l) => l.weights);
  if (ws.length !== m.weights.length) throw new ValueError(`checkpoint \`${dir}\` has ${m.weights.length} weights, its model config ${ws.length}`);
  ws.forEach((w, i) => {
    const e = m.weights[i];
    if (e.shape.join() !== w.shape.join()) throw new ValueError(`checkpoint weight \`${e.name}\` has shape [${e.shape.join(',')}], the model expects [${w.shape.join(',')}]`);
    restoreShares(p, w.value, e);
  });
  if (m.training) restoreTraining(model, m.training, p);
  await getRuntime().flush();
  return model;
}
