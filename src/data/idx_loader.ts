/**
 * `tfe.data.idx`: the IDX format of MNIST (`train-images-idx3-ubyte`, ...), read on the
 * owner's player. Header: two zero bytes, a type code, the number of dimensions, then each
 * dimension as a big-endian u32; the data follows, big-endian.
 */
import { readFile } from 'node:fs/promises';
import { ValueError } from '../errors.js';
import { encodeFixed } from '../kernels/fixed_point.js';
import { registerLoader } from '../runtime/player/data_sources.js';

const TYPES: Record<number, { name: string; size: number; get(v: DataView, o: number): number }> = {
  0x08: { name: 'u8', size: 1, get: (v, o) => v.getUint8(o) },
  0x09: { name: 'i8', size: 1, get: (v, o) => v.getInt8(o) },
  0x0b: { name: 'i16', size: 2, get: (v, o) => v.getInt16(o) },
  0x0c: { name: 'i32', size: 4, get: (v, o) => v.getInt32(o) },
  0x0d: { name: 'f32', size: 4, get: (v, o) => v.getFloat32(o) },
  0x0e: { name: 'f64', size: 8, get: (v, o) => v.getFloat64(o) },
};

/**
 * Options of {@link readIdx}: keep rows `[start, start + limit)` and scale every value.
 * @example
 * ```ts
 * const opts: tfe.data.IdxOptions = { start: 0, limit: 1000, scale: 1 / 255 };
 * ```
 */
export interface IdxOptions { start?: number; limit?: number; scale?: number }

/**
 * Parses IDX bytes; `start`/`limit` slice the first dimension (MNIST slices for data owners).
 * @example
 * ```ts
 * const { values, shape } = parseIdx(bytes, 'train-labels', { limit: 100 }); // shape [100]
 * ```
 */
export function parseIdx(bytes: Uint8Array, file: string, opts: IdxOptions = {}): { values: Float64Array; shape: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new ValueError(`\`${file}\`: not an IDX file (expected two zero bytes, a type code and a rank)`);
  const type = TYPES[bytes[2]!];
  if (!type) throw new ValueError(`\`${file}\`: unknown IDX type code 0x${bytes[2]!.toString(16)} (expected 0x08, 0x09, 0x0b-0x0e)`);
  const rank = bytes[3]!;
  if (rank === 0 || bytes.length < 4 + 4 * rank) throw new ValueError(`\`${file}\`: truncated IDX header (rank ${rank}, ${bytes.length} bytes)`);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  const need = 4 + 4 * rank + shape[0]! * inner * type.size;
  if (bytes.length !== need) throw new ValueError(`\`${file}\`: IDX shape [${shape.join(',')}] of ${type.name} needs ${need} bytes, the file has ${bytes.length}`);
  const start = opts.start ?? 0;
  const limit = opts.limit ?? shape[0]! - start;
  if (!Number.isInteger(start) || !Number.isInteger(limit) || start < 0 || limit < 0 || start + limit > shape[0]!) {
    throw new ValueError(`\`${file}\`: rows [${start}, ${start + limit}) are outside its ${shape[0]} rows`);
  }
  const scale = opts.scale ?? 1;
  const values = new Float64Array(limit * inner);
  const base = 4 + 4 * rank + start * inner * type.size;
  if (type.size === 1 && type.name === 'u8') {
    for (let i = 0; i < values.length; i++) values[i] = bytes[base + i]! * scale;
  } else {
    for (let i = 0; i < values.length; i++) values[i] = type.get(view, base + i * type.size) * scale;
  }
  return { values, shape: [limit, ...shape.slice(1)] };
}

/**
 * Reads an IDX file.
 * @example
 * ```ts
 * const imgs = await readIdx('train-images-idx3-ubyte', { limit: 1000, scale: 1 / 255 });
 * ```
 */
export async function readIdx(path: string, opts: IdxOptions = {}): Promise<{ values: Float64Array; shape: number[] }> {
  let bytes: Uint8Array;
  try { bytes = await readFile(path); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValueError(code === 'ENOENT' ? `\`${path}\`: no such file` : `\`${path}\`: cannot read (${code})`);
  }
  return parseIdx(bytes, path, opts);
}

/**
 * An IDX data source for `definePrivateInput`, read on the owner's player.
 * @example
 * ```ts
 * const x = await tfe.definePrivateInput('owner-0', tfe.data.idx('train-images-idx3-ubyte', { limit: 600, scale: 1 / 255 }));
 * ```
 */
export function idx(path: string, opts: IdxOptions = {}) {
  return { loader: 'idx', args: { path, ...opts } as Record<string, unknown> };
}

registerLoader('idx', async (args, ctx) => {
  const { path, fracBits = 16, start, limit, scale } = args;
  if (typeof path !== 'string') throw new ValueError('idx loader: `path` must be a string');
  for (const [k, v] of Object.entries({ start, limit, scale })) if (v !== undefined && typeof v !== 'number') throw new ValueError(`idx loader: \`${k}\` must be a number`);
  const t = await readIdx(ctx.resolvePath(path), { start: start as number, limit: limit as number, scale: scale as number });
  return encodeFixed(t.values, t.shape, { fracBits: fracBits as number });
});
