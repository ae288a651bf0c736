/**
 * A client process of the serving benchmark: `latency <address> <n>` times n sequential
 * single-image predictions from one client; `throughput <address> <clients> <seconds>` runs
 * that many clients, each sending single-image requests back to back. Prints one JSON line.
 */
import { Client } from '../../src/serving/index.js';
import { percentile } from '../../src/serving/stats.js';

const [mode, address, a, b] = process.argv.slice(2);
const image = () => Float64Array.from({ length: 784 }, (_, i) => ((i * 37) % 255) / 255);

if (mode === 'latency') {
  const c = await Client.connect(address, { timeoutMs: 60_000 });
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) await c.predict(image()); // warm-up
  for (let i = 0; i < Number(a); i++) {
    const t0 = performance.now();
    await c.predict(image());
    ms.push(performance.now() - t0);
  }
  c.close();
  console.log(JSON.stringify({ p50: percentile(ms, 50), p99: percentile(ms, 99), n: ms.length }));
} else {
  const clients = await Promise.all(Array.from({ length: Number(a) }, () => Client.connect(address, { timeoutMs: 60_000 })));
  await Promise.all(clients.map((c) => c.predict(image())));
  const end = performance.now() + Number(b) * 1000;
  let done = 0;
  const t0 = performance.now();
  await Promise.all(clients.map(async (c) => { while (performance.now() < end) { await c.predict(image()); done++; } }));
  const secs = (performance.now() - t0) / 1000;
  clients.forEach((c) => c.close());
  console.log(JSON.stringify({ rps: done / secs, done, secs }));
}
process.exit(0);
