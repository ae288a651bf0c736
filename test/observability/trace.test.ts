/**
 * TFE_TRACE (issue 21, item 1): a traced run of simple-average yields a valid Chrome trace with
 * a track and spans on every player, the `average` tag on player spans, and nothing but names,
 * shapes, counts and timings — on LocalConfig and on real `tfe player` processes, whose track
 * files the driver merges with aligned clocks.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { startLocalCluster } from '../../src/runtime/transport/zmq/local_cluster.js';
import { PlayerRecorder, alignOffset, type TraceEvent } from '../../src/observability/trace.js';
import { INPUTTERS, demoVector, simpleAverage } from '../../examples/simple-average/run.js';
import { testTmpDir } from '../helpers/tmp.js';

const PLAYERS = ['server0', 'server1', 'server2', ...INPUTTERS, 'result-receiver'];
const ARG_KEYS = new Set(['index', 'waitMs', 'bytesSent', 'bytesReceived', 'shape', 'to', 'from', 'round', 'tag', 'player', 'instructions', 'name', 'sort_index']);

function checkTrace(path: string): TraceEvent[] {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEvent[] };
  assert.ok(Array.isArray(doc.traceEvents) && doc.traceEvents.length > 0);
  for (const e of doc.traceEvents) {
    assert.type(e.name, 'string');
    assert.ok(['X', 'M', 'i'].includes(e.ph), `phase ${e.ph}`);
    assert.ok(Number.isFinite(e.ts) && Number.isInteger(e.pid));
    if (e.ph === 'X') assert.ok(e.dur! > 0);
    for (const k of Object.keys(e.args ?? {})) assert.ok(ARG_KEYS.has(k), `unexpected arg ${k}`);
  }
  const names = new Map(doc.traceEvents.filter((e) => e.ph === 'M').map((e) => [e.pid, e.args!.name as string]));
  assert.is(names.get(0), 'driver');
  for (const p of PLAYERS) {
    const pid = [...names].find(([, n]) => n === p)?.[0];
    assert.ok(pid !== undefined, `a track for ${p}`);
    assert.ok(doc.traceEvents.some((e) => e.pid === pid && e.ph === 'X'), `spans on ${p}`);
  }
  const tagged = doc.traceEvents.filter((e) => e.pid !== 0 && e.args?.tag === 'average');
  assert.ok(tagged.length > 0, 'player spans carry the tag');
  assert.ok(doc.traceEvents.some((e) => e.pid === 0 && e.name === 'average'), 'the tag is a driver span');
  const sends = doc.traceEvents.filter((e) => e.pid !== 0 && e.cat === 'send');
  assert.ok(sends.some((e) => (e.args!.bytesSent as number) > 0), 'sends record their bytes');
  assert.ok(sends.every((e) => Number.isInteger(e.args!.round) && (e.args!.round as number) >= 1), 'sends record their round');
  return doc.traceEvents;
}

test('LocalConfig: setTrace + tag on simple-average gives a valid trace with every player', async () => {
  const dir = testTmpDir('trace-local');
  tfe.setConfig(new tfe.LocalConfig([], { log: () => undefined }));
  tfe.setProtocol(new tfe.Pond());
  tfe.setTrace(dir);
  let mean: Float64Array | undefined;
  await tfe.tag('average', () => simpleAverage(false, (m) => { mean = m; }));
  assert.ok(mean && Math.abs(mean[0] - INPUTTERS.reduce((a, _, i) => a + demoVector(i)[0], 0) / 5) < 1e-3);
  await tfe.getRuntime().close();
  const files = readdirSync(dir).filter((f) => f.startsWith('tfe-trace-'));
  assert.is(files.length, 1);
  checkTrace(join(dir, files[0]));
  tfe.setTrace(undefined);
});

test('networked: each tfe player writes its track; the driver merges them with aligned clocks', async () => {
  const dir = testTmpDir('trace-net');
  INPUTTERS.forEach((name, i) => writeFileSync(join(dir, `${name}.json`), JSON.stringify(demoVector(i))));
  const cluster = await startLocalCluster(PLAYERS, { playerFlags: ['--data-dir', dir, '--trace', dir] });
  try {
    tfe.setConfig(cluster.config);
    tfe.setProtocol(new tfe.Pond());
    tfe.setTrace(dir);
    await tfe.tag('average', () => simpleAverage(true));
    const session = tfe.getRuntime().session;
    await tfe.getRuntime().close();
    const events = checkTrace(join(dir, `tfe-trace-${session}.json`));
    for (const p of PLAYERS) assert.ok(readdirSync(dir).includes(`tfe-trace-${session}-${p}.json`), `${p} wrote its track`);
    // Aligned: no player span starts before the driver's first batch to that player.
    const firstBatch = Math.min(...events.filter((e) => e.pid === 0 && e.cat === 'batch').map((e) => e.ts));
    assert.ok(events.filter((e) => e.pid !== 0 && e.ph === 'X').every((e) => e.ts >= firstBatch - 1));
  } finally {
    tfe.setTrace(undefined);
    await cluster.stop();
  }
});

test('setTrace(undefined) and setTrace(false) turn tracing off; setTrace() uses ./tfe-traces', () => {
  tfe.setTrace(undefined);
  assert.is(tfe.traceDirectory(), undefined);
  const elsewhere = join(testTmpDir('trace-dir'), 'somewhere');
  tfe.setTrace(elsewhere);
  assert.is(tfe.traceDirectory(), elsewhere);
  tfe.setTrace(false);
  assert.is(tfe.traceDirectory(), undefined);
});

test('a tfe player recorder puts the process\'s garbage collections on row 2 of each traced session', async () => {
  const rec = new PlayerRecorder('server0');
  rec.observer.instruction!('s1', 'kernel', performance.now(), performance.now() + 0.1);
  rec.recordGarbageCollections();
  try {
    let keep = 0;
    for (let round = 0; round < 40; round++) {
      const junk: number[][] = [];
      for (let i = 0; i < 20_000; i++) junk.push([i, i + 1, i + 2]); // young garbage: scavenges
      keep += junk.length;
    }
    assert.ok(keep > 0);
    await new Promise((r) => setTimeout(r, 50)); // GC entries are delivered asynchronously
    const gc = rec.takeSession('s1').spans.filter((e) => e.cat === 'gc');
    assert.ok(gc.length > 0, 'at least one collection recorded');
    for (const e of gc) {
      assert.ok(e.name.startsWith('GC ') && e.tid === 2 && e.ph === 'X' && e.dur! > 0, JSON.stringify(e));
      assert.is(e.args, undefined, 'timings only');
    }
    for (let i = 0; i < 200_000; i++) void [i, i];
    await new Promise((r) => setTimeout(r, 20));
    assert.is(rec.takeSession('s1').spans.length, 0, 'a session no longer traced gets nothing');
  } finally {
    rec.stopGarbageCollections();
  }
});

test('alignOffset shifts a track so each batch starts after its send', () => {
  const spans = [0, 1, 2].map((index) => ({ name: 'k', ph: 'X' as const, ts: 100 + index * 10, dur: 1, pid: 1, tid: 0, args: { index } }));
  assert.is(alignOffset(spans, [{ ts: 5000, index: 0 }, { ts: 5030, index: 2 }]), 4910);
  assert.is(alignOffset(spans, []), 0);
});

test.run();
