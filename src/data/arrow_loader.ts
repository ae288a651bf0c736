/**
 * `tfe.data.arrow`: an Arrow IPC file or stream read on its owner's player with
 * `apache-arrow`, record batch by record batch. The file is read through a file handle, one IPC
 * message at a time (no whole-file buffer, no re-assembly of small stream chunks), so a table
 * larger than memory streams. Numeric columns of every Arrow integer and float type are read
 * from the batch's buffers: Float64 columns as a zero-copy view, the other types with one
 * native typed-array conversion; only columns with nulls, Float16 and 64-bit integers take the
 * per-value path. The loader encodes each batch straight into the fixed-point tensor.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { RecordBatchReader, Type, type Data, type RecordBatch } from 'apache-arrow';
import { ValueError } from '../errors.js';
import { allocU64, encodeFixedInto, fixedRange } from '../kernels/fixed_point.js';
import { getBackend } from '../kernels/engine.js';
import { RingTensor } from '../kernels/ring_tensor.js';
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

/**
 * The values of one column chunk as float64: a view of the batch's buffer for Float64 without
 * nulls, a native conversion for the other direct types, the per-value path otherwise. A null
 * or NaN cell is `fillNa`, or a ValueError naming the file, the 1-based row and the column.
 */
function columnValues(path: string, d: Data, name: string, firstRow: number, fillNa?: number): Float64Array {
  if (!DIRECT.has(d.typeId)) throw new ValueError(`\`${path}\`: column \`${name}\` has Arrow type ${String(d.type)}, expected an integer or float type`);
  const n = d.length;
  const raw = d.values as ArrayLike<number | bigint> & { subarray(a: number, b: number): ArrayLike<number | bigint> };
  const half = d.typeId === Type.Float && (d.type as unknown as { precision: number }).precision === 0;
  const wide = raw instanceof BigInt64Array || raw instanceof BigUint64Array;
  if (d.nullCount === 0 && !half && !wide) {
    const part = raw.subarray(0, n);
    const v = part instanceof Float64Array ? part : Float64Array.from(part as ArrayLike<number>);
    return d.typeId === Type.Float && hasNaN(v) ? perValue(path, d, name, firstRow, fillNa) : v;
  }
  return perValue(path, d, name, firstRow, fillNa);
}

function hasNaN(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) return true;
  return false;
}

function perValue(path: string, d: Data, name: string, firstRow: number, fillNa?: number): Float64Array {
  const raw = d.values as ArrayLike<number | bigint>;
  const half = d.typeId === Type.Float && (d.type as unknown as { precision: number }).precision === 0;
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    let v: number;
    if (isNull(d, i)) v = missingValue(path, firstRow + i + 1, name, fillNa);
    else if (half) v = halfToNumber(raw[i] as number);
    else v = Number(raw[i]);
    if (Number.isNaN(v)) v = missingValue(path, firstRow + i + 1, name, fillNa);
    out[i] = v;
  }
  return out;
}

function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** One record batch with its selected columns and the 0-based row of its first record. */
interface PickedBatch { batch: RecordBatch; names: string[]; feature: number[]; id?: number; firstRow: number; fileBytes: number }

/** The record batches of an Arrow IPC file or stream, read message by message from a file handle. */
async function* recordBatches(path: string, opts: TableOptions): AsyncGenerator<PickedBatch> {
  let handle: FileHandle;
  try { handle = await open(path, 'r'); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValueError(`\`${path}\`: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`);
  }
  let row = 0;
  let opened = false;
  try {
    const fileBytes = (await handle.stat()).size;
    let reader;
    try {
      reader = await RecordBatchReader.from(handle);
    } catch (e) {
      throw new ValueError(`\`${path}\`: not an Arrow IPC file or stream (${(e as NodeJS.ErrnoException).code ?? 'bad header'})`);
    }
    try {
      for await (const batch of reader as AsyncIterable<RecordBatch>) {
        opened = true;
        const names = batch.schema.fields.map((f) => f.name);
        const pick = pickColumns(path, names, opts.columns, opts.idColumn);
        yield { batch, names, ...pick, firstRow: row, fileBytes };
        row += batch.numRows;
      }
    } catch (e) {
      if (e instanceof ValueError) throw e;
      if (!opened) throw new ValueError(`\`${path}\`: not an Arrow IPC file or stream (no schema message could be read)`);
      throw new ValueError(`\`${path}\`: cannot read Arrow record batch after row ${row} (${(e as Error).message.split('\n')[0]})`);
    }
    if (!opened && reader.schema) pickColumns(path, reader.schema.fields.map((f) => f.name), opts.columns, opts.idColumn);
  } finally {
    await handle.close();
  }
}

const batchIds = (b: PickedBatch) => (b.id === undefined ? undefined : Array.from(b.batch.getChildAt(b.id)!, (v) => String(v)));

const BLOCK = 2048;

/**
 * Calls `each(values, row, k)` for the selected columns of `b` in blocks of rows (every column
 * of one block, then the next block), so row-major writes stay in cache.
 */
function forColumns(path: string, b: PickedBatch, fillNa: number | undefined, each: (v: Float64Array, row: number, k: number, name: string) => void): void {
  const cols = b.feature.map((c) => columnValues(path, b.batch.data.children[c]!, b.names[c]!, b.firstRow, fillNa));
  const n = b.batch.numRows;
  for (let r = 0; r < n; r += BLOCK) {
    const end = Math.min(n, r + BLOCK);
    cols.forEach((v, k) => each(v.subarray(r, end), r, k, b.names[b.feature[k]!]!));
  }
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
  for await (const b of recordBatches(path, opts)) {
    const cols = b.feature.length;
    const values = new Float64Array(b.batch.numRows * cols);
    forColumns(path, b, opts.fillNa, (v, r, k) => { for (let i = 0, j = r * cols + k; i < v.length; i++, j += cols) values[j] = v[i]!; });
    yield { values, rows: b.batch.numRows, columns: b.feature.map((c) => b.names[c]!), ids: batchIds(b) };
  }
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
 * Reads the selected columns straight into a fixed-point `[rows, columns]` tensor: each record
 * batch is encoded from the batch's buffers into its rows of the result (no intermediate
 * float64 table). A value outside the fixed-point range is a ValueError naming file, row and column.
 * @example
 * ```ts
 * const t = await readArrowFixed('alice.arrow', { idColumn: 'id' }, 16); // RingTensor [rows, 16]
 * ```
 */
export async function readArrowFixed(path: string, opts: TableOptions, fracBits: number): Promise<RingTensor> {
  const ids: string[] | undefined = opts.idColumn === undefined ? undefined : [];
  let out: BigUint64Array | undefined;
  let rows = 0;
  let columns: string[] | undefined;
  for await (const b of recordBatches(path, opts)) {
    const cols = b.feature.length;
    const need = (rows + b.batch.numRows) * cols;
    if (!out || need > out.length) {
      // first guess: the file's size over the bytes of one row (an upper bound for fixed-width columns)
      const next = allocU64(Math.max(need, out ? 2 * out.length : Math.ceil(b.fileBytes / rowBytes(b.batch)) * cols));
      if (out) next.set(out.subarray(0, rows * cols));
      out = next;
    }
    const at = rows * cols;
    forColumns(path, b, opts.fillNa, (v, r, k, name) => {
      const bad = encodeFixedInto(v, out!, at + r * cols + k, cols, fracBits);
      if (bad >= 0) {
        const { min, max } = fixedRange(fracBits);
        throw new ValueError(`\`${path}\` row ${b.firstRow + r + bad + 1}, column \`${name}\`: the value is outside the fixed-point range (${min}, ${max}) of ${fracBits} fractional bits`);
      }
    });
    rows += b.batch.numRows;
    columns = b.feature.map((c) => b.names[c]!);
    const bi = batchIds(b);
    if (ids && bi) for (const id of bi) ids.push(id);
  }
  if (!columns || !out || rows === 0) throw new ValueError(`\`${path}\`: the table has no rows`);
  let values = out.subarray(0, rows * columns.length);
  if (opts.ids) ({ values, rows } = alignRows(path, { values, rows, columns, ids }, opts.ids));
  return new RingTensor([rows, columns.length], 'u64', getBackend().upload(values, 'u64'));
}

/** Bytes of one row of `batch` in the file: fixed-width columns exactly, others as in this batch. */
function rowBytes(batch: RecordBatch): number {
  let bytes = 0;
  for (const d of batch.data.children) {
    const width = (d.type as unknown as { bitWidth?: number }).bitWidth ?? (d.typeId === Type.Float ? [16, 32, 64][(d.type as unknown as { precision: number }).precision] : undefined);
    bytes += width ? width / 8 : Math.max(1, (d.values?.byteLength ?? 0) + (d.valueOffsets?.byteLength ?? 0)) / Math.max(1, d.length);
  }
  return Math.max(1, bytes);
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
  return readArrowFixed(ctx.resolvePath(path), loaderTableOptions('arrow', args, ctx), fracBits as number);
});
