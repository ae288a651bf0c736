/**
 * The CSV loader's parallel path (files of 16 MiB and more, parsed by worker threads one range
 * of whole lines each): every row once and in order, IDs aligned, a bad record named by its
 * row in the whole file, and a quoted field with a newline (which sends the file to one stream).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValueError } from '../../src/errors.js';
import { readCsv } from '../../src/data/index.js';
import { testTmpDir } from '../helpers/tmp.js';

const dir = testTmpDir('csv-par-');
const ROWS = 500_000; // ~17.5 MiB with the columns below: over the 16 MiB of the parallel path

function body(rows: number, cell: (r: number) => string): string {
  const lines = ['id,a,b,c'];
  for (let r = 0; r < rows; r++) lines.push(`r${r},${cell(r)},${-r / 8},0.123456789`);
  return lines.join('\n') + '\n';
}

test('a large file: every row once, in order, with its ID', async () => {
  const p = join(dir, 'big.csv');
  writeFileSync(p, body(ROWS, (r) => String(r)));
  assert.ok(statSync(p).size >= 16 << 20, 'large enough for the parallel path');
  const t = await readCsv(p, { idColumn: 'id' });
  assert.is(t.rows, ROWS);
  assert.equal(t.columns, ['a', 'b', 'c']);
  let ok = true;
  for (let r = 0; r < ROWS && ok; r++) ok = t.values[3 * r] === r && t.values[3 * r + 1] === -r / 8 && t.ids![r] === `r${r}`;
  assert.ok(ok, 'values and IDs in file order');
});

test('a bad cell late in the file is named by its row in the whole file', async () => {
  const p = join(dir, 'bad.csv');
  const bad = ROWS - 10;
  writeFileSync(p, body(ROWS, (r) => (r === bad ? 'oops' : String(r))));
  try { await readCsv(p, { idColumn: 'id' }); assert.unreachable('expected a ValueError'); } catch (e) {
    assert.instance(e, ValueError);
    assert.match((e as Error).message, new RegExp(`bad\\.csv\` row ${bad + 1}, column \`a\`: expected a number, found text$`));
  }
});

test('a quoted field holding a newline: parsed as one stream, correctly', async () => {
  const p = join(dir, 'quoted.csv');
  const text = body(ROWS, (r) => String(r)).replace('\nr5,', '\n"r\n5",');
  writeFileSync(p, text);
  const t = await readCsv(p, { idColumn: 'id' });
  assert.is(t.rows, ROWS);
  assert.is(t.ids![5], 'r\n5');
  assert.is(t.values[3 * (ROWS - 1)], ROWS - 1);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
