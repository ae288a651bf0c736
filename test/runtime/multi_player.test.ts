/**
 * The same multi-player bodies on the in-memory transport and over ZeroMQ with real
 * `tfe player` processes (test/helpers/configs.ts).
 */
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { U64, runKernel } from '../../src/kernels/index.js';
import type { RingSpec } from '../../src/kernels/dtype.js';
import { tidy } from '../../src/runtime/driver/scope.js';
import { hostTensor } from '../../src/runtime/wire/tensor_bytes.js';
import type { DriverRuntime } from '../../src/runtime/driver/driver.js';
import { testOnConfigs } from '../helpers/configs.js';

const Z67: RingSpec = { dtype: 'u8', modulus: 67 };

function randomTensor(shape: number[], ring: RingSpec = U64) {
  const size = shape.reduce((a, b) => a * b, 1);
  if (ring.dtype === 'u64') return hostTensor(randomFillSync(new BigUint64Array(size)), shape, ring);
  const v = randomFillSync(new Uint8Array(size)).map((x) => x % ring.modulus!);
  return hostTensor(v, shape, ring);
}

/** x0 + x1 + x2, each uploaded to its own player, summed on server0. */
async function distributedSum(rt: DriverRuntime, shape: number[], ring: RingSpec = U64) {
  const xs = ['server0', 'server1', 'server2'].map(() => randomTensor(shape, ring));
  const hs = xs.map((x, k) => rt.upload(`server${k}`, x));
  const sum = tidy(() => rt.op('server0', 'Add', [rt.op('server0', 'Add', [hs[0], rt.send(hs[1], 'server0')]), rt.send(hs[2], 'server0')]));
  const got = await rt.reveal(sum);
  assert.equal(got.shape, shape);
  // The expected sum comes from the kernels directly (they are tested on their own).
  const want = runKernel('Add', [runKernel('Add', [xs[0], xs[1]]), xs[2]]).values();
  const gv = got.values();
  assert.ok(Buffer.from(gv.buffer, gv.byteOffset, gv.byteLength).equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength)), `sum of shape [${shape}]`);
  rt.free(...hs, sum);
}

testOnConfigs(test, 'distributed sum from 0 elements to 64 MiB', async ({ rt }) => {
  for (const shape of [[0], [3, 0, 2], [1], [7], [5, 200], [131072]]) await distributedSum(rt, shape);
  await distributedSum(rt, [4, 1000], Z67);
  await distributedSum(rt, [8 * 1024 * 1024]); // 64 MiB per tensor: eight payload frames
  await distributedSum(rt, [9 * 1024 * 1024 + 3], Z67); // u8 over one payload frame: two, the last short
  const c = await rt.counters();
  assert.ok(c.server1.bytesSent > 64 * 1024 * 1024);
  assert.is(c.server0.messagesReceived, 18); // a tensor in several payload frames is one message
});

testOnConfigs(test, 'sampleShared gives both players the same tensor; samplePrivate differs', async ({ rt }) => {
  const [a, b] = rt.sampleShared(['server0', 'server2'], [64], U64);
  const [c, d] = rt.sampleShared(['server2', 'server0'], [64], Z67);
  const [va, vb, vc, vd] = await Promise.all([a, b, c, d].map((h) => rt.reveal(h)));
  assert.equal([...va.values()], [...vb.values()]);
  assert.equal([...vc.values()], [...vd.values()]);
  assert.ok([...vc.values()].every((x) => x < 67));
  assert.not.equal([...va.values()], [...(await rt.reveal(rt.sampleShared(['server0', 'server2'], [64], U64)[0])).values()]);
  const p0 = await rt.reveal(rt.samplePrivate('server1', [64], U64));
  const p1 = await rt.reveal(rt.samplePrivate('server1', [64], U64));
  assert.not.equal([...p0.values()], [...p1.values()]);
});

testOnConfigs(test, 'sampleZero: three parts that sum (XOR) to zero, each a fresh uniform draw, in one instruction per player', async ({ rt }) => {
  const players = ['server0', 'server1', 'server2'] as const;
  const count = async (issue: () => void) => {
    await rt.flush();
    await rt.resetCounters();
    issue();
    await rt.flush();
    return rt.counters();
  };
  // the first draw from a pair's seed agrees on that seed (one message each way); then none
  rt.free(...rt.sampleZero(players, [1], U64, 'arithmetic'));
  const base = await count(() => undefined);
  let hs: ReturnType<typeof rt.sampleZero>[] = [];
  const counters = await count(() => {
    hs = [
      rt.sampleZero(players, [2, 300], U64, 'arithmetic'), rt.sampleZero(players, [300], U64, 'boolean'),
      rt.sampleZero(players, [400], Z67, 'arithmetic'), rt.sampleZero(players, [0], U64, 'arithmetic'), rt.sampleZero(players, [2, 300], U64, 'arithmetic'),
    ];
  });
  for (const p of players) {
    assert.is(counters[p].instructions - base[p].instructions, 5, `${p}: one sample per zero-sharing`);
    assert.is(counters[p].messagesSent, base[p].messagesSent, `${p}: no message`);
  }
  const [arith, bool, small, empty, again] = hs;
  const vals = async (hs: readonly unknown[]) => Promise.all((hs as Parameters<typeof rt.reveal>[0][]).map(async (h) => [...(await rt.reveal(h)).values()].map(BigInt)));
  const [a, b, z, e, a2] = await Promise.all([arith, bool, small, empty, again].map(vals));
  const M = (1n << 64n) - 1n;
  assert.ok(a[0].every((_, k) => ((a[0][k] + a[1][k] + a[2][k]) & M) === 0n), 'arithmetic parts sum to 0 mod 2^64');
  assert.ok(b[0].every((_, k) => (b[0][k] ^ b[1][k] ^ b[2][k]) === 0n), 'boolean parts XOR to 0');
  assert.ok(z[0].every((_, k) => (z[0][k] + z[1][k] + z[2][k]) % 67n === 0n && z[0][k] < 67n), 'Z_67 parts sum to 0 mod 67');
  assert.equal(e, [[], [], []]);
  for (const parts of [a, b]) {
    // uniform 64-bit words: no part is zero or repeats another, and about half the bits are set
    assert.ok(parts.every((v) => v.every((x) => x !== 0n)), 'no zero word');
    assert.not.equal(parts[0], parts[1]);
    const ones = parts[0].reduce((s, x) => s + x.toString(2).split('1').length - 1, 0);
    assert.ok(Math.abs(ones / (64 * parts[0].length) - 0.5) < 0.02, `bit balance ${ones / (64 * parts[0].length)}`);
  }
  assert.not.equal(a2[0], a[0], 'a fresh nonce per call');
  assert.throws(() => rt.sampleZero(['server0', 'server1', 'server0'], [1], U64, 'arithmetic'), /three different players/);
});

testOnConfigs(test, 'a sample naming a player outside the wiring is refused at once, not left waiting for a seed', async ({ rt }) => {
  // a forged instruction (the driver's API refuses unknown players before sending): 'aaa'
  // sorts before server1, so server1 would wait for that player to send the pair's seed
  const forged = rt as unknown as { handle(p: string, s: number[], r: RingSpec): { id: number }; push(p: string, i: unknown): void };
  const out = forged.handle('server1', [4], U64);
  forged.push('server1', { op: 'sample', out: out.id, peer: 'server0', minus: { other: 'aaa', combine: 'sub' }, nonce: 1n << 40n, shape: [4], ring: U64 });
  const t0 = Date.now();
  try {
    await rt.reveal(out as never);
    assert.unreachable('revealed a draw from a seed that cannot exist');
  } catch (e) {
    assert.match((e as Error).message, /`aaa` is not a peer of `server1`/);
    assert.ok(Date.now() - t0 < 5000, `refused in ${Date.now() - t0} ms`);
  }
});

testOnConfigs(test, 'setRandomSeed: the same seed repeats every stream, another seed does not', async ({ rt }) => {
  const seed = (k: number) => new Uint8Array(16).fill(k);
  const draw = async () => {
    const [a, b] = rt.sampleShared(['server1', 'server0'], [32], U64);
    const p = rt.samplePrivate('server2', [32], Z67);
    const [va, vb, vp] = await Promise.all([a, b, p].map((h) => rt.reveal(h)));
    assert.equal([...va.values()], [...vb.values()], 'pairwise streams still agree');
    return [[...va.values()], [...vp.values()]];
  };
  const before = await draw();
  rt.setRandomSeed(seed(1));
  const first = await draw();
  rt.setRandomSeed(seed(1));
  assert.equal(await draw(), first, 'same seed, same draws');
  rt.setRandomSeed(seed(2));
  const other = await draw();
  assert.not.equal(other[0], first[0]);
  assert.not.equal(other[1], first[1]);
  assert.not.equal(first[0], before[0]);
  assert.throws(() => rt.setRandomSeed(new Uint8Array(8)), /16 bytes, got 8/);
});

testOnConfigs(test, 'counters: messages, bytes, rounds, instructions, live handles', async ({ rt }) => {
  await rt.resetCounters();
  const x = rt.fill('server0', [4], 1n, U64);
  const y = rt.fill('server1', [4], 2n, U64);
  // One round each: both send, then both receive.
  const xr = rt.send(x, 'server1');
  const yr = rt.send(y, 'server0');
  const s0 = rt.op('server0', 'Add', [x, yr]);
  const s1 = rt.op('server1', 'Add', [y, xr]);
  assert.equal([...(await rt.reveal(s0)).values()], [3n, 3n, 3n, 3n]);
  assert.equal([...(await rt.reveal(s1)).values()], [3n, 3n, 3n, 3n]);
  const c = await rt.counters();
  assert.is(c.server0.messagesSent, 1);
  assert.is(c.server0.messagesReceived, 1);
  assert.is(c.server0.rounds, 1);
  assert.is(c.server0.bytesSent, c.server1.bytesReceived);
  assert.ok(c.server0.bytesSent >= 32);
  assert.is(c.server0.liveHandles, 3);
  assert.ok(c.server0.instructions >= 5);
  assert.is(c.server2.messagesSent, 0);
  await rt.resetCounters();
  const z = await rt.counters();
  assert.is(z.server0.messagesSent, 0);
  assert.is(z.server0.liveHandles, 3);
});

testOnConfigs(test, '10,000 small ops in tidy keep handle counts flat', async ({ rt }) => {
  const a = rt.fill('server0', [2], 1n, U64);
  const b = rt.fill('server1', [2], 1n, U64);
  const before = await rt.counters();
  for (let i = 0; i < 10_000; i++) {
    tidy(() => {
      const t = rt.op('server0', 'Add', [a, a]);
      rt.op('server0', 'Mul', [t, t]);
      if (i % 100 === 0) rt.op('server0', 'Add', [rt.send(b, 'server0'), t]);
    });
  }
  const after = await rt.counters();
  assert.is(after.server0.liveHandles, before.server0.liveHandles);
  assert.is(after.server1.liveHandles, before.server1.liveHandles);
  assert.ok(after.server0.instructions - before.server0.instructions > 20_000);
});

testOnConfigs(test, 'inputs from a data-source loader and outputs to a sink, inside the data dir', async ({ rt, kind }) => {
  const dir = mkdtempSync(join(process.cwd(), '.tfe-test-data-'));
  try {
    const rel = dir.slice(process.cwd().length + 1);
    writeFileSync(join(dir, 'x.bin'), Buffer.from(new BigUint64Array([5n, 6n, 7n]).buffer));
    const x = rt.input('server1', { kind: 'source', loader: 'raw', args: { path: `${rel}/x.bin`, shape: [3] }, shape: [3] });
    const y = rt.op('server1', 'Add', [x, x]);
    rt.output(y, { kind: 'sink', name: 'raw', args: { path: `${rel}/y.bin` } });
    await rt.flush();
    assert.equal([...new BigUint64Array(new Uint8Array(readFileSync(join(dir, 'y.bin'))).buffer)], [10n, 12n, 14n]);
    const z = await rt.inputAsync('server2', { kind: 'source', loader: 'raw', args: { path: `${rel}/x.bin`, shape: [1, 3] } });
    assert.equal(z.shape, [1, 3]);
    if (kind === 'zmq') {
      assert.throws(() => rt.input('server0', { kind: 'provider', provide: () => randomTensor([1]) }), /networked player, and a provider function runs only in the driver's process/);
    }
    // A path outside the player's data directory is refused, and fails the run.
    const bad = rt.input('server0', { kind: 'source', loader: 'raw', args: { path: '../../etc/passwd', shape: [1] }, shape: [1] });
    let err: Error | undefined;
    await rt.reveal(bad).catch((e) => (err = e));
    assert.match(String(err?.message), /outside the data directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
