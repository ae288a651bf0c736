/**
 * Private serving end to end on 127.0.0.1: the model owner trains in plaintext; three
 * `tfe player` processes (server0, server1, server2) hold the secret-shared model; `tfe serve`
 * drives them; a client in another process classifies ten test images.
 *
 *   npx tsx examples/private-serving/run.ts [--train 3000] [--epochs 2] [--protocol securenn]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startLocalCluster } from '../../src/runtime/index.js';
import { trainModel } from './train.js';

const arg = (name: string, def: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tfe-serving-'));
const procs: ChildProcess[] = [];

function waitFor(child: ChildProcess, text: string, what: string): Promise<void> {
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 120 s:\n${log}`)), 120_000);
    child.stderr!.on('data', (d: Buffer) => { log += d; if (log.includes(text)) { clearTimeout(timer); resolve(); } });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited with ${code}:\n${log}`)); });
  });
}

const cluster = await startLocalCluster(['server0', 'server1', 'server2'], { startTimeoutMs: 120_000 });
try {
  console.log(`1. model owner: training in plaintext on ${arg('train', '3000')} images`);
  await trainModel(dir, Number(arg('train', '3000')), Number(arg('epochs', '2')));
  const address = `tcp://127.0.0.1:${await freePort()}`;
  const ports = `${await freePort()},${await freePort()}`;
  console.log(`2. players ${Object.values(cluster.hostmap).join(', ')}; tfe serve on ${address}`);
  const server = spawn(process.execPath, [join(root, 'bin/tfe.js'), 'serve', '--model', dir, '--config', cluster.configPath, '--address', address, '--server-ports', ports, '--protocol', arg('protocol', 'securenn')], { stdio: ['ignore', 'inherit', 'pipe'] });
  procs.push(server);
  await waitFor(server, 'serving on', 'tfe serve');
  console.log('3. client: ten test images');
  const client = spawn(process.execPath, ['--import', 'tsx', join(root, 'examples/private-serving/client.ts'), '--address', address], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => client.once('exit', resolve));
  if (code !== 0) throw new Error(`client exited with ${code}`);
} finally {
  for (const p of procs) p.kill('SIGTERM');
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
