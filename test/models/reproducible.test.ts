/**
 * `tfe.setRandomSeed` makes training repeatable (issue 14, item 2): two processes with the same
 * seed train to bit-identical weights — initial weights, fit's shuffling and dropout masks all
 * follow the seed — and another seed gives other weights. The same seed on four `tfe player`
 * processes over ZeroMQ gives the LocalConfig weights bit for bit (issue 17).
 */
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const script = new URL('./fixtures/seeded_training.ts', import.meta.url).pathname;

function weightsHash(seed: string, networked = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', script, seed, ...(networked ? ['networked'] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const m = /weights ([0-9a-f]{64})/.exec(out);
      if (code !== 0 || !m) reject(new Error(`seeded run exited ${code}: ${err.slice(-2000)}`));
      else resolve(m[1]);
    });
  });
}

test('two processes with the same seed train to bit-identical weights; another seed differs', async () => {
  const [a, b, c] = await Promise.all([weightsHash('7'), weightsHash('7'), weightsHash('8')]);
  assert.is(a, b, 'same seed, same weights');
  assert.is.not(a, c, 'another seed, other weights');
});

test('the same seed on tfe player processes over ZeroMQ trains to the LocalConfig weights, bit for bit', async () => {
  const [local, networked] = await Promise.all([weightsHash('11'), weightsHash('11', true)]);
  assert.is(networked, local);
});

test.run();
