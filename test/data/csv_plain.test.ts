/**
 * The CSV loader's plain fast path (src/data/csv_plain.ts) against csv-parse: the same records,
 * bit for bit (every value compared with Object.is, so -0 and rounding count), the same row
 * errors, and a refusal (`undefined`) for every byte csv-parse's options would act on.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPart, readPlainRecords } from '../../src/data/csv_plain.js';
import { CsvRowError, readRecords, type RecordPart, type RecordPlan } from '../../src/data/csv_records.js';
import { readCsv } from '../../src/data/index.js';
import { testTmpDir } from '../helpers/tmp.js';

const dir = testTmpDir('csv-plain-');
let files = 0;
function file(text: string): string {
  const p = join(dir, `f${files++}.csv`);
  writeFileSync(p, text, 'latin1');
  return p;
}

const plan = (width: number, extra: Partial<RecordPlan> = {}): RecordPlan => ({
  names: Array.from({ length: width }, (_, c) => `c${c}`),
  feature: Array.from({ length: width }, (_, c) => c).filter((c) => c !== extra.id),
  ...extra,
});

/** The outcome of reading: the part, or the row error's row and tail. */
async function outcome(read: () => Promise<RecordPart | undefined>): Promise<RecordPart | { row: number; tail: string } | undefined> {
  try { return await read(); } catch (e) {
    if (e instanceof CsvRowError) return { row: e.row, tail: e.tail };
    throw e;
  }
}

/** Asserts that the fast path accepts `text` and agrees with csv-parse on it. */
async function agrees(text: string, p: RecordPlan, delimiter = ',', range: { skipFirst?: boolean } = {}): Promise<void> {
  const path = file(text);
  const fast = await outcome(() => readPlainRecords(path, p, delimiter, range));
  const slow = await outcome(() => readRecords(path, p, delimiter, range));
  assert.ok(fast !== undefined, `the fast path took ${JSON.stringify(text.slice(0, 60))}`);
  if ('tail' in slow!) {
    assert.equal(fast, slow, 'the same row error');
    return;
  }
  const f = fast as RecordPart, s = slow as RecordPart;
  assert.is(f.rows, s.rows, 'rows');
  assert.equal(f.ids, s.ids, 'IDs');
  assert.is(f.values.length, s.values.length, 'values');
  for (let k = 0; k < s.values.length; k++) {
    if (!Object.is(f.values[k], s.values[k])) assert.unreachable(`value ${k}: ${f.values[k]} (fast) against ${s.values[k]} (csv-parse)`);
  }
}

/** A deterministic generator (not for secrets). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
}

/** Cells in the plain byte set: decimals of every shape, and text the loader reads otherwise. */
function cell(r: () => number): string {
  const u = r();
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(r() * 10))).join('');
  if (u < 0.5) {
    const sign = ['', '-', '+'][Math.floor(r() * 3)];
    const a = digits(Math.floor(r() * 9)), b = digits(Math.floor(r() * 10));
    return sign + (r() < 0.8 ? `${a || '0'}.${b}` : a || '0');
  }
  if (u < 0.6) return digits(14 + Math.floor(r() * 6)); // around 15 digits: both sides of the fast rule
  if (u < 0.7) return (r() * 2000 - 1000).toString(); // shortest round-trip form, up to 17 digits
  if (u < 0.75) return `${digits(2)}e-${digits(1)}`;
  if (u < 0.8) return ['-0', '0', '0.0', '-0.0', '.5', '5.', '-.25', '007', '+0'][Math.floor(r() * 9)]!;
  if (u < 0.85) return ['', 'na', 'NaN', 'null', 'NULL'][Math.floor(r() * 5)]!;
  return (r() * 100).toFixed(Math.floor(r() * 8));
}

test('random decimal tables: the same values as csv-parse, bit for bit', async () => {
  const r = lcg(7);
  for (let t = 0; t < 6; t++) {
    const width = 1 + Math.floor(r() * 6);
    const lines: string[] = [];
    for (let row = 0; row < 3000; row++) lines.push(Array.from({ length: width }, () => cell(r)).join(','));
    await agrees(lines.join('\n') + '\n', plan(width, { fillNa: -7 }));
  }
});

test('edge values: -0, signs, points at either end, 15 and 16 digits', async () => {
  const cells = ['-0', '+0', '0', '-0.0', '.5', '5.', '-.5', '+.5', '123456789012345', '1234567890123456', '0.000000000000001', '99999999999999.9', '-999999999999999', '1.7976931348623157', '4.9e-324', '0.1', '0.30000000000000004'];
  await agrees(cells.join('\n') + '\n', plan(1));
  for (const c of cells) assert.ok(Object.is((await readPlainRecords(file(`${c}\n`), plan(1), ','))!.values[0], Number(c)), c);
});

test('line structure: empty lines, no final newline, several final newlines, header skipped', async () => {
  await agrees('a,b\n\n1,2\n\n\n3,4', plan(2), ',', { skipFirst: true });
  await agrees('\n\n1,2\n3,4\n\n', plan(2));
  await agrees('1,2', plan(2));
  await agrees('', plan(2));
  await agrees(',\n,\n', plan(2, { fillNa: 0 }));
});

test('IDs and other delimiters', async () => {
  await agrees('id;x\nA-1;1.5\nb_2:x/y@z;-2\nC3;3\n', plan(2, { id: 0 }), ';', { skipFirst: true });
  await agrees('x|id|y\n1|q|2\n3|r|4\n', plan(3, { id: 1 }), '|', { skipFirst: true });
});

test('bad rows: the same error at the same row as csv-parse', async () => {
  await agrees('1,2\n3,4\n5\n6,7\n', plan(2)); // ragged, short
  await agrees('1,2\n3,4,5\n', plan(2)); // ragged, long
  await agrees('1,2\n3,oops\n', plan(2)); // text
  await agrees('1,2\n3,\n', plan(2)); // missing without fillNa
  await agrees('1,2\n3,NA\n', plan(2)); // the same
  await agrees('h1,h2\n1,2\n\n3,x\n', plan(2), ',', { skipFirst: true }); // empty lines do not count
});

test('anything csv-parse would act on sends the file to csv-parse', async () => {
  for (const text of ['1,"2"\n', '1, 2\n', '1,2\r\n3,4\r\n', '1\t,2\n', '1,2\n3,é\n', '\ufeff1,2\n', '1,2 \n']) {
    assert.is(await readPlainRecords(file(text), plan(2), ','), undefined, JSON.stringify(text));
  }
  assert.is(await readPlainRecords(file('1\t2\n'), plan(2), '\t'), undefined, 'tab delimiter');
  assert.is(await readPlainRecords(file('1::2\n'), plan(2), '::'), undefined, 'multi-character delimiter');
  // and readPart then reads it with csv-parse: spaces trimmed, quotes removed
  const part = await readPart(file('a,b\n1, "2"\n'), plan(2), ',', { skipFirst: true });
  assert.equal([...part.values], [1, 2]);
});

test('a header with spaces before a plain body: read from the byte after the header line', async () => {
  const text = 'first name,amount due\nann,1.5\nbob,-2\n';
  const path = file(text);
  const p = plan(2, { id: 0 });
  assert.is(await readPlainRecords(path, p, ',', { skipFirst: true }), undefined, 'the header is not plain');
  const body = await readPlainRecords(path, p, ',', { start: text.indexOf('\n') + 1 });
  const slow = await readRecords(path, p, ',', { skipFirst: true });
  assert.equal(body, slow);
  const t = await readCsv(path, { idColumn: 'first name' });
  assert.equal(t.ids, ['ann', 'bob']);
  assert.equal([...t.values], [1.5, -2]);
});

test('a first line that csv-parse skips as blank (UTF-8 whitespace: NBSP, BOM) is not taken for the header', async () => {
  for (const blank of ['\u00a0', '\ufeff', '\u2003 \u00a0']) {
    const path = join(dir, `blank${files++}.csv`);
    writeFileSync(path, `${blank}\nx,y\n1,2\n`, 'utf8');
    const t = await readCsv(path);
    assert.equal(t.columns, ['x', 'y'], JSON.stringify(blank));
    assert.equal([...t.values], [1, 2]);
  }
});

test('short lines first, long ones after: the values array is sized to what was read', async () => {
  const long = Array.from({ length: 60 }, (_, c) => String(c)).join(',');
  const text = '\n'.repeat(1.2 * 2 ** 20) + Array.from({ length: 300 }, () => long).join('\n') + '\n';
  const part = (await readPlainRecords(file(text), plan(60), ','))!;
  assert.is(part.rows, 300);
  assert.is(part.values.length, 300 * 60);
  assert.ok(part.values.buffer.byteLength <= 1.25 * 8 * 300 * 60, `kept ${part.values.buffer.byteLength} bytes for ${8 * 300 * 60}`);
  assert.is(part.values[300 * 60 - 1], 59);
});

test('a CRLF file still loads (csv-parse)', async () => {
  const t = await readCsv(file('x,y\r\n1,2\r\n3,4\r\n'));
  assert.equal([...t.values], [1, 2, 3, 4]);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
