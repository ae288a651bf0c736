/**
 * The transport-floor replay of `npm run bench -- profile` (bench/workers/replay_party.ts):
 * three plain-zeromq parties run a recorded message plan to the end, whatever order the
 * messages of a round arrive in, and each reports its time and CPU per step.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from '../../src/runtime/transport/zmq/local_cluster.js';
import { testTmpDir } from '../helpers/tmp.js';

test('three replay parties run a plan with one-way, two-way and skipped rounds, a message over 8 MiB and a send-only party to the end, and report their time per step', async () => {
  // round 1: 0 → 1 and 2 → 1; round 2: 0 ⇄ 1 (large) and 2 → 0, 2 → 1; round 3: 0 → 1, over
  // 8 MiB (two payload frames, as the players send it); round 5: 1 → 0 only.
  // Party 2 only sends, as Pond's producer does, so it runs steps ahead of the others: its
  // early messages must count for their own step, not stand in for party 0's.
  const plan = [[0, 1, 1, 100], [2, 1, 1, 8], [0, 1, 2, 200_000], [1, 0, 2, 200_000], [2, 0, 2, 5], [2, 1, 2, 64], [0, 1, 3, 9 * 2 ** 20], [1, 0, 5, 1000]];
  const file = join(testTmpDir('replay-'), 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  const ports = [await freePort(), await freePort(), await freePort()];
  const worker = new URL('../../bench/workers/replay_party.ts', import.meta.url).pathname;
  const outputs = await Promise.all(ports.map((_, k) => new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, String(k), file, '30', ...ports.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    const timer = setTimeout(() => { child.kill(); reject(new Error(`party ${k} did not finish within 30 s`)); }, 30_000);
    child.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
    child.once('exit', (code) => { clearTimeout(timer); if (code === 0) resolve(text); else reject(new Error(`party ${k} exited with ${code}`)); });
  })));
  for (const text of outputs) {
    const lines = text.trim().split('\n');
    assert.is(lines[0], 'up');
    const r = JSON.parse(lines[lines.length - 1]) as { msPerStep: number; cpuMsPerStep: number };
    assert.ok(r.msPerStep > 0 && r.msPerStep < 1000, `ms per step ${r.msPerStep}`);
    assert.ok(r.cpuMsPerStep >= 0, `cpu ${r.cpuMsPerStep}`);
  }
});

test.run();
