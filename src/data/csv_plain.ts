/**
 * The CSV loader's fast path for plain files: lines of unquoted ASCII fields, which is what
 * numeric tables written by pandas, R or a database export look like. csv-parse spends about
 * 400 ns per field on this machine (its state machine handles quotes, escapes, trimming and
 * record-delimiter detection); splitting a plain line at its delimiters and reading plain
 * decimals from the bytes gives the same records about three times faster (one thread: 146–159
 * against 404–505 k rows of 16 columns per second).
 *
 * The same records as csv-parse with {@link parserOptions}, by construction: the fast path only
 * accepts input where those options have nothing to do. Every byte must be a letter, a digit,
 * one of `. - + _ : / @`, the delimiter (one of `, ; |`) or `\n`. So there are no quotes (no
 * quoting or escaping), no spaces or tabs (nothing to trim), no `\r` (the record delimiter is
 * `\n`, and csv-parse's detection finds the same) and no bytes beyond ASCII (UTF-8 decoding is
 * the identity). An empty line is skipped, as `skip_empty_lines` does; a last line without
 * `\n` is a record. On the first other byte the fast path gives up (`undefined`) and the caller
 * reads the part with csv-parse from its start, so the result never mixes the two.
 *
 * Rows count, and bad rows fail, exactly as in {@link readRecords}: the same checks
 * ({@link cellValue}) in the same order, and the records before the first byte that makes the
 * fast path give up are the ones csv-parse delivers there.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CsvRowError, cellValue, readRecords, type RecordPart, type RecordPlan } from './csv_records.js';
import { Growable } from './table.js';

/** Delimiters the fast path handles. */
const PLAIN_DELIMITERS = new Set([',', ';', '|']);

/** 1 for the bytes a plain field may hold. */
const FIELD_BYTES = (() => {
  const t = new Uint8Array(256);
  for (const ch of '0123456789.-+_:/@') t[ch.charCodeAt(0)] = 1;
  for (let c = 65; c <= 90; c++) t[c] = t[c + 32] = 1;
  return t;
})();

/** Whether every byte of `chunk` may appear in a plain file with delimiter byte `d`. */
function plainBytes(chunk: Buffer, d: number): boolean {
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i]!;
    if (FIELD_BYTES[b] === 0 && b !== d && b !== 10) return false;
  }
  return true;
}

/** Lines (newlines) in `chunk`. */
function linesIn(chunk: Buffer): number {
  let n = 0;
  for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) n++;
  return n;
}

/** 10^k for k ≤ 15, exact as doubles. */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * The value of the plain decimal in bytes [from, to) of `b` (an optional sign, then at most 15
 * digits with at most one `.` among them, at least one digit), or NaN for any other text (the
 * caller then reads it as `Number` does). Exactly `Number`'s value: the digits make an integer
 * m < 10^15 < 2^53 and 10^k is exact, so the one rounding of m / 10^k is the correctly rounded
 * decimal (Clinger's fast path).
 */
function plainDecimal(b: Buffer, from: number, to: number): number {
  let i = from;
  const sign = b[i];
  if (sign === 45 || sign === 43) i++; // - or +
  let m = 0, digits = 0, point = -1;
  for (; i < to; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57) { m = m * 10 + (c - 48); digits++; } else if (c === 46 && point < 0) point = digits;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const v = point < 0 || point === digits ? m : m / POW10[digits - point]!;
  return sign === 45 ? -v : v;
}

/**
 * The records of bytes [start, end] of `path` (the whole file by default) when it is plain
 * (see the module comment), or undefined when it is not (the caller uses csv-parse).
 * `skipFirst` drops the first record (the header). Throws {@link CsvRowError} for a bad row,
 * with its row relative to the part.
 * @example
 * ```ts
 * const part = (await readPlainRecords(path, plan, ',')) ?? (await readRecords(path, plan, ','));
 * ```
 */
export async function readPlainRecords(path: string, plan: RecordPlan, delimiter: string, range: { start?: number; end?: number; skipFirst?: boolean } = {}): Promise<RecordPart | undefined> {
  if (!PLAIN_DELIMITERS.has(delimiter)) return undefined;
  const d = delimiter.charCodeAt(0);
  const { names, feature, id, fillNa } = plan;
  const width = names.length;
  // sized from the first chunk's lines: growing by doubling costs a copy and fresh pages each time
  let out: Growable | undefined;
  const ids: string[] | undefined = id === undefined ? undefined : [];
  // field k of the current line is bytes [starts[k], ends[k])
  const starts = new Int32Array(width), ends = new Int32Array(width);
  let row = 0;
  let skip = range.skipFirst ?? false;
  let carry: Buffer = Buffer.alloc(0);

  /** The record in bytes [from, to) of `b` (one line, no `\n`). */
  const record = (b: Buffer, from: number, to: number): void => {
    if (from === to) return; // an empty line
    if (skip) { skip = false; return; }
    row++;
    let fields = 0, at = from;
    for (let i = from; i <= to; i++) {
      if (i < to && b[i] !== d) continue;
      if (fields < width) { starts[fields] = at; ends[fields] = i; }
      fields++;
      at = i + 1;
    }
    if (fields !== width) throw new CsvRowError(row, `: ragged row with ${fields} fields, expected ${width}`);
    const base = out!.reserve(feature.length);
    const buf = out!.raw;
    for (let k = 0; k < feature.length; k++) {
      const c = feature[k]!;
      const v = plainDecimal(b, starts[c]!, ends[c]!);
      buf[base + k] = v === v ? v : cellValue(b.toString('latin1', starts[c]!, ends[c]!), c, row, names, fillNa);
    }
    if (ids) ids.push(b.toString('latin1', starts[id!]!, ends[id!]!));
  };

  const bytes = (range.end ?? (await stat(path)).size - 1) + 1 - (range.start ?? 0);
  const source = createReadStream(path, { highWaterMark: 1 << 20, start: range.start, end: range.end });
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (!plainBytes(chunk, d)) return undefined;
      // a row takes at least `width` bytes (its delimiters and newline), so the bytes cap the estimate
      out ??= new Growable(Math.min(Math.ceil((bytes / chunk.length) * (linesIn(chunk) + 1) * 1.02), Math.ceil(bytes / width)) * feature.length);
      const b = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      let at = 0;
      for (let nl = b.indexOf(10); nl >= 0; nl = b.indexOf(10, at)) {
        record(b, at, nl);
        at = nl + 1;
      }
      carry = Buffer.from(b.subarray(at)); // a copy: the rest of the chunk is not kept
    }
  } finally {
    source.destroy();
  }
  out ??= new Growable(feature.length);
  record(carry, 0, carry.length);
  const values = out.view();
  // an estimate from a first chunk of short lines can be far too large: keep only what is used
  return { values: values.length * 1.25 < out.raw.length ? values.slice() : values, rows: row, ids, quoted: false };
}

/**
 * One part of a CSV file as records: the fast path where the bytes are plain, csv-parse
 * otherwise (see the module comment). `bodyStart`, when given, is where the records after the
 * header begin (the header line is plain and has no `\r`, so csv-parse would split the rest
 * there too): the fast path starts there instead of skipping the first record, so a header
 * with spaces or other text does not send a plain body to csv-parse.
 * @example
 * ```ts
 * const part = await readPart('a.csv', plan, ',', { skipFirst: true });
 * ```
 */
export async function readPart(path: string, plan: RecordPlan, delimiter: string, range: { start?: number; end?: number; skipFirst?: boolean }, bodyStart?: number): Promise<RecordPart> {
  const plain = await readPlainRecords(path, plan, delimiter, bodyStart === undefined ? range : { ...range, start: bodyStart, skipFirst: false });
  return plain ?? readRecords(path, plan, delimiter, range);
}
