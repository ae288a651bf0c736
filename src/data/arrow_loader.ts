/**
 * `tfe.data.arrow`: an Arrow IPC file or stream read on its owner's player with
 * `apache-arrow`, record batch by record batch. Numeric columns of every Arrow integer and
 * float type are read straight from the batch's buffers (a typed-array view, no per-cell
 * boxing); only columns with nulls, Float16 and 64-bit integers take the per-value path.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { RecordBatchReader, Type, type Data, type RecordBatch } from 'apache-arrow';
import { ValueError } from '../errors.js';
import { encodeFixed } from '../kernels/fixed_point.js';
import { registerLoader } from '../runtime/player/data_sources.js';
import { alignRows, Growable, missingValue, pickColumns, loaderTableOptions, type NumericTable, type TableOptions } from './table.js';

/**
 * One record batch's selected columns, row-major.
 * @example
 * ```ts
 * const b: TableBatch = { values: Float64Array.of(1, 2), rows: 1, columns: ['x0', 'x1'] };
 * ```
 */
export interface TableBatch { values: Float64Array; rows: number; columns: string[]; ids?: string[] }

const DIRECT = new Set([Type.Int, Type.Float]);

function isNull(d: Data, i: number): boolean {
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return false;
  const j = d.offset + i;
  return ((d.nullBitmap[j >> 3]! >> (j & 7)) & 1) === 0;
}

/** Writes column `k` of `cols` columns from one batch's data into `out` (row-major). */
function fillColumn(path: string, d: Data, name: string, firstRow: number, out: Float64Array, k: number, cols: number, fillNa?: number): void {
  if (!DIRECT.has(d.typeId)) throw new ValueError(`\`${path}\`: column \`${name}\` has Arrow type ${String(d.type)}, expected an integer or float type`);
  const n = d.length;
  const raw = d.values as ArrayLike<number | bigint>;
  const half = d.typeId === Type.Float && (d.type as unknown as { precision: number }).precision === 0;
  const wide = raw instanceof BigInt64Array || raw instanceof BigUint64Array;
  if (d.nullCount === 0 && !half && !wide) {
    const v = raw as ArrayLike<number>;
    for (let i = 0; i < n; i++) out[i * cols + k] = v[i]!;
    return;
  }
  for (let i = 0; i < n; i++) {
    let v: number;
    if (isNull(d, i)) v = missingValue(path, firstRow + i + 1, name, fillNa);
    else if (half) v = halfToNumber(raw[i] as number);
    else v = Number(raw[i]);
    if (Number.isNaN(v)) v = missingValue(path, firstRow + i + 1, name, fillNa);
    out[i * cols + k] = v;
  }
}

function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * Streams the selected columns of an Arrow IPC file or stream, one record batch at a time,
 * so a table larger than memory can be processed batch by batch.
 * @example
 * ```ts
 * for await (const b of streamArrow('big.arrow', { columns: ['x0', 'x1'] })) total += b.rows;
 * ```
 */
export async function* streamArrow(path: string, opts: TableOptions = {}): AsyncGenerator<TableBatch> {
  try { await stat(path); } catch (e) {
    throw new ValueError(`\`${path}\`: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read (${(e as NodeJS.ErrnoException).code})`}`);
  }
  const stream = createReadStream(path);
  let reader;
  try {
    reader = await RecordBatchReader.from(stream);
  } catch (e) {
    stream.destroy();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new ValueError(`\`${path}\`: no such file`);
    throw new ValueError(`\`${path}\`: not an Arrow IPC file or stream (${err.code ?? 'bad header'})`);
  }
  let row = 0;
  let opened = false;
  try {
    for await (const batch of reader as AsyncIterable<RecordBatch>) {
      opened = true;
      const names = batch.schema.fields.map((f) => f.name);
      const pick = pickColumns(path, names, opts.columns, opts.idColumn);
      const cols = pick.feature.length;
      const values = new Float64Array(batch.numRows * cols);
      pick.feature.forEach((c, k) => {
        const vec = batch.getChildAt(c)!;
        let first = row;
        for (const d of vec.data) { fillColumn(path, d, names[c]!, first, values.subarray((first - row) * cols), k, cols, opts.fillNa); first += d.length; }
      });
      const ids = pick.id === undefined ? undefined : Array.from(batch.getChildAt(pick.id)!, (v) => String(v));
      row += batch.numRows;
      yield { values, rows: batch.numRows, columns: pick.feature.map((c) => names[c]!), ids };
    }
  } catch (e) {
    if (e instanceof ValueError) throw e;
    if (!opened) throw new ValueError(`\`${path}\`: not an Arrow IPC file or stream (no schema message could be read)`);
    throw new ValueError(`\`${path}\`: cannot read Arrow record batch after row ${row} (${(e as Error).message.split('\n')[0]})`);
  } finally {
    stream.destroy();
  }
  if (!opened && reader.schema) pickColumns(path, reader.schema.fields.map((f) => f.name), opts.columns, opts.idColumn);
}

/**
 * Reads the selected numeric columns of an Arrow IPC file or stream into one row-major table.
 * @example
 * ```ts
 * const t = await readArrow('alice.arrow', { idColumn: 'id' });
 * ```
 */
export async function readArrow(path: string, opts: TableOptions = {}): Promise<NumericTable> {
  const out = new Growable();
  const ids: string[] | undefined = opts.idColumn === undefined ? undefined : [];
  let rows = 0;
  let columns: string[] | undefined;
  for await (const b of streamArrow(path, opts)) {
    const at = out.reserve(b.values.length); // may replace out.raw: reserve first
    out.raw.set(b.values, at);
    rows += b.rows;
    columns = b.columns;
    if (ids && b.ids) for (const id of b.ids) ids.push(id);
  }
  if (!columns || rows === 0) throw new ValueError(`\`${path}\`: the table has no rows`);
  const t: NumericTable = { values: out.view(), rows, columns, ids };
  return opts.ids ? alignRows(path, t, opts.ids) : t;
}

/**
 * An Arrow data source for `definePrivateInput`: read on the owner's player, relative to its
 * data directory.
 * @example
 * ```ts
 * const x = await tfe.definePrivateInput('alice', tfe.data.arrow('alice.arrow', { idColumn: 'id' }));
 * ```
 */
export function arrow(path: string, opts: TableOptions = {}) {
  return { loader: 'arrow', args: { path, ...opts } as Record<string, unknown> };
}

registerLoader('arrow', async (args, ctx) => {
  const { path, fracBits = 16 } = args;
  if (typeof path !== 'string') throw new ValueError('arrow loader: `path` must be a string');
  const t = await readArrow(ctx.resolvePath(path), loaderTableOptions('arrow', args, ctx));
  return encodeFixed(t.values, [t.rows, t.columns.length], { fracBits: fracBits as number });
});
