/**
 * The record loop of the CSV loader, shared by the single-stream reader and the parallel
 * workers (csv_worker.ts): csv-parse options, synchronous draining of a parser, and the
 * conversion of one record's selected cells into float64 values. A bad record throws a
 * {@link CsvRowError} with its row relative to the part being read; the caller adds the rows
 * before that part and names the file.
 */
import { createReadStream } from 'node:fs';
import { parse, type Options } from 'csv-parse';
import { Growable } from './table.js';

/**
 * A bad record: its 1-based row within the part read, and the message after "row N".
 * @example
 * ```ts
 * throw new CsvRowError(3, ': ragged row with 2 fields, expected 3');
 * ```
 */
export class CsvRowError extends Error {
  constructor(readonly row: number, readonly tail: string) { super(`row ${row}${tail}`); }
}

/**
 * csv-parse options of the loader.
 * @example
 * ```ts
 * parse(parserOptions(';'));
 * ```
 */
export const parserOptions = (delimiter: string): Options => ({ delimiter, relax_column_count: true, trim: true, skip_empty_lines: true });

const MISSING = new Set(['', 'na', 'nan', 'null']);

/** What {@link readRecords} needs to know about the table (from its header). */
export interface RecordPlan { names: string[]; feature: number[]; id?: number; fillNa?: number }

/** The records of a part: row-major values of the selected columns, the IDs, and whether a quote was seen. */
export interface RecordPart { values: Float64Array; rows: number; ids?: string[]; quoted: boolean }

/**
 * The float64 value of `cell`, column `c` of record `row`: a number (as `Number` reads it), or
 * `fillNa` for a missing value (empty, `na`, `nan` or `null` in any case). Throws a
 * {@link CsvRowError} for a missing value without `fillNa`, and for text.
 * @example
 * ```ts
 * cellValue('1.5', 0, 1, ['x']); // 1.5
 * cellValue('NA', 0, 1, ['x'], 0); // 0
 * ```
 */
export function cellValue(cell: string, c: number, row: number, names: readonly string[], fillNa?: number): number {
  const v = Number(cell);
  if (v === v && v !== 0 && Number.isFinite(v)) return v; // the common case: one conversion
  if (MISSING.has(cell.toLowerCase())) {
    if (fillNa === undefined) throw new CsvRowError(row, `, column \`${names[c]}\`: missing value (pass \`fillNa\` to fill it)`);
    return fillNa;
  }
  if (!Number.isFinite(v)) throw new CsvRowError(row, `, column \`${names[c]}\`: expected a number, found text`);
  return v;
}

/**
 * Parses bytes [start, end] of `path` (the whole file by default) and converts each record.
 * `skipFirst` drops the first record (the header). Rejects with the stream's error, a
 * csv-parse error or a {@link CsvRowError}.
 * @example
 * ```ts
 * const part = await readRecords('a.csv', plan, ',', { start: 0, end: 1 << 20 });
 * ```
 */
export async function readRecords(path: string, plan: RecordPlan, delimiter: string, range: { start?: number; end?: number; skipFirst?: boolean } = {}): Promise<RecordPart> {
  const source = createReadStream(path, { highWaterMark: 1 << 20, start: range.start, end: range.end });
  let quoted = false;
  source.on('data', (chunk) => { if (!quoted && (chunk as Buffer).indexOf(34) >= 0) quoted = true; });
  const parser = source.pipe(parse(parserOptions(delimiter)));
  source.on('error', (e) => parser.destroy(e));
  const { names, feature, id, fillNa } = plan;
  const out = new Growable();
  const ids: string[] | undefined = id === undefined ? undefined : [];
  let row = 0;
  let skip = range.skipFirst ?? false;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown) => { if (!failed) { failed = true; parser.destroy(); source.destroy(); reject(e); } };
    parser.on('readable', () => {
      try {
        let record: string[] | null;
        while (!failed && (record = parser.read() as string[] | null) !== null) {
          if (skip) { skip = false; continue; }
          row++;
          if (record.length !== names.length) throw new CsvRowError(row, `: ragged row with ${record.length} fields, expected ${names.length}`);
          const at = out.reserve(feature.length);
          const buf = out.raw;
          for (let k = 0; k < feature.length; k++) buf[at + k] = cellValue(record[feature[k]!]!, feature[k]!, row, names, fillNa);
          if (ids) ids.push(record[id!]!);
        }
      } catch (e) { fail(e); }
    });
    parser.once('error', fail);
    parser.once('end', () => { if (!failed) resolve(); });
  });
  return { values: out.view(), rows: row, ids, quoted };
}
