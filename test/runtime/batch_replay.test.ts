/**
 * Batches sent as replays of the previous one (wire/batch_replay.ts): the rebuilt batch is the
 * batch the driver made, on hand-made batches and on real training steps; a replay is refused
 * when it is not worth it; malformed replays are ProtocolErrors, never a hang or a crash.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProtocolError } from '../../src/errors.js';
import { U64, ring } from '../../src/kernels/index.js';
import * as tfe from '../../src/index.js';
import { LocalConfig, setConfig, getRuntime } from '../../src/runtime/index.js';
import { MsgType, decodeHeader, decodeJson, encodeJson } from '../../src/runtime/wire/codec.js';
import { ReplayEncoder, ReplayTemplates, expandReplay, keptAsTemplate, replayOf, type ReplayValue } from '../../src/runtime/wire/batch_replay.js';
import type { Instruction } from '../../src/runtime/wire/instructions.js';

const protocolError = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof ProtocolError && re.test(e.message));

/** One "step": handles from `base` on, reading the weights `w` (made by the step before) and the long-lived data handle 1. */
function step(base: number, w: number, nonce: bigint, round: number, sliceAt: number, req: number): Instruction[] {
  return [
    { op: 'kernel', out: base, kernel: 'Slice', inputs: [1], attrs: { begin: [sliceAt, 0], size: [4, 3] } },
    { op: 'sample', out: base + 1, peer: 'server1', nonce, shape: [4, 3], ring: U64 },
    { op: 'kernel', out: base + 2, kernel: 'Sub', inputs: [base, base + 1], attrs: {} },
    { op: 'send', src: base + 2, to: 'server1', tag: base + 3, round },
    { op: 'recv', out: base + 4, from: 'server1', tag: base + 4 },
    { op: 'fill', out: base + 5, shape: [], value: 3n, ring: U64 },
    { op: 'kernel', out: base + 6, kernel: 'MatMul', inputs: [base + 4, w], attrs: { transposeA: false } },
    { op: 'kernel', out: base + 7, kernel: 'Add', inputs: [base + 6, base + 5], attrs: {} },
    { op: 'free', ids: [w, base, base + 1, base + 2] },
    { op: 'sync', req },
  ];
}

const roundTrip = (previous: Instruction[], value: ReplayValue) => expandReplay(previous, decodeJson(encodeJson(value).map((b) => Buffer.from(b))));

test('a step rebuilt from the step before: shifted ids, nonces and rounds, the rest kept, differing instructions in full', () => {
  const a = step(100, 99, 10n, 7, 0, 1); // the weights 99: the step before made them
  const b = step(108, 107, 11n, 12, 4, 2); // 8 handles later, reading step a's weights
  const r = replayOf(a, b, 1)!;
  assert.ok(r, 'a replay');
  assert.is(r.delta, 8);
  assert.is(r.nonceDelta, 1n);
  assert.is(r.roundDelta, 5);
  assert.equal(r.literals.map(([k]) => k), [0, 9], 'the moved slice and the new request go in full');
  const bytes = encodeJson(r).reduce((n, f) => n + f.length, 0);
  assert.ok(bytes < encodeJson(b).reduce((n, f) => n + f.length, 0) / 2, `replay ${bytes} bytes`);
  assert.equal(roundTrip(a, r), b);
  const c = step(116, 115, 12n, 17, 8, 3);
  assert.equal(roundTrip(b, replayOf(b, c, 1)!), c);
});

test('a replay is refused when the batches differ in length or in more than a quarter of their instructions', () => {
  const a = step(100, 99, 10n, 7, 0, 1);
  assert.is(replayOf(a, a.slice(1), 1), undefined);
  assert.is(replayOf([], [], 1), undefined);
  const b = step(108, 107, 11n, 12, 4, 2).map((i) => (i.op === 'kernel' ? { ...i, attrs: { ...i.attrs, extra: 1 } } : i));
  assert.is(replayOf(a, b, 1), undefined, 'four kernels of ten changed');
  // an instruction whose ids move by another amount than the rest goes in full
  const c = step(108, 107, 11n, 12, 0, 2);
  (c[2] as Extract<Instruction, { op: 'kernel' }>).inputs = [108, 999];
  const r = replayOf(a, c, 1)!;
  assert.ok(r.literals.some(([k]) => k === 2));
  assert.equal(roundTrip(a, r), c);
});

test('the encoder sends a full batch first, then replays; a new session starts over; uploads always go in full', () => {
  const enc = new ReplayEncoder();
  const type = (frames: Buffer[]) => decodeHeader(frames[0]).type;
  assert.is(type(enc.encode('0123456789abcdef', step(100, 99, 10n, 7, 0, 1))), MsgType.Batch);
  assert.is(type(enc.encode('0123456789abcdef', step(108, 107, 11n, 12, 4, 2))), MsgType.BatchReplay);
  assert.is(type(enc.encode('fedcba9876543210', step(116, 115, 12n, 17, 8, 3))), MsgType.Batch, 'another session');
  const withUpload: Instruction[] = [{ op: 'upload', out: 200, tensor: ring.fromBigInts([1n], [1]) }, ...step(201, 115, 13n, 22, 0, 4).slice(1)];
  const kept = keptAsTemplate(withUpload);
  assert.is(kept.length, withUpload.length);
  assert.is((kept[0] as { tensor?: unknown }).tensor, undefined, 'the kept batch holds no payload');
  assert.equal(kept.slice(1), withUpload.slice(1));
  assert.is(type(enc.encode('fedcba9876543210', withUpload)), MsgType.BatchReplay, 'replays the previous batch; the upload goes in full');
  const again: Instruction[] = [{ op: 'upload', out: 208, tensor: ring.fromBigInts([2n], [1]) }, ...step(209, 115, 14n, 27, 0, 5).slice(1)];
  assert.is(type(enc.encode('fedcba9876543210', again)), MsgType.BatchReplay, 'a batch with an upload is kept as a template too');
});

test('an upload in a replay is a literal with its payload; a replay that would rebuild one from the template is refused', () => {
  const withUpload = (base: number, nonce: bigint, value: bigint, req: number): Instruction[] =>
    [{ op: 'upload', out: base - 1, tensor: ring.fromBigInts([value, value + 1n], [2]) }, ...step(base, base - 2, nonce, 7 + base, 0, req).slice(1)];
  const a = withUpload(100, 10n, 5n, 1);
  const b = withUpload(108, 11n, 9n, 2);
  const r = replayOf(keptAsTemplate(a), b, 1)!;
  assert.ok(r, 'a replay');
  assert.ok(r.literals.some(([k, i]) => k === 0 && i.op === 'upload'), 'the upload is a literal');
  const rebuilt = roundTrip(keptAsTemplate(a), r);
  assert.equal(rebuilt.slice(1), b.slice(1));
  const up = rebuilt[0] as Extract<Instruction, { op: 'upload' }>;
  assert.is(up.out, 107);
  assert.equal([...up.tensor.values()], [9n, 10n], 'the payload travels with the literal');
  const withoutIt = { ...r, literals: r.literals.filter(([k]) => k !== 0) };
  assert.throws(() => roundTrip(keptAsTemplate(a), withoutIt), (e: Error) => e instanceof ProtocolError && /must be sent in full/.test(e.message));
});

test('real training steps replay with a few literals and rebuild exactly', async () => {
  setConfig(new LocalConfig(['server0', 'server1', 'server2'], { log: () => undefined }));
  tfe.setProtocol(new tfe.SecureNN());
  tfe.setRandomSeed('replay');
  const p = tfe.getProtocol();
  const x = p.definePrivateVariable(Float64Array.from({ length: 64 * 5 }, (_, i) => Math.sin(i)), { shape: [64, 5] });
  const y = p.definePrivateVariable(Float64Array.from({ length: 64 }, (_, i) => i % 2), { shape: [64, 1] });
  const model = tfe.sequential({ layers: [tfe.layers.dense({ units: 4, activation: 'relu', inputShape: [5] }), tfe.layers.dense({ units: 1, activation: 'sigmoid' })] });
  model.compile({ optimizer: tfe.train.sgd(0.1), loss: 'binaryCrossentropy' });
  const previous = new Map<string, Instruction[]>();
  let replays = 0, literals = 0, instructions = 0;
  const rt = getRuntime() as unknown as { observer?: { batch?: (player: string, b: readonly Instruction[]) => void } };
  rt.observer = {
    batch: (player, b) => {
      const batch = [...b];
      const prev = previous.get(player);
      const r = prev && replayOf(prev, batch, 1);
      if (r) {
        replays++;
        literals += r.literals.length;
        instructions += batch.length;
        assert.equal(roundTrip(prev!, r), batch, `${player}: the rebuilt batch is the batch`);
      }
      previous.set(player, batch);
    },
  };
  await model.fit(x, y, { epochs: 2, batchSize: 16, shuffle: true, verbose: 0 });
  await getRuntime().close();
  assert.ok(replays >= 15, `${replays} replays`);
  assert.ok(literals / instructions < 0.05, `${literals} literals in ${instructions} instructions`);
});

test('the player replays only the batch it ran last in that session: a lost or repeated batch is refused', () => {
  const body = (frames: Buffer[]) => decodeJson(frames.slice(1).map((f) => Buffer.from(f)));
  const enc = new ReplayEncoder();
  const s = '0123456789abcdef';
  const steps = [step(100, 99, 10n, 7, 0, 1), step(108, 107, 11n, 12, 4, 2), step(116, 115, 12n, 17, 8, 3)];
  const frames = steps.map((b) => enc.encode(s, b));
  const player = new ReplayTemplates();
  assert.equal(player.accept(s, false, body(frames[0])), steps[0]);
  assert.equal(player.accept(s, true, body(frames[1])), steps[1]);
  assert.equal(player.accept(s, true, body(frames[2])), steps[2]);
  // batch 1 lost: batch 2's replay would rebuild from batch 0 with the wrong ids
  const lost = new ReplayTemplates();
  lost.accept(s, false, body(frames[0]));
  protocolError(() => lost.accept(s, true, body(frames[2])), /replay of batch 2, but this session has run 1 batches/);
  protocolError(() => player.accept(s, true, body(frames[2])), /replay of batch 2, but this session has run 3/);
  const other = new ReplayTemplates();
  protocolError(() => other.accept(s, true, body(frames[1])), /has run 0 batches/);
  player.prune(new Map());
  protocolError(() => player.accept(s, true, body(frames[1])), /has run 0 batches/);
});

test('a step flushed in two batches replays each from its counterpart a step ago; the player checks which kept batch', () => {
  const body = (frames: Buffer[]) => decodeJson(frames.slice(1).map((f) => Buffer.from(f)));
  const type = (frames: Buffer[]) => decodeHeader(frames[0]).type;
  const s = '0123456789abcdef';
  // each step: its first part (10 instructions), then a second, shorter part (4)
  const second = (base: number, nonce: bigint, req: number): Instruction[] => [
    { op: 'sample', out: base, peer: 'server1', nonce, shape: [2], ring: U64 },
    { op: 'kernel', out: base + 1, kernel: 'Add', inputs: [base, base - 1], attrs: {} },
    { op: 'free', ids: [base] },
    { op: 'sync', req },
  ];
  const batches = [0, 1, 2].flatMap((k) => [step(100 + 12 * k, 99 + 12 * k, 10n + 2n * BigInt(k), 7 + 5 * k, 0, 10 * k), second(108 + 12 * k, 11n + 2n * BigInt(k), 10 * k + 1)]);
  const enc = new ReplayEncoder();
  const frames = batches.map((b) => enc.encode(s, b));
  assert.equal(frames.map(type), [MsgType.Batch, MsgType.Batch, MsgType.BatchReplay, MsgType.BatchReplay, MsgType.BatchReplay, MsgType.BatchReplay]);
  assert.equal(frames.slice(2).map((f) => (body(f) as ReplayValue).back), [1, 1, 1, 1], 'each from the batch before the previous one');
  const player = new ReplayTemplates();
  frames.forEach((f, k) => assert.equal(player.accept(s, type(f) === MsgType.BatchReplay, body(f)), batches[k], `batch ${k} rebuilt`));
  const fresh = new ReplayTemplates();
  fresh.accept(s, false, body(frames[0]));
  fresh.accept(s, false, body(frames[1]));
  protocolError(() => fresh.accept(s, true, { ...(body(frames[2]) as ReplayValue), back: 2 }), /kept batch 2 back, but this session keeps 2/);
  protocolError(() => fresh.accept(s, true, { ...(body(frames[2]) as ReplayValue), back: -1 }), /kept batch -1 back/);
  protocolError(() => fresh.accept(s, true, { ...(body(frames[2]) as ReplayValue), back: 0 }), /previous batch has 4 instructions/);
});

test('malformed replays are ProtocolErrors', () => {
  const a = step(100, 99, 10n, 7, 0, 1);
  const good = replayOf(a, step(108, 107, 11n, 12, 4, 2), 1)!;
  const bad = (patch: Partial<ReplayValue> | Record<string, unknown>, prev: Instruction[] | undefined = a) => () => expandReplay(prev, { ...good, ...patch });
  protocolError(() => expandReplay(undefined, good), /previous batch has no instructions/);
  protocolError(bad({}, a.slice(1)), /previous batch has 9 instructions/);
  protocolError(() => expandReplay(a, null), /malformed/);
  protocolError(bad({ delta: 1.5 }), /malformed/);
  protocolError(bad({ flags: [1, 2] as unknown as Uint8Array }), /malformed/);
  protocolError(bad({ flags: good.flags.slice(0, 1) }), /too few flag bits/);
  protocolError(bad({ literals: [[9, { op: 'sync', req: 1 }], [0, good.literals[0][1]]] }), /literal indices must increase/);
  protocolError(bad({ literals: [[10, { op: 'sync', req: 1 }]] }), /literal indices/);
  protocolError(bad({ literals: [[0, { op: 'eval', code: 'x' } as unknown as Instruction], good.literals[1]] }), /unknown op/);
  protocolError(bad({ delta: -1000 }), /id is out of range/);
  protocolError(bad({ nonceDelta: -100n }), /nonce is negative/);
  protocolError(bad({ roundDelta: -100 }), /round is below 1/);
  // Δ chosen so that the Sub's shifted output lands on its unshifted... every id of instruction 2 is shifted, so make out = input by hand
  const selfRead: Instruction[] = [{ op: 'kernel', out: 5, kernel: 'Add', inputs: [9], attrs: {} }];
  protocolError(() => expandReplay(selfRead, { n: 1, delta: 4, nonceDelta: 0n, roundDelta: 0, flags: new Uint8Array([1]), literals: [] }), /reads its own output/);
  // an instruction of the previous batch that never replays must come as a literal
  const withReveal: Instruction[] = [{ op: 'reveal', src: 3, req: 1 }];
  protocolError(() => expandReplay(withReveal, { n: 1, delta: 0, nonceDelta: 0n, roundDelta: 0, flags: new Uint8Array(0), literals: [] }), /must be sent in full/);
});

test.run();
