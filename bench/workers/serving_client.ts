/**
 * A client process of the serving benchmark: `latency <address> <n>` times n sequential
 * single-image predictions from one client; `throughput <address> <clients> <seconds>` runs
 * that many clients, each sending single-image requests back to back. Prints one JSON line,
 * with this process's CPU time and the service's status at the end.
 */
import { Client } from '../../src/serving/index.js';
import { percentile } from '../../src/serving/stats.js';

const [mode, address, a, b] = process.argv.slice(2);
const image = (k: number) => Float64Array.from({ length: 784 }, (_, i) => ((i * 37 + k) % 255) / 255);
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

if (mode === 'latency') {
  const c = await Client.connect(address, { timeoutMs: 60_000 });
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) await c.predict(image(i)); // warm-up
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < Number(a); i++) {
    const t0 = performance.now();
    await c.predict(image(i));
    ms.push(performance.now() - t0);
  }
  const cpu = cpuMs(process.cpuUsage(cpu0));
  const status = await c.status();
  c.close();
  console.log(JSON.stringify({ p50: percentile(ms, 50), p99: percentile(ms, 99), n: ms.length, clientCpuMs: cpu, status }));
} else {
  const clients = await Promise.all(Array.from({ length: Number(a) }, () => Client.connect(address, { timeoutMs: 60_000 })));
  await Promise.all(clients.map((c, k) => c.predict(image(k))));
  const before = await clients[0].status();
  const end = performance.now() + Number(b) * 1000;
  let done = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(clients.map(async (c, k) => { while (performance.now() < end) { await c.predict(image(k + done)); done++; } }));
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuMs(process.cpuUsage(cpu0));
  const after = await clients[0].status();
  clients.forEach((c) => c.close());
  const batches = after.batches - before.batches;
  console.log(JSON.stringify({ rps: done / secs, done, secs, clientCpuMs: cpu, batches, meanBatch: batches ? (after.served - before.served) / batches : null }));
}
process.exit(0);
