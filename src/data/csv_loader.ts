/**
 * `tfe.data.csv`: a CSV table read on its owner's player with `csv-parse`, streamed record by
 * record (the file is never held whole as text), encoded to fixed point there. Only the
 * encoded tensor's shares leave the player.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { ValueError } from '../errors.js';
import { encodeFixed } from '../kernels/fixed_point.js';
import { registerLoader } from '../runtime/player/data_sources.js';
import { alignRows, Growable, missingValue, pickColumns, loaderTableOptions, type NumericTable, type TableOptions } from './table.js';

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

const MISSING = new Set(['', 'na', 'nan', 'null']);

/** Records of `parser`, drained synchronously per readable turn (no promise per record). */
async function eachRecord(parser: ReturnType<typeof parse>, onRecord: (record: string[]) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown) => { if (!failed) { failed = true; parser.destroy(); reject(e); } };
    parser.on('readable', () => {
      try {
        let record: string[] | null;
        while (!failed && (record = parser.read() as string[] | null) !== null) onRecord(record);
      } catch (e) { fail(e); }
    });
    parser.once('error', fail);
    parser.once('end', () => { if (!failed) resolve(); });
  });
}

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
  const header = opts.header ?? true;
  const source = createReadStream(path, { highWaterMark: 1 << 20 });
  const parser = source.pipe(parse({ delimiter: opts.delimiter ?? ',', relax_column_count: true, trim: true, skip_empty_lines: true }));
  source.on('error', (e) => parser.destroy(e));
  const out = new Growable();
  const ids: string[] | undefined = opts.idColumn === undefined ? undefined : [];
  let names: string[] | undefined;
  let feature: number[] = [];
  let id: number | undefined;
  let row = 0;
  const cellValue = (cell: string, c: number): number => {
    const v = Number(cell);
    if (v === v && v !== 0 && Number.isFinite(v)) return v; // the common case: one conversion
    if (MISSING.has(cell.toLowerCase())) return missingValue(path, row, names![c]!, opts.fillNa);
    if (!Number.isFinite(v)) throw new ValueError(`\`${path}\` row ${row}, column \`${names![c]}\`: expected a number, found text`);
    return v;
  };
  try {
    await eachRecord(parser, (record) => {
      if (!names) {
        names = header ? record : record.map((_, i) => String(i));
        ({ feature, id } = pickColumns(path, names, opts.columns, opts.idColumn));
        if (header) return;
      }
      row++;
      if (record.length !== names.length) throw new ValueError(`\`${path}\` row ${row}: ragged row with ${record.length} fields, expected ${names.length}`);
      const at = out.reserve(feature.length);
      const buf = out.raw;
      for (let k = 0; k < feature.length; k++) buf[at + k] = cellValue(record[feature[k]!]!, feature[k]!);
      if (ids) ids.push(record[id!]!);
    });
  } catch (e) {
    parser.destroy();
    source.destroy();
    if (e instanceof ValueError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new ValueError(`\`${path}\`: no such file`);
    throw new ValueError(`\`${path}\`: cannot read as CSV (${err.code ?? 'parse error'} near row ${row + 1})`);
  }
  if (!names) throw new ValueError(`\`${path}\`: the file is empty (expected ${header ? 'a header and ' : ''}rows)`);
  if (row === 0) throw new ValueError(`\`${path}\`: no data rows after the header`);
  const t: NumericTable = { values: out.view(), rows: row, columns: feature.map((c) => names![c]!), ids };
  return opts.ids ? alignRows(path, t, opts.ids) : t;
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
  const t = await readCsv(ctx.resolvePath(path), { ...loaderTableOptions('csv', args, ctx), header: header as boolean | undefined, delimiter: delimiter as string | undefined });
  return encodeFixed(t.values, [t.rows, t.columns.length], { fracBits: fracBits as number });
});
