/**
 * The notebooks (issue 22, item 5) execute headlessly on the tslab kernel
 * (`jupyter nbconvert --execute`, reduced sizes via TFE_NB_SMALL) without a cell error, and their
 * key outputs (an accuracy, a prediction) are right. Skipped when Jupyter or the tslab kernel
 * is absent (`npm run notebooks` installs them; .ci/run does too). Needs dist/ (npm run build) and notebooks/node_modules/tfe-js.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testIf } from '../helpers/skip.js';

const root = new URL('../..', import.meta.url).pathname;
const jupyter = '/usr/bin/jupyter';
const kernels = existsSync(jupyter) ? spawnSync(jupyter, ['kernelspec', 'list'], { encoding: 'utf8' }).stdout ?? '' : '';
const ready = /^\s*tslab\s/m.test(kernels) && existsSync(join(root, 'notebooks/node_modules/tfe-js/dist/index.js'));
const it = testIf(ready, 'jupyter or the tslab kernel is not set up (npm run notebooks)');
const out = mkdtempSync(join(tmpdir(), 'tfe-nb-'));

interface Cell { cell_type: string; source?: string | string[]; outputs?: { output_type: string; name?: string; text?: string[]; data?: Record<string, string | string[]>; ename?: string }[] }

/** Executes one notebook; returns its stdout text, its HTML outputs and fails on any error. */
function execute(name: string): { stdout: string; html: string } {
  const r = spawnSync(jupyter, ['nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--ExecutePreprocessor.timeout=600',
    '--output-dir', out, join(root, 'notebooks', name)], { encoding: 'utf8', timeout: 900_000, env: { ...process.env, TFE_NB_SMALL: '1' } });
  assert.is(r.status, 0, `${name} failed:\n${(r.stderr ?? '').slice(-2000)}`);
  const cells = (JSON.parse(readFileSync(join(out, name), 'utf8')) as { cells: Cell[] }).cells;
  const outputs = cells.flatMap((c) => c.outputs ?? []);
  const text = (o: { text?: string[] | string }) => [o.text ?? ''].flat().join('');
  // --allow-errors keeps the executed notebook, so a failure can name its cell and error: tslab
  // reports a cell's uncaught error only on the cell's stderr (no `error` output, and nothing
  // in nbconvert's own report). The notebooks write nothing else to stderr.
  const failed = cells.find((c) => c.outputs?.some((o) => o.output_type === 'error' || o.name === 'stderr'));
  if (failed) {
    const said = failed.outputs!.filter((o) => o.name === 'stderr' || o.output_type === 'error').map((o) => text(o) || `${o.ename}`).join('');
    assert.unreachable(`${name}: a cell failed:\n${[failed.source ?? ''].flat().join('').slice(0, 600)}\n---\n${said.slice(0, 2000)}`);
  }
  const stdout = outputs.filter((o) => o.name === 'stdout').map(text).join('');
  const html = outputs.map((o) => [o.data?.['text/html'] ?? ''].flat().join('')).join('');
  return { stdout, html };
}

/** The newest modification time of the files under `dir` ending with `ext`. */
function newest(dir: string, ext: string): number {
  return Math.max(0, ...readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(ext)).map((f) => statSync(join(dir, f)).mtimeMs));
}

// The notebooks import the built package: a dist/ older than src/ would test yesterday's code.
it('dist/ is built from the current src/ (else: npm run build)', () => {
  const src = newest(join(root, 'src'), '.ts'), dist = statSync(join(root, 'dist/index.js')).mtimeMs;
  assert.ok(dist >= src, `dist/ (${new Date(dist).toISOString()}) is older than src/ (${new Date(src).toISOString()}): run npm run build`);
});

it('01-getting-started: private arithmetic, output to one player, exact ReLU under SecureNN', () => {
  const { stdout } = execute('01-getting-started.ipynb');
  assert.match(stdout, /x·w \+ 1 = \[ 3\.75, 2\.25 \]/); // [1.5·0.5 + 2 + 1, 3·0.5 − 0.25 + 1]
  assert.match(stdout, /result-receiver sees x² = \[ 2\.25, 4, 9, 0\.0625 \]/);
  assert.match(stdout, /relu\(v\) = \[ 0, 0, 0, 0\.5, 2 \]/);
});

it('02-private-prediction: private predictions agree with the plaintext model', () => {
  const { stdout } = execute('02-private-prediction.ipynb');
  const acc = Number(/private accuracy ([\d.]+)/.exec(stdout)?.[1]);
  const agree = Number(/agreement with plaintext ([\d.]+)/.exec(stdout)?.[1]);
  const diff = Number(/max \|diff\| ([\d.]+)/.exec(stdout)?.[1]);
  assert.ok(acc >= 0.9, `accuracy ${acc}`);
  assert.ok(agree >= 0.95, `agreement ${agree}`);
  assert.ok(diff < 0.05, `max |private − plaintext| ${diff} < 0.05 (fixed point, f = 16, and approximate sigmoid)`);
});

it('03-private-training: the loss falls, the plot renders, accuracy is high', () => {
  const { stdout, html } = execute('03-private-training.ipynb');
  const losses = /loss per epoch: ([\d. ]+)/.exec(stdout)?.[1].trim().split(' ').map(Number) ?? [];
  assert.ok(losses.length >= 2 && losses.at(-1)! < losses[0], `loss falls: ${losses}`);
  assert.match(html, /<svg[^>]*id="loss-plot"/);
  const acc = Number(/private training accuracy ([\d.]+)/.exec(stdout)?.[1]);
  assert.ok(acc >= 0.85, `accuracy ${acc}`);
});

it('04-vertical-federated-learning: PSI, training on both owners\' shares, Bob\'s weights as good as plaintext', () => {
  const { stdout } = execute('04-vertical-federated-learning.ipynb');
  assert.match(stdout, /PSI: 600 individuals in common; same order on both sides: true/); // Bob's 30 extra people dropped
  assert.match(stdout, /features: PondPrivateTensor\(shape=\[600,16\]/);
  assert.match(stdout, /17 weights delivered to server1/);
  const priv = Number(/private model accuracy: ([\d.]+) %/.exec(stdout)?.[1]);
  const plain = Number(/plaintext LR accuracy:\s+([\d.]+) %/.exec(stdout)?.[1]);
  const diff = Number(/max \|private − plaintext weight\|: ([\d.]+)/.exec(stdout)?.[1]);
  assert.ok(priv >= 80, `private accuracy ${priv} % (the ground truth allows ~87 %)`);
  assert.ok(Math.abs(priv - plain) <= 2, `private ${priv} % within 2 points of plaintext ${plain} %`);
  // 18 SGD steps at lr 0.5; each step's mean gradient differs from float64 by at most the
  // sigmoid's error (≤ 0.0055) times mean |x| (≈ 0.8), plus 2^-16 roundings: ≤ 18·0.5·0.0044 ≈ 0.04.
  assert.ok(diff < 0.05, `max |private − plaintext weight| ${diff} < 0.05`);
});

it('05-private-serving: the served predictions match the plaintext model', () => {
  const { stdout } = execute('05-private-serving.ipynb');
  assert.match(stdout, /serving \[null,2\] → \[null,1\] with SecureNN/);
  assert.match(stdout, /both together:\s+Float64Array\(2\) \[ 0\.75, -1\.25 \]/);
  assert.match(stdout, /prediction for \[0\.1,-0\.2\]: private [\d.]+, plaintext [\d.]+/);
  // exact relu (SecureNN); weights and inputs rounded to 2^-17 give logit errors ≪ 1e-3; the
  // sigmoid approximation adds ≤ 0.0055: 0.01 holds with room.
  const diff = Number(/max \|private − plaintext\| ([\d.]+)/.exec(stdout)?.[1]);
  assert.ok(diff < 0.01, `max |private − plaintext| ${diff} < 0.01`);
  const acc = Number(/served accuracy ([\d.]+) on 32 test points/.exec(stdout)?.[1]);
  assert.ok(acc >= 0.9, `served accuracy ${acc}`);
  assert.match(stdout, /service: 33 requests served in \d+ batches/);
});

test.after(() => rmSync(out, { recursive: true, force: true }));
test.run();
