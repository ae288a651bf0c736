/**
 * TFE_EVENTS (issue 21, item 2): event files whose records decode with an independent reader
 * written here from the TFRecord and protobuf wire-format specs (its own CRC32C and varint
 * decoding, not the writer's), with the expected scalar tags and steps.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { testTmpDir } from '../helpers/tmp.js';

// ---- an independent reader ----------------------------------------------------------------

function crc32c(bytes: Uint8Array): number {
  let crc = ~0 >>> 0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return ~crc >>> 0;
}
const mask = (c: number) => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;

function records(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < buf.length;) {
    const len = Number(buf.readBigUInt64LE(off));
    assert.is(buf.readUInt32LE(off + 8), mask(crc32c(buf.subarray(off, off + 8))), 'length CRC');
    const data = buf.subarray(off + 12, off + 12 + len);
    assert.is(buf.readUInt32LE(off + 12 + len), mask(crc32c(data)), 'data CRC');
    out.push(data);
    off += 16 + len;
  }
  return out;
}

type Field = { no: number; wire: number; value: bigint | Buffer };
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = () => { let v = 0n, s = 0n; for (;;) { const b = buf[i++]; v |= BigInt(b & 0x7f) << s; s += 7n; if (!(b & 0x80)) return v; } };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >> 3, wire = key & 7;
    if (wire === 0) out.push({ no, wire, value: varint() });
    else if (wire === 1) { out.push({ no, wire, value: buf.subarray(i, i + 8) }); i += 8; }
    else if (wire === 5) { out.push({ no, wire, value: buf.subarray(i, i + 4) }); i += 4; }
    else if (wire === 2) { const n = Number(varint()); out.push({ no, wire, value: buf.subarray(i, i + n) }); i += n; }
    else throw new Error(`wire type ${wire}`);
  }
  return out;
}

interface Scalar { step: number; tag: string; value: number }
function scalars(path: string): { version?: string; values: Scalar[] } {
  let version: string | undefined;
  const values: Scalar[] = [];
  for (const r of records(readFileSync(path))) {
    const f = fields(r);
    const step = Number((f.find((x) => x.no === 2)?.value as bigint | undefined) ?? 0n);
    const fv = f.find((x) => x.no === 3);
    if (fv) version = (fv.value as Buffer).toString('utf8');
    const summary = f.find((x) => x.no === 5);
    if (!summary) continue;
    for (const v of fields(summary.value as Buffer).filter((x) => x.no === 1)) {
      const vf = fields(v.value as Buffer);
      values.push({ step, tag: (vf.find((x) => x.no === 1)!.value as Buffer).toString('utf8'), value: (vf.find((x) => x.no === 2)!.value as Buffer).readFloatLE(0) });
    }
  }
  return { version, values };
}

const eventFiles = (dir: string) => readdirSync(dir, { recursive: true }).map(String).filter((f) => f.includes('events.out.tfevents')).map((f) => join(dir, f));

// ---- tests --------------------------------------------------------------------------------

function model() {
  const m = tfe.sequential({ layers: [tfe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2], kernelInitializer: 'zeros' })] });
  m.compile({ optimizer: tfe.train.sgd(0.5), loss: 'binaryCrossentropy' });
  return m;
}
const xs = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(i)]);
const ys = xs.map((r) => [r[0] > r[1] ? 1 : 0]);

test('tfe.callbacks.tensorBoard writes batch and epoch scalars that decode independently', async () => {
  tfe.setProtocol(new tfe.SecureNN());
  const dir = testTmpDir('events-cb');
  const h = await model().fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0, validationSplit: 1 / 3, callbacks: tfe.callbacks.tensorBoard(dir) });
  const files = eventFiles(dir);
  assert.is(files.length, 1);
  const { version, values } = scalars(files[0]);
  assert.is(version, 'brain.Event:2');
  const batch = values.filter((v) => v.tag === 'batch/loss');
  assert.equal(batch.map((v) => v.step), [1, 2, 3, 4], '2 batches of 4 per epoch, 2 epochs');
  const epoch = values.filter((v) => v.tag === 'epoch/loss');
  assert.equal(epoch.map((v) => v.step), [1, 2]);
  epoch.forEach((v, i) => assert.ok(Math.abs(v.value - h.history.loss[i]) < 1e-6));
  assert.equal(values.filter((v) => v.tag === 'epoch/val_loss').map((v) => v.step), [1, 2]);
});

test('setEvents: fit writes on its own, and each tagged run writes per-player counts', async () => {
  tfe.setProtocol(new tfe.Pond());
  const dir = testTmpDir('events-set');
  tfe.setEvents(dir);
  try {
    await model().fit(xs, ys, { epochs: 1, batchSize: 6, verbose: 0 });
    const x = await tfe.definePrivateInput('data-owner', () => [1, 2, 3]);
    for (let k = 0; k < 2; k++) await tfe.tag('square', () => tfe.mul(x, x).reveal());
  } finally { tfe.setEvents(undefined); }
  const all = eventFiles(dir).flatMap((f) => scalars(f).values);
  assert.equal(all.filter((v) => v.tag === 'batch/loss').map((v) => v.step), [1, 2]);
  for (const p of ['server0', 'server1', 'server2']) {
    const inst = all.filter((v) => v.tag === `square/${p}/instructions`);
    assert.equal(inst.map((v) => v.step), [1, 2], p);
    assert.ok(inst.every((v) => v.value > 0));
  }
  assert.ok(all.some((v) => v.tag === 'square/server0/bytes_sent' && v.value > 0));
  assert.ok(all.some((v) => v.tag === 'square/server0/rounds' && v.value >= 1));
});

test.run();
