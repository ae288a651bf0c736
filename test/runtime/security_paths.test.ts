/**
 * Issue 16, finding 1, over real `tfe player` processes on 127.0.0.1: every file a player
 * opens goes through one resolver (realpath, data dir only). A crafted model.json whose weight
 * shard points outside, symlinks out of the data dir, and a private non-JSON file read as JSON
 * all fail without echoing file content or the player's absolute paths; honest loads work.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { U64 } from '../../src/kernels/index.js';
import { ValueError } from '../../src/errors.js';
import { resolveInside } from '../../src/runtime/player/safe_path.js';
import { startLocalCluster } from '../../src/runtime/transport/zmq/local_cluster.js';

const SECRET = 'root:x:0:0:SECRET-CONTENT';

function layout(): { top: string; data: string } {
  const top = mkdtempSync(join(tmpdir(), 'tfe-sec-paths-'));
  const data = join(top, 'data');
  mkdirSync(join(top, 'outside'), { recursive: true });
  mkdirSync(data);
  writeFileSync(join(top, 'outside', 'secret.bin'), SECRET.padEnd(32, '!'));
  writeFileSync(join(data, 'x.bin'), Buffer.from(new BigUint64Array([5n, 6n, 7n]).buffer));
  symlinkSync(join(top, 'outside', 'secret.bin'), join(data, 'link.bin'));
  symlinkSync(join(top, 'outside'), join(data, 'linkdir'));
  symlinkSync(join(top, 'nowhere'), join(data, 'dangling'));
  writeFileSync(join(data, 'private.txt'), SECRET);
  const topo = { class_name: 'Sequential', config: { layers: [] } };
  const model = (paths: string[]) => JSON.stringify({ modelTopology: topo, weightsManifest: [{ paths, weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }] });
  writeFileSync(join(data, 'evil.json'), model(['../outside/secret.bin']));
  writeFileSync(join(data, 'evil_link.json'), model(['link.bin']));
  writeFileSync(join(data, 'model.json'), model(['w.bin']));
  writeFileSync(join(data, 'w.bin'), Buffer.from(new Float32Array([1.5, -2]).buffer));
  return { top, data };
}

test('resolveInside: canonical paths inside, everything else refused', () => {
  const { top, data } = layout();
  try {
    assert.is(resolveInside(data, 'x.bin', 'p'), join(data, 'x.bin'));
    assert.is(resolveInside(data, 'new/dir/y.bin', 'p'), join(data, 'new', 'dir', 'y.bin'));
    for (const bad of ['../outside/secret.bin', '/etc/passwd', 'link.bin', 'linkdir/secret.bin', 'linkdir/new.bin', 'dangling', '.', 'a\0b', '']) {
      assert.throws(() => resolveInside(data, bad, 'p'), (e: Error) => e instanceof ValueError && !e.message.includes(top), bad);
    }
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});

test('over ZeroMQ: shards, symlinks and private files outside the data dir get nothing; honest loads work', async () => {
  const { top, data } = layout();
  // The honest runs reveal raw inputs, which the players' policy allows for these files only.
  writeFileSync(join(top, 'policy.json'), JSON.stringify({ revealRawInputs: ['x.bin', 'model.json', 'w.bin'] }));
  const cluster = await startLocalCluster(['server0', 'server1'], { playerFlags: ['--data-dir', data, '--policy', join(top, 'policy.json')], timeoutMs: 5000 });
  try {
    // A failed input fails its run, so each attempt gets the runtime anew.
    const attempt = async (loader: string, args: Record<string, unknown>) => {
      const rt = cluster.config.runtime();
      const t = rt.input('server0', { kind: 'source', loader, args, shape: [2] });
      const e = await rt.reveal(t).then(() => undefined, (x: Error) => x);
      assert.ok(e, `${loader} ${JSON.stringify(args)} must fail`);
      assert.not.ok(e!.message.includes('SECRET'), e!.message);
      assert.not.ok(e!.message.includes(top), e!.message);
      return e!.message;
    };
    assert.match(await attempt('tfjs-weight', { path: 'evil.json', name: 'w' }), /outside the data directory/);
    assert.match(await attempt('tfjs-weight', { path: 'evil_link.json', name: 'w' }), /outside the data directory/);
    assert.match(await attempt('raw', { path: 'link.bin', shape: [2] }), /outside the data directory/);
    assert.match(await attempt('raw', { path: 'linkdir/secret.bin', shape: [2] }), /outside the data directory/);
    assert.match(await attempt('tfjs-weight', { path: 'private.txt', name: 'w' }), /not valid JSON/);
    assert.match(await attempt('raw', { path: 'missing.bin', shape: [2] }), /ENOENT/);
    const rt = cluster.config.runtime();
    // The honest runs next to them: a raw input and a tfjs weight, encoded with f = 16.
    const x = rt.input('server1', { kind: 'source', loader: 'raw', args: { path: 'x.bin', shape: [3] }, shape: [3] });
    assert.equal([...(await rt.reveal(rt.op('server1', 'Add', [x, rt.fill('server1', [3], 1n, U64)]))).values()], [6n, 7n, 8n]);
    const w = rt.input('server0', { kind: 'source', loader: 'tfjs-weight', args: { path: 'model.json', name: 'w' }, shape: [2] });
    assert.equal([...(await rt.reveal(w)).values()], [98304n, 2n ** 64n - 131072n]);
  } finally {
    await cluster.stop();
    rmSync(top, { recursive: true, force: true });
  }
});

test.run();
