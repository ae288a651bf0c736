/** LocalConfig, the driver API's checks, and handle scopes (tidy / keep / dispose). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommunicationError, ValueError } from '../../src/errors.js';
import { U64, ring } from '../../src/kernels/index.js';
import { LocalConfig, getConfig, getRuntime, setConfig } from '../../src/runtime/config/config.js';
import { dispose, keep, tidy } from '../../src/runtime/driver/scope.js';

const quiet = () => undefined;

test('LocalConfig logs Players once, on first use', async () => {
  const lines: string[] = [];
  const cfg = new LocalConfig(['server0', 'server1'], { log: (l) => lines.push(l) });
  const rt = cfg.runtime();
  assert.is(lines.length, 0);
  await rt.reveal(rt.fill('server1', [1], 1n, U64));
  await rt.reveal(rt.fill('server0', [1], 1n, U64));
  assert.equal(lines, ["Players: ['server0', 'server1']"]);
  await cfg.close();
});

test('auto-adds unknown players by default; with autoAdd false, lists the known ones', async () => {
  const cfg = new LocalConfig([], { log: quiet });
  const rt = cfg.runtime();
  rt.fill('alice', [1], 0n, U64);
  assert.equal(cfg.players, ['alice']);
  const strict = new LocalConfig(['server0', 'server1'], { autoAddUnknownPlayers: false, log: quiet });
  const err = (() => { try { strict.runtime().fill('server9', [1], 0n, U64); } catch (e) { return e as Error; } })();
  assert.instance(err, ValueError);
  assert.match(err!.message, /server9/);
  assert.match(err!.message, /'server0', 'server1'/);
  assert.throws(() => new LocalConfig(['a', 'a']), /listed twice/);
  await cfg.close();
});

test('getConfig defaults to LocalConfig; setConfig swaps it', () => {
  const before = getConfig();
  assert.instance(before, LocalConfig);
  const cfg = new LocalConfig(['p'], { log: quiet });
  setConfig(cfg);
  assert.is(getConfig(), cfg);
  assert.is(getRuntime(), cfg.runtime());
  assert.throws(() => setConfig({} as never), (e: Error) => e instanceof ValueError);
  setConfig(before);
});

test('the driver checks handles: wrong player, disposed, other runtime, bad shapes', async () => {
  const cfg = new LocalConfig(['server0', 'server1'], { log: quiet });
  const rt = cfg.runtime();
  const a = rt.fill('server0', [2], 1n, U64);
  const b = rt.fill('server1', [2], 1n, U64);
  assert.throws(() => rt.op('server0', 'Add', [a, b]), /input 1 is on `server1`; send it first/);
  assert.throws(() => rt.op('server0', 'Add', [a, rt.fill('server0', [3], 0n, U64)]), (e: Error) => e instanceof ValueError);
  assert.throws(() => rt.send(a, 'server0'), /already on/);
  assert.throws(() => rt.fill('server0', [-1], 0n, U64), (e: Error) => e instanceof ValueError);
  assert.throws(() => rt.sampleShared(['server0', 'server0'], [1], U64), /two different players/);
  rt.free(a);
  assert.throws(() => rt.op('server0', 'Neg', [a]), /disposed/);
  await cfg.close();
  const rt2 = cfg.runtime();
  assert.is.not(rt2, rt);
  assert.throws(() => rt2.op('server1', 'Neg', [b]), /another/);
  await cfg.close();
});

test('handles print metadata only and refuse to become values', () => {
  const cfg = new LocalConfig(['server0'], { log: quiet });
  const h = cfg.runtime().fill('server0', [2, 3], 7n, U64);
  assert.is(String(h), 'Handle(server0#1, u64, [2,3])');
  assert.throws(() => +(h as never), /reveal/);
  assert.throws(() => JSON.stringify(h), /reveal/);
});

test('provider inputs and callback outputs run on the in-process player', async () => {
  const cfg = new LocalConfig(['server0', 'server1'], { log: quiet });
  const rt = cfg.runtime();
  const x = rt.input('server0', { kind: 'provider', provide: () => ring.fromBigInts([1n, 2n], [2]) });
  assert.equal(x.shape, [2]);
  const y = rt.input('server1', { kind: 'provider', provide: async () => ring.fromBigInts([3n], [1]), shape: [1] });
  const z = await rt.inputAsync('server1', { kind: 'provider', provide: async () => ring.fromBigInts([4n, 5n, 6n], [3]) });
  assert.equal(z.shape, [3]);
  assert.throws(() => rt.input('server0', { kind: 'provider', provide: (async () => ring.fromBigInts([3n], [1])) as never }), /inputAsync/);
  let got: bigint[] = [];
  rt.output(rt.op('server0', 'Add', [x, x]), { kind: 'callback', receive: (t) => { got = [...(t.values() as BigUint64Array)]; } });
  assert.equal([...(await rt.reveal(y)).values()], [3n]);
  await rt.flush();
  assert.equal(got, [2n, 4n]);
  // A provider that lies about its shape fails the run with a ValueError.
  const bad = rt.input('server0', { kind: 'provider', provide: () => ring.fromBigInts([1n], [1]), shape: [2] });
  let err: Error | undefined;
  await rt.reveal(bad).catch((e) => (err = e));
  assert.instance(err, ValueError);
  assert.match(err!.message, /declared shape \[2\]/);
  assert.not.throws(() => cfg.runtime().fill('server0', [1], 0n, U64));
  await cfg.close();
});

test('tidy frees intermediates, keeps returned and kept handles; async tidy follows awaits', async () => {
  const cfg = new LocalConfig(['server0'], { log: quiet });
  const rt = cfg.runtime();
  const p = cfg.player('server0');
  const a = rt.fill('server0', [2], 3n, U64);
  let kept: ReturnType<typeof rt.fill> | undefined;
  const out = tidy(() => {
    const t = rt.op('server0', 'Add', [a, a]);
    kept = keep(rt.op('server0', 'Neg', [t]));
    return { result: [rt.op('server0', 'Mul', [t, t])] };
  });
  await rt.flush();
  assert.is(p.liveHandles(), 3); // a, kept, result
  assert.equal([...(await rt.reveal(out.result[0])).values()], [36n, 36n]);
  const r = await tidy(async () => {
    const t = rt.op('server0', 'Add', [a, a]);
    await rt.flush();
    const u = rt.op('server0', 'Add', [t, a]);
    return rt.op('server0', 'Add', [u, u]);
  });
  await rt.flush();
  assert.is(p.liveHandles(), 4);
  dispose([r, out, kept]);
  await rt.flush();
  assert.is(p.liveHandles(), 1);
  assert.throws(() => tidy(() => { rt.op('server0', 'Neg', [a]); throw new Error('boom'); }), /boom/);
  await rt.flush();
  assert.is(p.liveHandles(), 1);
  await cfg.close();
});

test('frees are held back and travel as one instruction, before anything that observes the player', async () => {
  const cfg = new LocalConfig(['server0'], { log: quiet });
  const rt = cfg.runtime();
  const p = cfg.player('server0');
  const [a, b, c] = [1n, 2n, 3n].map((v) => rt.fill('server0', [4], v, U64));
  await rt.flush();
  await rt.resetCounters();
  rt.free(a);
  rt.free(b);
  const d = rt.op('server0', 'Neg', [c]);
  rt.free(c);
  await rt.flush();
  assert.is(p.liveHandles(), 1); // d
  // the reset itself, Neg, free [a, b, c], and the flush's sync
  assert.is((await rt.counters()).server0.instructions, 4);
  assert.equal([...(await rt.reveal(d)).values()], Array(4).fill(2n ** 64n - 3n));
  // a large free goes out at once: 4 MiB of freed tensors is as much as a player holds back
  const big = rt.fill('server0', [1 << 19], 0n, U64);
  await rt.flush();
  await rt.resetCounters();
  const e = rt.op('server0', 'Neg', [d]);
  rt.free(big);
  rt.free(d);
  assert.is(p.liveHandles(), 2, 'nothing ran yet: big and d are alive');
  for (let k = 0; k < 3; k++) await new Promise((r) => setImmediate(r)); // the batch goes out and runs
  assert.is(p.liveHandles(), 1, 'the held-back frees ride at the end of the batch: only e is left');
  await rt.flush();
  assert.is(p.liveHandles(), 1); // e
  // the reset, Neg, free [big] (released at once, 4 MiB) joined by d's at the batch's end, sync
  assert.is((await rt.counters()).server0.instructions, 4);
  // within a batch, 4 MiB of freed tensors go out at once; less waits for the batch's end
  const batches: string[][] = [];
  (rt as unknown as { observer: { batch: (player: string, q: readonly { op: string }[]) => void } }).observer = { batch: (_p, q) => batches.push(q.map((i) => i.op)) };
  const [small, large] = [rt.fill('server0', [4], 1n, U64), rt.fill('server0', [1 << 19], 1n, U64)];
  await rt.flush();
  batches.length = 0;
  rt.free(small);
  const f = rt.op('server0', 'Neg', [e]);
  rt.free(large);
  const g = rt.op('server0', 'Neg', [f]);
  await rt.flush();
  assert.equal(batches[0], ['kernel', 'free', 'kernel', 'sync'], 'free [small, large] after the first Neg, before the second');
  rt.free(e, f, g);
  await cfg.close();
});

test('a failed player instruction fails every pending call; a new runtime works', async () => {
  const cfg = new LocalConfig(['server0', 'server1'], { log: quiet });
  const rt = cfg.runtime();
  const bad = rt.input('server0', { kind: 'source', loader: 'no-such-loader', args: {}, shape: [1] });
  const pending = [rt.reveal(bad), rt.flush(), rt.counters()];
  const results = await Promise.allSettled(pending);
  assert.ok(results.every((r) => r.status === 'rejected'));
  assert.match(String((results[0] as PromiseRejectedResult).reason.message), /no-such-loader/);
  assert.throws(() => rt.fill('server0', [1], 0n, U64), /no-such-loader/);
  const rt2 = cfg.runtime();
  assert.equal([...(await rt2.reveal(rt2.fill('server1', [1], 9n, U64))).values()], [9n]);
  assert.is(cfg.player('server0').sessions.size, 0); // the failed session was ended
  assert.not.instance(new ValueError('x'), CommunicationError);
  await cfg.close();
});

test.run();
