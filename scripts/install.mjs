#!/usr/bin/env node
// `npm install` hook: builds the native ring addon with node-gyp (and, with TFE_CUDA=1 and
// nvcc, the cuda addon), then (in a checkout of
// tfe-js itself) links our own `tfe` command into node_modules/.bin, so `npx tfe player ...`
// runs the checkout's CLI instead of looking the package up elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `npx tfe ...` in a checkout makes npm install the checkout into its npx cache, which runs
// this script again: the addon built by `npm install` is reused then.
const addon = join(root, 'build', 'Release', 'tfe_ring.node');
const reuse = process.env.npm_command === 'exec' && existsSync(addon);
// npm hands its bundled node-gyp to install scripts; fall back to one on the PATH.
const bundled = process.env.npm_config_node_gyp;
const gyp = reuse ? { status: 0 } : bundled
  ? spawnSync(process.execPath, [bundled, 'rebuild'], { cwd: root, stdio: 'inherit' })
  : spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (gyp.status !== 0) {
  console.error('tfe-js: building the native ring addon failed; tfe-js will use the reference backend');
}
// Opt-in CUDA backend (TFE_CUDA=1): binding.gyp adds the tfe_cuda target when nvcc is found.
if (process.env.TFE_CUDA === '1' && !reuse) {
  const built = existsSync(join(root, 'build', 'Release', 'tfe_cuda.node'));
  console.error(built
    ? 'tfe-js: built the cuda ring backend (build/Release/tfe_cuda.node); it is used where a GPU is present'
    : 'tfe-js: TFE_CUDA=1 but the cuda backend was not built (nvcc missing or failed); the CPU backends are unaffected');
}

const isRootProject = !root.split(/[\\/]/).includes('node_modules');
if (isRootProject) {
  const binDir = join(root, 'node_modules', '.bin');
  const link = join(binDir, 'tfe');
  mkdirSync(binDir, { recursive: true });
  if (existsSync(link)) rmSync(link);
  symlinkSync(relative(binDir, join(root, 'bin', 'tfe.js')), link);
}
