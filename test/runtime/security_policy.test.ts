/**
 * Issue 16, finding 3, over real `tfe player` processes on 127.0.0.1: the player-side policy.
 * By default a raw input never leaves its owner in plaintext: revealing it to the driver (as
 * loaded, reshaped, plus a public zero), sending it to a peer, copying it through a file, or
 * masking it with randomness the driver knows (`setRandomSeed`) is refused with a PolicyError
 * naming the rule; secret-shared inputs, their computations and share checkpoints still work.
 * A policy file limits which files may be loaded or written and which loaders and sinks run,
 * and can open named files for reveal.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfe from '../../src/index.js';
import { getConfig, setConfig } from '../../src/runtime/config/config.js';
import { U64 } from '../../src/kernels/index.js';
import { PolicyError, ValueError } from '../../src/errors.js';
import { matchesGlob, parsePolicy } from '../../src/runtime/player/policy.js';
import { startLocalCluster, type LocalCluster } from '../../src/runtime/transport/zmq/local_cluster.js';
import type { DriverRuntime } from '../../src/runtime/driver/driver.js';
import type { Handle } from '../../src/runtime/api.js';

const VALUES = [5n, 6n, 7n];
const FRAC = 2 ** -16;

function layout(): { top: string; data: string } {
  const top = mkdtempSync(join(tmpdir(), 'tfe-sec-policy-'));
  const data = join(top, 'data');
  for (const d of ['public', 'private', 'out']) mkdirSync(join(data, d), { recursive: true });
  const raw = Buffer.from(new BigUint64Array(VALUES).buffer);
  for (const f of ['x.bin', 'public/p.bin', 'private/x.bin']) writeFileSync(join(data, f), raw);
  writeFileSync(join(data, 'v.json'), JSON.stringify([1.5, -2.25, 3]));
  return { top, data };
}

/** Runs `attack` on a fresh runtime and returns the error it must end with. */
async function refused(cluster: LocalCluster, attack: (rt: DriverRuntime) => Promise<unknown>, top: string): Promise<PolicyError> {
  const rt = cluster.config.runtime();
  const e = await attack(rt).then(() => undefined, (x: Error) => x);
  assert.instance(e, PolicyError, String(e));
  assert.is((e as PolicyError).code, 'ERR_POLICY');
  assert.not.ok(e!.message.includes(top), e!.message);
  return e as PolicyError;
}

const input = (rt: DriverRuntime, player: string, path: string): Handle =>
  rt.input(player, { kind: 'source', loader: 'raw', args: { path, shape: [3] }, shape: [3] });

test('policy files: unknown fields are errors; globs stay inside their segments', () => {
  assert.throws(() => parsePolicy({ revealRawInput: true }, 'p.json'), (e: Error) => e instanceof ValueError && /unknown field\(s\) `revealRawInput`/.test(e.message));
  assert.throws(() => parsePolicy({ load: 'x' }, 'p.json'), /`load` in p.json must be an array/);
  assert.equal(parsePolicy({}, 'p.json'), { load: ['**'], write: ['**'], loaders: null, sinks: null, revealRawInputs: false });
  assert.ok(matchesGlob('a/b.csv', 'a/*.csv'));
  assert.not.ok(matchesGlob('a/c/b.csv', 'a/*.csv'));
  assert.ok(matchesGlob('a/c/b.csv', 'a/**'));
  assert.ok(matchesGlob('b.csv', '**/*.csv'));
  assert.not.ok(matchesGlob('a.csv.bak', '*.csv'));
});

test('default policy: a raw input cannot leave in plaintext; shares and share checkpoints can', async () => {
  const { top, data } = layout();
  const cluster = await startLocalCluster(['server0', 'server1', 'server2'], { playerFlags: ['--data-dir', data], timeoutMs: 8000 });
  const previous = getConfig();
  try {
    // The attacks: as loaded, reshaped, plus a public zero, sent to a peer, copied through a file.
    let e = await refused(cluster, (rt) => rt.reveal(input(rt, 'server0', 'x.bin')), top);
    assert.match(e.message, /player `server0` refuses: a raw input .* may not be revealed to the driver .*policy rule `revealRawInputs`/);
    assert.not.match(e.message, /\b[567]n?\b/);
    await refused(cluster, (rt) => rt.reveal(rt.op('server0', 'Reshape', [input(rt, 'server0', 'x.bin')], { shape: [3, 1] })), top);
    await refused(cluster, (rt) => rt.reveal(rt.op('server0', 'Add', [input(rt, 'server0', 'x.bin'), rt.fill('server0', [3], 0n, U64)])), top);
    e = await refused(cluster, (rt) => rt.reveal(rt.send(input(rt, 'server0', 'x.bin'), 'server1')), top);
    assert.match(e.message, /may not be sent to `server1`/);
    await refused(cluster, async (rt) => {
      rt.output(input(rt, 'server0', 'x.bin'), { kind: 'sink', name: 'raw', args: { path: 'out/copy.bin' } }); // a local file: allowed
      await rt.flush();
      return rt.reveal(input(rt, 'server0', 'out/copy.bin')); // but it is still a raw input
    }, top);
    // Masked with randomness the driver can recompute (setRandomSeed): still raw.
    await refused(cluster, (rt) => {
      rt.setRandomSeed(new Uint8Array(16));
      const [r, r1] = rt.sampleShared(['server2', 'server0'], [3], U64);
      rt.free(r1);
      return rt.reveal(rt.send(rt.op('server2', 'Sub', [input(rt, 'server2', 'x.bin'), r]), 'server1'));
    }, top);

    // The honest runs next to them: Pond shares of a json input (owner a server, and owner
    // server2 sending x − r to server1), computed on and revealed; a share checkpoint round trip.
    setConfig(cluster.config);
    for (const owner of ['server0', 'server2']) {
      const x = await tfe.definePrivateInput(owner, { loader: 'json', args: { path: 'v.json' }, shape: [3] });
      const got = await tfe.add(x, x).reveal();
      [3, -4.5, 6].forEach((want, k) => assert.ok(Math.abs(got[k] - want) <= 2 * FRAC, `${owner}: ${got[k]} vs ${want}`));
    }
    const rt = cluster.config.runtime();
    const share = rt.samplePrivate('server0', [3], U64);
    const before = await rt.reveal(share);
    rt.output(share, { kind: 'sink', name: 'raw', args: { path: 'out/share.bin' } });
    await rt.flush();
    assert.equal([...(await rt.reveal(input(rt, 'server0', 'out/share.bin'))).values()], [...before.values()]);
  } finally {
    setConfig(previous);
    await cluster.stop();
    rmSync(top, { recursive: true, force: true });
  }
});

test('a policy file: load and write patterns, loaders, sinks, and files opened for reveal', async () => {
  const { top, data } = layout();
  const policy = { load: ['public/*', 'private/**'], write: ['out/**'], loaders: ['raw'], sinks: ['raw'], revealRawInputs: ['public/**'] };
  writeFileSync(join(top, 'policy.json'), JSON.stringify(policy));
  const cluster = await startLocalCluster(['server0'], { playerFlags: ['--data-dir', data, '--policy', join(top, 'policy.json')], timeoutMs: 8000 });
  try {
    let e = await refused(cluster, (rt) => rt.reveal(rt.op('server0', 'Neg', [input(rt, 'server0', 'x.bin')])), top);
    assert.match(e.message, /may not load `x\.bin`: it matches no pattern of its policy rule `load`/);
    assert.is(e.rule ?? 'load', 'load');
    e = await refused(cluster, (rt) => rt.reveal(input(rt, 'server0', 'private/x.bin')), top);
    assert.match(e.message, /policy rule `revealRawInputs`/);
    e = await refused(cluster, (rt) => rt.reveal(rt.input('server0', { kind: 'source', loader: 'json', args: { path: 'public/v.json' }, shape: [3] })), top);
    assert.match(e.message, /does not allow the loader `json` \(policy rule `loaders`: raw\)/);
    e = await refused(cluster, async (rt) => { rt.output(rt.fill('server0', [1], 1n, U64), { kind: 'sink', name: 'raw', args: { path: 'x2.bin' } }); await rt.flush(); }, top);
    assert.match(e.message, /may not write `x2\.bin`: it matches no pattern of its policy rule `write`/);
    e = await refused(cluster, async (rt) => { rt.output(rt.fill('server0', [1], 1n, U64), { kind: 'sink', name: 'print', args: {} }); await rt.flush(); }, top);
    assert.match(e.message, /does not allow the sink `print` \(policy rule `sinks`: raw\)/);
    // Allowed: a file opened for reveal, and a write inside `out/`.
    const rt = cluster.config.runtime();
    assert.equal([...(await rt.reveal(input(rt, 'server0', 'public/p.bin'))).values()], VALUES);
    rt.output(rt.fill('server0', [1], 1n, U64), { kind: 'sink', name: 'raw', args: { path: 'out/ok.bin' } });
    await rt.flush();
  } finally {
    await cluster.stop();
    rmSync(top, { recursive: true, force: true });
  }
});

test.run();
