/**
 * Pond's side of secret-shared checkpoints: each server writes its own share of a tensor with
 * the runtime's `raw` sink (temp file, then rename, on that player) and later loads it back
 * with the `raw` loader. The driver only ever sees paths, shapes and scales. Public tensors
 * (one copy on each server) are saved the same way.
 *
 * @example
 * ```ts
 * const saved = saveShares(pond, w, (player, k) => `ckpt/a/${player}/w0_${k}.bin`);
 * const again = loadShares(pond, saved); // a new tensor of the same kind, shape and scale
 * ```
 */
import { ValueError } from '../../errors.js';
import { U64 } from '../../kernels/index.js';
import type { Handle } from '../runtime_link.js';
import type { SavedShares } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';
import type { Pond } from './pond.js';
import { PondMaskedTensor, PondPrivateTensor, PondPublicTensor } from './pond_tensors.js';

function handlesOf(x: TfeTensor): { kind: 'private' | 'public'; handles: readonly Handle[] } {
  if (x instanceof PondPublicTensor) return { kind: 'public', handles: x.values };
  if (x instanceof PondMaskedTensor) return { kind: 'private', handles: x.unmasked.shares };
  if (x instanceof PondPrivateTensor) return { kind: 'private', handles: x.shares };
  throw new ValueError(`\`saveShares\` expects a Pond tensor, got ${x}`);
}

/**
 * Has every server write its share of `x` to `pathOf(player, index)` (relative to that player's
 * data directory). Queued like any op: flush the runtime to wait for the files.
 * @example
 * ```ts
 * saveShares(pond, w, (player, k) => `ckpt/${player}/w_${k}.bin`);
 * ```
 */
export function saveShares(p: Pond, x: TfeTensor, pathOf: (player: string, index: number) => string, sink?: { name: string; args: (player: string) => Record<string, unknown> }): SavedShares {
  const { kind, handles } = handlesOf(x);
  const files = handles.map((h, k) => {
    const path = pathOf(h.player, k);
    p.rt.output(h, sink ? { kind: 'sink', name: sink.name, args: { ...sink.args(h.player), path } } : { kind: 'sink', name: 'raw', args: { path } });
    return { player: h.player, path };
  });
  return { kind, shape: [...x.shape], fracBits: x.fracBits, files };
}

/**
 * Has every server load its share written by {@link saveShares}; returns a new tensor of the
 * saved kind. The files must name this protocol's two servers, in order.
 * @example
 * ```ts
 * const w = loadShares(pond, saved);
 * ```
 */
export function loadShares(p: Pond, saved: SavedShares): TfeTensor {
  const players = saved.files.map((f) => f.player);
  if (players.length !== 2 || players[0] !== p.s0 || players[1] !== p.s1) {
    throw new ValueError(`saved shares belong to players [${players.join(', ')}]; ${p.name} expects [${p.s0}, ${p.s1}]`);
  }
  const shape = [...saved.shape];
  const handles = saved.files.map((f) => p.rt.input(f.player, { kind: 'source', loader: f.loader ?? 'raw', args: { ...f.args, path: f.path, shape }, shape, ring: U64 })) as [Handle, Handle];
  if (saved.kind === 'public') return new PondPublicTensor(p, saved.fracBits, handles);
  if (saved.kind === 'private' || saved.kind === 'masked') return new PondPrivateTensor(p, saved.fracBits, handles);
  throw new ValueError(`saved shares have kind \`${String(saved.kind)}\`; expected private or public`);
}
