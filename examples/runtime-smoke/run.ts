/**
 * Networked smoke test for operators: drives a distributed sum across three running
 * `tfe player` daemons and checks it. Starts nothing itself.
 *
 *   npx tsx examples/runtime-smoke/run.ts config.json
 *
 * Exits 0 and prints `runtime-smoke: OK` when the deployment works; otherwise prints the
 * error (a CommunicationError names the unreachable player and its address) and exits 1.
 */
import { randomFillSync } from 'node:crypto';
import { U64, runKernel } from '../../src/kernels/index.js';
import { RemoteConfig, tidy } from '../../src/runtime/index.js';
import { hostTensor } from '../../src/runtime/wire/tensor_bytes.js';

const SIZES = [0, 1, 1000, 1 << 20]; // elements (u64): up to 8 MiB per tensor

async function main(configPath: string | undefined): Promise<void> {
  if (!configPath) throw new Error('usage: npx tsx examples/runtime-smoke/run.ts <config.json>');
  const config = RemoteConfig.load(configPath, { timeoutMs: 10_000 });
  const players = config.players.slice(0, 3);
  if (players.length < 3) throw new Error(`the config names ${players.length} player(s); the smoke test needs 3`);
  const rt = config.runtime();
  try {
    for (const p of players) console.log(`${p} (${config.hostmap.players.find((e) => e.name === p)!.address}): round trip ${(await rt.ping(p)).toFixed(3)} ms`);
    for (const n of SIZES) {
      // Public test data: each player gets its own tensor, the sum is formed on the first.
      const xs = players.map(() => hostTensor(randomFillSync(new BigUint64Array(n)), [n], U64));
      const t0 = performance.now();
      const sum = tidy(() => {
        const hs = players.map((p, k) => rt.upload(p, xs[k]));
        let acc = hs[0];
        for (const h of hs.slice(1)) acc = rt.op(players[0], 'Add', [acc, rt.send(h, players[0])]);
        return acc;
      });
      const got = await rt.reveal(sum);
      rt.free(sum);
      const want = xs.slice(1).reduce((a, x) => runKernel('Add', [a, x]), xs[0]);
      const ok = Buffer.from(got.values().buffer).equals(Buffer.from(want.values().buffer));
      console.log(`sum of ${players.length} tensors of ${n} elements: ${ok ? 'ok' : 'WRONG'} (${(performance.now() - t0).toFixed(1)} ms)`);
      if (!ok) throw new Error(`distributed sum of ${n} elements is wrong`);
    }
    const counters = await rt.counters();
    for (const p of players) {
      const c = counters[p];
      console.log(`${p}: sent ${c.messagesSent} messages / ${c.bytesSent} bytes in ${c.rounds} rounds, ${c.instructions} instructions, ${c.liveHandles} live handles`);
    }
    console.log('runtime-smoke: OK');
  } finally {
    await config.close();
  }
}

main(process.argv[2]).then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`runtime-smoke: FAILED: ${e.message}`);
    process.exit(1);
  },
);
