/** The async kernel forms run off the event loop and give the same results as the sync forms. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runKernel, runKernelAsync } from '../../src/kernels/engine.js';
import { same, tensor } from './helpers.js';

const mm = { transposeA: false, transposeB: false };

test('the event loop keeps ticking during a long async matmul', async () => {
  const [a, b] = [tensor([768, 768], 1), tensor([768, 768], 2)];
  let ticks = 0;
  let done = false;
  const timer = setInterval(() => { if (!done) ticks++; }, 1);
  const pending = runKernelAsync('MatMul', [a, b], mm, 'native').then((c) => { done = true; return c; });
  assert.instance(pending, Promise);
  const c = await pending;
  clearInterval(timer);
  assert.ok(ticks >= 1, `the interval fired ${ticks} times while the matmul ran`);
  assert.ok(same(c.values(), runKernel('MatMul', [a, b], mm, 'native').values()));
});

test('concurrent async kernels give the sync results', async () => {
  const mats = [0, 1, 2, 3].map((i) => [tensor([200 + i, 150], 10 + i), tensor([150, 130], 20 + i)]);
  const [x, y] = [tensor([1 << 17], 5), tensor([1 << 17], 6)];
  const img = tensor([2, 12, 12, 3], 7), ker = tensor([3, 3, 3, 4], 8);
  const conv = { strides: [1, 1], padding: 'same' };
  const prg = { seed: new Uint8Array(16).fill(9), nonce: 3n, offset: 7n, shape: [1 << 17], dtype: 'u64' };
  const results = await Promise.all([
    ...mats.map(([a, b]) => runKernelAsync('MatMul', [a, b], mm, 'native')),
    runKernelAsync('Mul', [x, y], {}, 'native'),
    runKernelAsync('Conv2D', [img, ker], conv, 'native'),
    runKernelAsync('PrgUniform', [], prg, 'native'),
    runKernelAsync('Im2Col', [img], { kernelSize: [3, 3], strides: [1, 1], padding: 'valid' }, 'native'),
  ]);
  const want = [
    ...mats.map(([a, b]) => runKernel('MatMul', [a, b], mm, 'native')),
    runKernel('Mul', [x, y], {}, 'native'),
    runKernel('Conv2D', [img, ker], conv, 'native'),
    runKernel('PrgUniform', [], prg, 'native'),
    runKernel('Im2Col', [img], { kernelSize: [3, 3], strides: [1, 1], padding: 'valid' }, 'native'),
  ];
  results.forEach((r, i) => {
    assert.equal(r.shape, want[i].shape, `result ${i} shape`);
    assert.ok(same(r.values(), want[i].values()), `result ${i} values`);
  });
});

test('small async calls settle too', async () => {
  const [a, b] = [tensor([3, 4], 1), tensor([4, 2], 2)];
  const c = await runKernelAsync('MatMul', [a, b], mm, 'native');
  assert.ok(same(c.values(), runKernel('MatMul', [a, b], mm, 'native').values()));
});

test('a pending async kernel keeps the process alive; an idle one lets it exit', () => {
  // Top-level await with nothing else on the event loop: the executor must hold the loop open
  // until the product settles, then release it so the process ends by itself.
  const script = [
    "import { runKernelAsync } from './src/kernels/engine.js';",
    "import { ring, U64 } from './src/kernels/index.js';",
    "const a = ring.fromValues(new BigUint64Array(512 * 512).fill(3n), [512, 512], U64);",
    "const c = await runKernelAsync('MatMul', [a, a], {}, 'native');",
    "console.log('settled', c.values()[0]);",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /settled 4608/); // 512 · 3 · 3
});

test('a worker thread torn down with kernels in flight leaves the process and its executor working', async () => {
  // The executor threads are shared by every environment; a terminated worker's queued jobs
  // are dropped and its running ones finish before its memory goes (this used to crash).
  const addon = JSON.stringify(resolve('build/Release/tfe_ring.node'));
  const code = [
    `const nb = require(${addon});`,
    "const { parentPort } = require('node:worker_threads');",
    'const n = 600, a = new BigUint64Array(n * n).fill(3n);',
    "for (let i = 0; i < 4; i++) nb.matmul(a, a, [], [], [], n, n, n, false, false, 0, true).then(() => parentPort.postMessage('settled'));",
    "parentPort.postMessage('queued');",
  ].join('\n');
  for (let round = 0; round < 3; round++) {
    const w = new Worker(code, { eval: true });
    await new Promise((r) => w.once('message', r));
    await new Promise((r) => setTimeout(r, 20 * round));
    await w.terminate();
  }
  const [a, b] = [tensor([64, 48], 3), tensor([48, 32], 4)];
  const c = await runKernelAsync('MatMul', [a, b], mm, 'native');
  assert.ok(same(c.values(), runKernel('MatMul', [a, b], mm, 'native').values()), 'the main thread still gets results');
});

test.run();
