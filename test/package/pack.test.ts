/**
 * The package other projects depend on (issue 22, item 4): `npm pack` the checkout, install the
 * tarball into a fresh project in a temp dir (its install script builds the native addon there,
 * with no tsc and no `prepare`), then a plain `node` script in that project imports tfe-js by
 * name and trains a small model privately, and `npx tfe player --help` runs the packaged CLI.
 * Reaches the npm registry for tfe-js's dependencies (the npm cache is reused, so a warm run
 * installs offline).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tfe-pack-'));
const project = join(dir, 'app');
const npm = (args: string[], cwd: string, timeout = 300_000): SpawnSyncReturns<string> =>
  spawnSync('npm', args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', JOBS: 'max' } });
const show = (r: SpawnSyncReturns<string>) => `status ${r.status}\n${r.stdout}\n${r.stderr}`.slice(-4000);

let tarball = '';

test('npm pack ships dist, bin, the native sources and the install script, not src or tests', () => {
  // --ignore-scripts: pack the dist/ that `npm install` built (the notebooks test checks it is
  // current) instead of letting `prepare` rewrite it while other test files import from it
  const r = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root);
  assert.is(r.status, 0, show(r));
  const info = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = join(dir, info[0].filename);
  const files = info[0].files.map((f) => f.path);
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'bin/tfe.js', 'binding.gyp', 'scripts/install.mjs', 'native/addon.cc', 'package.json']) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  assert.not.ok(files.some((f) => f.startsWith('src/') || f.startsWith('test/')), 'no src/ or test/ in the tarball');
});

test('the tarball installs into a new project and its install script builds the native addon', () => {
  assert.ok(tarball, 'packed');
  rmSync(project, { recursive: true, force: true });
  npm(['init', '-y'], dir);
  spawnSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  const r = npm(['install', '--prefer-offline', '--ignore-scripts=false', '--no-package-lock', tarball], project, 600_000);
  assert.is(r.status, 0, show(r));
  const pkg = join(project, 'node_modules', 'tfe-js');
  assert.ok(existsSync(join(pkg, 'build', 'Release', 'tfe_ring.node')), `addon built at install: ${readdirSync(pkg).join(', ')}\n${show(r)}`);
  assert.not.ok(existsSync(join(project, 'node_modules', 'tsx')), 'tsx is not installed for users');
});

test('a plain node script imports tfe-js and trains a small model on secret-shared data', () => {
  writeFileSync(join(project, 'train.js'), `
import * as tfe from 'tfe-js';
// y = 1 when x0 + x1 > 0: linearly separable, so a private logistic regression learns it.
const n = 64, xs = new Float64Array(n * 2), ys = new Float64Array(n);
for (let i = 0; i < n; i++) {
  const a = ((i * 37) % 17) / 8 - 1, b = ((i * 11) % 13) / 6 - 1;
  xs[2 * i] = a; xs[2 * i + 1] = b; ys[i] = a + b > 0 ? 1 : 0;
}
const x = await tfe.definePrivateInput('data-owner', () => xs, { shape: [n, 2] });
const y = await tfe.definePrivateInput('data-owner', () => ys, { shape: [n, 1] });
const model = tfe.sequential({ layers: [tfe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] });
model.compile({ optimizer: tfe.train.sgd(0.5), loss: 'binaryCrossentropy' });
await model.fit(x, y, { epochs: 10, batchSize: 16, verbose: 0 });
const p = await (await model.predict(x)).reveal();
let correct = 0;
for (let i = 0; i < n; i++) if ((p[i] > 0.5 ? 1 : 0) === ys[i]) correct++;
console.log('accuracy ' + (correct / n));
await tfe.getRuntime().close();
`);
  const r = spawnSync(process.execPath, ['train.js'], { cwd: project, encoding: 'utf8', timeout: 300_000 });
  assert.is(r.status, 0, show(r));
  assert.not.match(r.stderr, /reference backend/, 'the native addon built at install is used');
  const acc = Number(/accuracy ([\d.]+)/.exec(r.stdout)?.[1]);
  assert.ok(acc >= 0.85, `private accuracy ${acc} >= 0.85\n${show(r)}`);
});

test('npx tfe player --help runs the packaged CLI with plain node', () => {
  const r = spawnSync('npx', ['--no-install', 'tfe', 'player', '--help'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, show(r));
  assert.match(r.stdout, /--config/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
