/**
 * One party of the PSI benchmark (bench/data.ts): `listen <n> <first>` or `connect <port> <n>
 * <first>` makes the IDs `id-<first>` .. `id-<first+n−1>`, connects to the other party over TCP on
 * 127.0.0.1, and runs `psiIntersect` on a socket channel. The listener prints `port <p>` once
 * it listens; each party prints one JSON line `{"seconds": s, "common": k}` at the end.
 */
import { createServer, connect, type Socket } from 'node:net';
import { psiIntersect } from '../../src/data/psi.js';
import { socketChannel } from '../../src/data/psi_channel.js';

const [mode, ...rest] = process.argv.slice(2);
const [port, n, first] = mode === 'listen' ? [0, Number(rest[0]), Number(rest[1])] : rest.map(Number) as [number, number, number];
const ids = Array.from({ length: n }, (_, i) => `id-${first + i}`);

const socket = await new Promise<Socket>((resolve, reject) => {
  if (mode === 'listen') {
    const server = createServer((s) => { server.close(); resolve(s); });
    server.listen(0, '127.0.0.1', () => console.log(`port ${(server.address() as { port: number }).port}`));
  } else {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  }
});
socket.setNoDelay(true);
const t0 = performance.now();
const r = await psiIntersect(ids, socketChannel(socket), 'bench-psi');
const seconds = (performance.now() - t0) / 1000;
socket.end();
console.log(JSON.stringify({ seconds, common: r.ids.length }));
