/**
 * Secret-shared checkpoints (DESIGN.md §7, §10). `model.save(dir)` never reconstructs a
 * weight: every player writes ITS OWN share of every weight with the runtime's `raw` sink
 * (temp file, then rename) under `<dir>/<slot>/<player>/`, relative to that player's data
 * directory (`tfe player --data-dir`; the working directory in LocalConfig). The driver then
 * writes `<dir>/tfe_model.json` (topology, shapes, scales, which slot is current) by temp file
 * and rename. Saves alternate between slots `a` and `b`, and the manifest is switched only after
 * every player finished its files, so a crash at any point of a save leaves the previous
 * checkpoint readable and intact. `tfe.models.load(dir)` reads the manifest and has each player
 * load its own shares with the `raw` loader. Optimizer state is not saved.
 *
 * Works for protocols whose tensors hold their handles as `shares` (private) or `values`
 * (public), i.e. Pond and SecureNN.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotImplementedError, ValueError } from '../errors.js';
import { U64 } from '../kernels/dtype.js';
import { getProtocol } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';
import { getRuntime, keep, type Handle } from '../runtime/index.js';
import type { SerializedLayer } from '../layers/index.js';
import { Sequential } from './sequential.js';

const MANIFEST = 'tfe_model.json';

interface WeightEntry { name: string; shape: number[]; kind: string; fracBits: number; files: { player: string; path: string }[] }
interface Manifest { format: 'tfe-checkpoint'; version: 1; slot: 'a' | 'b'; protocol: string; fracBits: number; model: { name: string; layers: SerializedLayer[] }; weights: WeightEntry[] }

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
  const weights: WeightEntry[] = [];
  let i = 0;
  for (const w of model.layers.flatMap((l) => l.weights)) {
    const files = handlesOf(w.value).map((h, k) => {
      const path = join(dir, slot, h.player, `w${i}_${k}.bin`);
      rt.output(h, { kind: 'sink', name: 'raw', args: { path } });
      return { player: h.player, path };
    });
    weights.push({ name: w.name, shape: w.shape, kind: w.value.kind, fracBits: w.value.fracBits, files });
    i++;
  }
  await rt.flush();
  const manifest: Manifest = { format: 'tfe-checkpoint', version: 1, slot, protocol: p.name, fracBits: p.fracBits, model: model.getConfig(), weights };
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${MANIFEST}.tmp`);
  writeFileSync(tmp, JSON.stringify(manifest, null, 1));
  renameSync(tmp, join(dir, MANIFEST));
}

/**
 * Loads a checkpoint written by `model.save(dir)`: the model is rebuilt from its config and
 * every player loads its own shares. The active protocol must match the saved one.
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
  const rt = getRuntime();
  ws.forEach((w, i) => {
    const e = m.weights[i];
    if (e.shape.join() !== w.shape.join()) throw new ValueError(`checkpoint weight \`${e.name}\` has shape [${e.shape.join(',')}], the model expects [${w.shape.join(',')}]`);
    const loaded = e.files.map((f) => keep(rt.input(f.player, { kind: 'source', loader: 'raw', args: { path: f.path, shape: e.shape }, shape: e.shape, ring: U64 })));
    const holder = w.value as unknown as HandleHolder & { shares?: Handle[]; setValues?: (v: readonly Handle[]) => void };
    const old = handlesOf(w.value);
    if (holder.shares) { holder.shares = loaded; holder.masked = undefined; } else if (holder.setValues) holder.setValues(loaded);
    else throw new NotImplementedError(`cannot restore a ${e.kind} weight under ${p.name}`);
    rt.free(...old);
  });
  await rt.flush();
  return model;
}
