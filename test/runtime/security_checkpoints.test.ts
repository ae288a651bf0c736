/**
 * Issue 16, finding 5, over real `tfe player` processes on 127.0.0.1: share files written by
 * the `raw` sink carry a per-player MAC; flipped bytes, a file swapped from another path, or
 * one swapped from another player are refused with a ProtocolError naming only the path. A
 * truncated checkpoint manifest is a ValueError, not a raw SyntaxError; leftover `.tmp` files
 * of a killed write are cleaned.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { U64 } from '../../src/kernels/index.js';
import { ValueError } from '../../src/errors.js';
import { startLocalCluster } from '../../src/runtime/transport/zmq/local_cluster.js';
import { parseJsonText } from '../../src/runtime/player/checkpoint_integrity.js';

test('tampered and swapped share files are refused; the honest round trip loads', async () => {
  const top = mkdtempSync(join(tmpdir(), 'tfe-sec-ckpt-'));
  const dirs = { server0: join(top, 'd0'), server1: join(top, 'd1') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  // Each player its own data dir, so each its own MAC key.
  const c0 = await startLocalCluster(['server0'], { playerFlags: ['--data-dir', dirs.server0], timeoutMs: 5000 });
  const c1 = await startLocalCluster(['server0'], { playerFlags: ['--data-dir', dirs.server1], timeoutMs: 5000 });
  try {
    const write = async (c: typeof c0, path: string, v: bigint) => {
      const rt = c.config.runtime();
      rt.output(rt.fill('server0', [64], v, U64), { kind: 'sink', name: 'raw', args: { path } });
      await rt.flush();
    };
    const load = async (c: typeof c0, path: string) => {
      const rt = c.config.runtime();
      const h = rt.input('server0', { kind: 'source', loader: 'raw', args: { path, shape: [64] }, shape: [64] });
      return rt.reveal(h).then((t) => [...t.values()], (e: Error) => e);
    };
    // Leftovers of a killed write are cleaned by the next write of the same file.
    for (const f of ['a.bin.tmp', 'a.bin.mac.tmp']) writeFileSync(join(dirs.server0, f), 'half-written');
    await write(c0, 'a.bin', 3n);
    for (const f of ['a.bin.tmp', 'a.bin.mac.tmp']) assert.not.ok(existsSync(join(dirs.server0, f)), `${f} left behind`);
    await write(c0, 'b.bin', 4n);
    await write(c1, 'a.bin', 5n);
    assert.equal(await load(c0, 'a.bin'), Array(64).fill(3n)); // honest
    // 64 flipped bytes.
    const a0 = join(dirs.server0, 'a.bin');
    const good = readFileSync(a0);
    const bad = Buffer.from(good);
    for (let i = 0; i < 64; i++) bad[i * 8] ^= 0xff;
    writeFileSync(a0, bad);
    let e = await load(c0, 'a.bin');
    assert.instance(e, Error);
    assert.match(String((e as Error).message), /`a\.bin` fails its integrity check/);
    assert.not.ok((e as Error).message.includes(top));
    // A file moved from another path of the same player, and one from another player.
    copyFileSync(join(dirs.server0, 'b.bin'), a0);
    e = await load(c0, 'a.bin');
    assert.match(String((e as Error).message), /integrity check/);
    copyFileSync(join(dirs.server1, 'a.bin'), a0);
    e = await load(c0, 'a.bin');
    assert.match(String((e as Error).message), /integrity check/);
    // Put back, it loads again; the key file is not reachable by a loader.
    writeFileSync(a0, good);
    assert.equal(await load(c0, 'a.bin'), Array(64).fill(3n));
    e = await load(c0, '.tfe_mac_key');
    assert.match(String((e as Error).message), /reserved/);
  } finally {
    await c0.stop();
    await c1.stop();
    rmSync(top, { recursive: true, force: true });
  }
});

test('a truncated manifest is a ValueError naming the file, not its bytes', () => {
  const text = JSON.stringify({ format: 'tfe-checkpoint', secret: 'PRIVATE' }).slice(0, 30);
  assert.throws(() => parseJsonText(text, 'tfe_model.json'), (e: Error) => e instanceof ValueError && /tfe_model\.json/.test(e.message) && !e.message.includes('tfe-checkpoint'));
});

test.run();
