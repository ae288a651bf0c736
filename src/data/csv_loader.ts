/**
 * `tfe.data.csv`: a CSV table read on its owner's player with `csv-parse`, streamed record by
 * record (the file is never held whole as text), encoded to fixed point there. Only the
 * encoded tensor's shares leave the player. Files of 16 MiB and more are parsed by worker
 * threads in parallel, one range of whole lines each (csv-parse is byte-at-a-time JavaScript:
 * one core parses about 40 MB/s); a file with a quote character anywhere is parsed as one
 * stream, since a quoted field may hold a newline.
 */
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parse as parseSync } from 'csv-parse/sync';
import { ValueError } from '../errors.js';
import { getBackend } from '../kernels/engine.js';
import { allocU64, encodeFixedInto, fixedRange } from '../kernels/fixed_point.js';
import { RingTensor } from '../kernels/ring_tensor.js';
import { registerLoader } from '../runtime/player/data_sources.js';
import { CsvRowError, parserOptions, type RecordPart, type RecordPlan } from './csv_records.js';
import { readPart } from './csv_plain.js';
import { alignRows, pickColumns, loaderTableOptions, type NumericTable, type TableOptions } from './table.js';

/**
 * Options of {@link csv} and {@link readCsv}.
 * @example
 * ```ts
 * const opts: tfe.data.CsvOptions = { columns: ['age', 'income'], idColumn: 'id', header: true };
 * ```
 */
export interface CsvOptions extends TableOptions {
  /** Whether the first record names the columns (default true). */
  header?: boolean;
  /** Field delimiter (default `,`). */
  delimiter?: string;
}

/** Files at least this large are parsed by worker threads, one byte range (whole lines) each. */
const PARALLEL_BYTES = 16 << 20;

/** The worker's module; from TypeScript sources (tsx), the worker registers tsx first. */
const workerEntry = import.meta.url.endsWith('.ts')
  ? { code: `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => m.register()).then(() => import(${JSON.stringify(new URL('./csv_worker.ts', import.meta.url).href)}))`, eval: true }
  : { code: new URL('./csv_worker.js', import.meta.url), eval: false };

/** The parsed parts of a CSV file, in file order, and the selected columns' names. */
interface CsvParts { parts: RecordPart[]; rows: number; columns: string[] }

/**
 * The first record of the file (from its first MiB) and, when that record is the whole first
 * line (no quote in it, no empty lines before it), the byte after that line; `cr` when that
 * line holds a `\r` (then csv-parse, reading the whole file, may split the rest at `\r\n`).
 */
async function firstRecord(path: string, delimiter: string): Promise<{ record?: string[]; next?: number; cr?: boolean }> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(1 << 20);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const text = head.subarray(0, bytesRead);
    const records = parseSync(text, { ...parserOptions(delimiter), to: 1 }) as string[][];
    const nl = text.indexOf(10);
    const line = text.subarray(0, nl < 0 ? 0 : nl);
    // blank as csv-parse's trim sees it: its whitespace (Unicode's, UTF-8) is all in String#trim's
    const plain = nl >= 0 && line.indexOf(34) < 0 && line.toString('utf8').trim().length > 0;
    return { record: records[0], next: plain ? nl + 1 : undefined, cr: line.indexOf(13) >= 0 };
  } finally {
    await fh.close();
  }
}

/** Line starts that split [from, size) into about `n` ranges; undefined if a range has no newline nearby. */
async function splitPoints(path: string, from: number, size: number, n: number): Promise<number[] | undefined> {
  const fh = await open(path, 'r');
  try {
    const points = [from];
    for (let k = 1; k < n; k++) {
      const at = from + Math.floor(((size - from) * k) / n);
      const win = Buffer.alloc(1 << 16);
      const { bytesRead } = await fh.read(win, 0, win.length, at);
      const nl = win.subarray(0, bytesRead).indexOf(10);
      if (nl < 0 || at + nl + 1 >= size) return undefined;
      points.push(at + nl + 1);
    }
    return points;
  } finally {
    await fh.close();
  }
}

function runWorker(path: string, plan: RecordPlan, delimiter: string, start: number, end: number): Promise<{ part?: RecordPart; row?: number; tail?: string; failure?: string }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerEntry.code, { eval: workerEntry.eval, workerData: { path, plan, delimiter, start, end } });
    w.once('message', (m) => { resolve(m); void w.terminate(); });
    w.once('error', reject);
  });
}

/**
 * Parses the file: large files without quotes in parallel (each worker a range of whole lines;
 * a quote anywhere sends the file to one stream, as a quoted field may hold a newline).
 */
async function readParts(path: string, opts: CsvOptions): Promise<CsvParts> {
  const header = opts.header ?? true;
  const delimiter = opts.delimiter ?? ',';
  let size: number;
  try { size = (await stat(path)).size; } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValueError(`\`${path}\`: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`);
  }
  let first: Awaited<ReturnType<typeof firstRecord>>;
  try { first = await firstRecord(path, delimiter); } catch (e) {
    throw new ValueError(`\`${path}\`: cannot read as CSV (${(e as NodeJS.ErrnoException).code ?? 'parse error'} near row 1)`);
  }
  if (!first.record) throw new ValueError(`\`${path}\`: the file is empty (expected ${header ? 'a header and ' : ''}rows)`);
  const names = header ? first.record : first.record.map((_, i) => String(i));
  const plan: RecordPlan = { names, ...pickColumns(path, names, opts.columns, opts.idColumn), fillNa: opts.fillNa };
  const columns = plan.feature.map((c) => names[c]!);
  const threads = Math.min(availableParallelism(), 4);
  const points = size >= PARALLEL_BYTES && threads > 1 && first.next !== undefined
    ? await splitPoints(path, header ? first.next : 0, size, threads) : undefined;
  let parts: RecordPart[] | undefined;
  if (points) {
    const ends = [...points.slice(1), size];
    const got = await Promise.all(points.map((start, k) => runWorker(path, plan, delimiter, start, ends[k]! - 1)));
    if (!got.some((g) => g.part?.quoted)) {
      let before = 0;
      for (const g of got) {
        if (g.failure) throw new ValueError(`\`${path}\`: cannot read as CSV (${g.failure} near row ${before + 1})`);
        if (g.row !== undefined) throw new ValueError(`\`${path}\` row ${before + g.row}${g.tail}`);
        before += g.part!.rows;
      }
      parts = got.map((g) => g.part!);
    }
  }
  if (!parts) {
    try {
      parts = [await readPart(path, plan, delimiter, { skipFirst: header }, header && !first.cr ? first.next : undefined)];
    } catch (e) {
      if (e instanceof CsvRowError) throw new ValueError(`\`${path}\` row ${e.row}${e.tail}`);
      throw new ValueError(`\`${path}\`: cannot read as CSV (${(e as NodeJS.ErrnoException).code ?? 'parse error'})`);
    }
  }
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  if (rows === 0) throw new ValueError(`\`${path}\`: no data rows after the header`);
  return { parts, rows, columns };
}

const partIds = (parts: RecordPart[]) => (parts[0]!.ids ? parts.flatMap((p) => p.ids!) : undefined);

/**
 * Reads the numeric columns of a CSV file (on the machine that holds it). Errors name the
 * file, the 1-based data row and the column: unknown column, text in a numeric column,
 * missing value without `fillNa`, ragged row, empty file, unreadable file.
 * @example
 * ```ts
 * const t = await readCsv('alice.csv', { idColumn: 'id' }); // t.values row-major, t.ids
 * ```
 */
export async function readCsv(path: string, opts: CsvOptions = {}): Promise<NumericTable> {
  const { parts, rows, columns } = await readParts(path, opts);
  const values = parts.length === 1 ? parts[0]!.values : new Float64Array(rows * columns.length);
  if (parts.length > 1) parts.reduce((at, p) => { values.set(p.values, at); return at + p.values.length; }, 0);
  const t: NumericTable = { values, rows, columns, ids: partIds(parts) };
  return opts.ids ? alignRows(path, t, opts.ids) : t;
}

/**
 * Reads a CSV file straight into a fixed-point `[rows, columns]` tensor (each parsed part
 * encoded into its rows of the result).
 * @example
 * ```ts
 * const t = await readCsvFixed('alice.csv', { idColumn: 'id' }, 16);
 * ```
 */
export async function readCsvFixed(path: string, opts: CsvOptions, fracBits: number): Promise<RingTensor> {
  const { parts, rows, columns } = await readParts(path, opts);
  const cols = columns.length;
  let values = allocU64(rows * cols);
  let at = 0;
  for (const p of parts) {
    const bad = encodeFixedInto(p.values, values, at, 1, fracBits);
    if (bad >= 0) {
      const { min, max } = fixedRange(fracBits);
      throw new ValueError(`\`${path}\` row ${Math.floor((at + bad) / cols) + 1}, column \`${columns[(at + bad) % cols]}\`: the value is outside the fixed-point range (${min}, ${max}) of ${fracBits} fractional bits`);
    }
    at += p.values.length;
  }
  let n = rows;
  if (opts.ids) ({ values, rows: n } = alignRows(path, { values, rows, columns, ids: partIds(parts) }, opts.ids));
  return new RingTensor([n, cols], 'u64', getBackend().upload(values, 'u64'));
}

/**
 * A CSV data source for `definePrivateInput`: the owner's player reads `path` (relative to
 * its data directory) and secret-shares the `[rows, columns]` matrix.
 * @example
 * ```ts
 * const x = await tfe.definePrivateInput('alice', tfe.data.csv('alice.csv', { idColumn: 'id' }));
 * ```
 */
export function csv(path: string, opts: CsvOptions = {}) {
  return { loader: 'csv', args: { path, ...opts } as Record<string, unknown> };
}

registerLoader('csv', async (args, ctx) => {
  const { path, fracBits = 16, header, delimiter } = args;
  if (typeof path !== 'string') throw new ValueError('csv loader: `path` must be a string');
  if (header !== undefined && typeof header !== 'boolean') throw new ValueError('csv loader: `header` must be a boolean');
  if (delimiter !== undefined && (typeof delimiter !== 'string' || delimiter.length === 0)) throw new ValueError('csv loader: `delimiter` must be a non-empty string');
  return readCsvFixed(ctx.resolvePath(path), { ...loaderTableOptions('csv', args, ctx), header: header as boolean | undefined, delimiter: delimiter as string | undefined }, fracBits as number);
});
