/**
 * freePort hands out ports below the OS's ephemeral range (where an outgoing connection's source
 * port cannot take one between the check and the bind), never the same one twice, and each one
 * can be bound at once.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from '../../src/runtime/index.js';

const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

test('ports are distinct, below the ephemeral range and bindable', async () => {
  const ports: number[] = [];
  for (let i = 0; i < 40; i++) ports.push(await freePort());
  assert.is(new Set(ports).size, ports.length, 'no port handed out twice');
  for (const p of ports) assert.ok(p >= 10_000 && p < low, `port ${p} in [10000, ${low})`);
  const servers = await Promise.all(ports.map((p) => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(p, '127.0.0.1', () => resolve(s));
  })));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

test.run();
