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
 * Works for protocols whose tensors hold their handles as `shares` (private) or `values`
 * (public), i.e. Pond and SecureNN.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotImplementedError, ValueError } from '../errors.js';
import { U64 } from '../kernels/dtype.js';
import { getProtocol, type Protocol } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';
import { getRuntime, keep, type Handle } from '../runtime/index.js';
import type { SerializedLayer } from '../layers/index.js';
import { getLoss } from './losses.js';
import { optimizerFromConfig } from './optimizers.js';
import { Sequential } from './sequential.js';

const MANIFEST = 'tfe_model.json';

interface WeightEntry { name: string; shape: number[]; kind: string; fracBits: number; files: { player: string; path: string }[] }
interface SlotEntry extends WeightEntry { weight: string; index: number }
interface TrainingState { optimizer: { name: string; config: Record<string, unknown>; iterations: number }; loss: string; metrics: string[]; slots: SlotEntry[] }
interface Manifest {
  format: 'tfe-checkpoint'; version: 1 | 2; slot: 'a' | 'b'; protocol: string; fracBits: number;
  model: { name: string; layers: SerializedLayer[] }; weights: WeightEntry[]; training?: TrainingState;
}

type HandleHolder = { shares?: readonly Handle[]; values?: readonly Handle[]; unmasked?: { shares: readonly Handle[] }; masked?: unknown };

function handlesOf(t: TfeTensor): readonly Handle[] {
  const h = t as unknown as HandleHolder;
  const hs = h.shares ?? h.values ?? h.unmasked?.shares;
  if (!hs) throw new NotImplementedError(`checkpoints are not supported for tensors of ${t.protocol.name} (${t.constructor.name})`);
  return hs;
}

function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return undefined;
  const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  if (m?.format !== 'tfe-checkpoint' || !Array.isArray(m.weights)) throw new ValueError(`\`${path}\` is not a tfe checkpoint manifest`);
  return m;
}

let warnedCustomLoss = false;

/** The training state of a compiled model, its state tensors written with `writeShares`. */
function trainingState(model: Sequential, writeShares: (t: TfeTensor, stem: string) => WeightEntry['files']): TrainingState | undefined {
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
      entries.push({ weight, index, name: `${weight}/slot${index}`, shape: [...t.shape], kind: t.kind, fracBits: t.fracBits, files: writeShares(t, `opt${i}_${index}`) });
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
export async function saveCheckpoint(model: Sequential, dir: string): Promise<void> {
  if (typeof dir !== 'string' || !dir) throw new ValueError('`dir` must be a non-empty path');
  const p = model.build();
  const rt = getRuntime();
  const previous = readManifest(dir);
  const slot: 'a' | 'b' = previous?.slot === 'a' ? 'b' : 'a';
  const writeShares = (t: TfeTensor, stem: string) => handlesOf(t).map((h, k) => {
    const path = join(dir, slot, h.player, `${stem}_${k}.bin`);
    rt.output(h, { kind: 'sink', name: 'raw', args: { path } });
    return { player: h.player, path };
  });
  const weights: WeightEntry[] = model.layers.flatMap((l) => l.weights).map((w, i) => (
    { name: w.name, shape: w.shape, kind: w.value.kind, fracBits: w.value.fracBits, files: writeShares(w.value, `w${i}`) }
  ));
  const training = trainingState(model, writeShares);
  await rt.flush();
  const manifest: Manifest = { format: 'tfe-checkpoint', version: 2, slot, protocol: p.name, fracBits: p.fracBits, model: model.getConfig(), weights, training };
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${MANIFEST}.tmp`);
  writeFileSync(tmp, JSON.stringify(manifest, null, 1));
  renameSync(tmp, join(dir, MANIFEST));
}

/** Has each player load its own shares of entry `e` and makes them the value of `t`. */
function restoreShares(t: TfeTensor, e: WeightEntry, protocol: string): void {
  const rt = getRuntime();
  const loaded = e.files.map((f) => keep(rt.input(f.player, { kind: 'source', loader: 'raw', args: { path: f.path, shape: e.shape }, shape: e.shape, ring: U64 })));
  const holder = t as unknown as HandleHolder & { shares?: Handle[]; setValues?: (v: readonly Handle[]) => void };
  const old = handlesOf(t);
  if (holder.shares) { holder.shares = loaded; holder.masked = undefined; } else if (holder.setValues) holder.setValues(loaded);
  else throw new NotImplementedError(`cannot restore a ${e.kind} tensor under ${protocol}`);
  rt.free(...old);
}

/** Compiles `model` as it was saved and restores the optimizer's step count and state. */
function restoreTraining(model: Sequential, t: TrainingState, p: Protocol): void {
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
      restoreShares(target, e, p.name);
    }
  });
}

/**
 * Loads a checkpoint written by `model.save(dir)`: the model is rebuilt from its config and
 * every player loads its own shares. A checkpoint of a compiled model comes back compiled,
 * with its optimizer state. The active protocol must match the saved one.
 * @example
 * ```ts
 * const model = await tfe.models.load('checkpoints/mnist');
 * ```
 */
export async function loadCheckpoint(dir: string): Promise<Sequential> {
  const m = readManifest(dir);
  if (!m) throw new ValueError(`no tfe checkpoint in \`${dir}\` (missing ${MANIFEST})`);
  const p = getProtocol();
  if (p.name !== m.protocol || p.fracBits !== m.fracBits) {
    throw new ValueError(`checkpoint \`${dir}\` was saved under ${m.protocol} with fracBits ${m.fracBits}; the active protocol is ${p.name} with fracBits ${p.fracBits}`);
  }
  const model = Sequential.fromConfig(m.model);
  model.build();
  const ws = model.layers.flatMap((l) => l.weights);
  if (ws.length !== m.weights.length) throw new ValueError(`checkpoint \`${dir}\` has ${m.weights.length} weights, its model config ${ws.length}`);
  ws.forEach((w, i) => {
    const e = m.weights[i];
    if (e.shape.join() !== w.shape.join()) throw new ValueError(`checkpoint weight \`${e.name}\` has shape [${e.shape.join(',')}], the model expects [${w.shape.join(',')}]`);
    restoreShares(w.value, e, p.name);
  });
  if (m.training) restoreTraining(model, m.training, p);
  await getRuntime().flush();
  return model;
}
