/**
 * ABY3's side of secret-shared checkpoints: each server writes its two shares (x_i, x_{i+1})
 * with the runtime's `raw` sink and loads them back with the `raw` loader; a public tensor is
 * written once per server. The driver only sees paths, shapes and scales.
 *
 * @example
 * ```ts
 * const saved = saveShares(aby3, w, (player, k) => `ckpt/${player}/w_${k}.bin`);
 * const again = loadShares(aby3, saved);
 * ```
 */
import { ValueError } from '../../errors.js';
import { U64 } from '../../kernels/index.js';
import type { Handle } from '../runtime_link.js';
import type { SavedShares } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';
import type { ABY3 } from './aby3.js';
import { ABY3PrivateTensor, ABY3PublicTensor, type ReplicatedShares } from './aby3_tensors.js';

/**
 * Has every server write its share(s) of `x` to `pathOf(player, index)`; index k counts the
 * files in order (server0's two, server1's two, server2's two for a private tensor).
 * @example
 * ```ts
 * saveShares(aby3, w, (player, k) => `ckpt/${player}/w_${k}.bin`);
 * ```
 */
export function saveShares(p: ABY3, x: TfeTensor, pathOf: (player: string, index: number) => string): SavedShares {
  let kind: 'public' | 'private';
  let handles: readonly Handle[];
  if (x instanceof ABY3PublicTensor) { kind = 'public'; handles = x.values; } else if (x instanceof ABY3PrivateTensor) { kind = 'private'; handles = x.shares.flat(); } else {
    throw new ValueError(`\`saveShares\` expects an ABY3 tensor, got ${x}`);
  }
  const files = handles.map((h, k) => {
    const path = pathOf(h.player, k);
    p.rt.output(h, { kind: 'sink', name: 'raw', args: { path } });
    return { player: h.player, path };
  });
  return { kind, shape: [...x.shape], fracBits: x.fracBits, files };
}

/**
 * Has every server load its shares written by {@link saveShares}; returns a new tensor.
 * @example
 * ```ts
 * const w = loadShares(aby3, saved);
 * ```
 */
export function loadShares(p: ABY3, saved: SavedShares): TfeTensor {
  const players = saved.files.map((f) => f.player);
  const S = p.servers;
  const expected = saved.kind === 'public' ? [...S] : [S[0], S[0], S[1], S[1], S[2], S[2]];
  if (players.length !== expected.length || players.some((q, i) => q !== expected[i])) {
    throw new ValueError(`saved shares belong to players [${players.join(', ')}]; ${p.name} expects [${expected.join(', ')}]`);
  }
  const shape = [...saved.shape];
  const hs = saved.files.map((f) => p.rt.input(f.player, { kind: 'source', loader: 'raw', args: { path: f.path, shape }, shape, ring: U64 }));
  if (saved.kind === 'public') return new ABY3PublicTensor(p, saved.fracBits, hs as [Handle, Handle, Handle]);
  if (saved.kind === 'private') return new ABY3PrivateTensor(p, saved.fracBits, [[hs[0], hs[1]], [hs[2], hs[3]], [hs[4], hs[5]]] as ReplicatedShares);
  throw new ValueError(`saved shares have kind \`${String(saved.kind)}\`; expected private or public`);
}
