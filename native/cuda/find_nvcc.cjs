#!/usr/bin/env node
// Finds nvcc and the CUDA toolkit for the opt-in CUDA build. As a module: `findCuda()` returns
// { nvcc, home } or null. As a command (binding.gyp variables):
//   node native/cuda/find_nvcc.cjs            1 when TFE_CUDA=1 and nvcc exists, else 0
//   node native/cuda/find_nvcc.cjs --nvcc     the nvcc path
//   node native/cuda/find_nvcc.cjs --home     the toolkit root (holds lib64/libcudart_static.a)
//   node native/cuda/find_nvcc.cjs --gencode  nvcc -gencode flags for TFE_CUDA_ARCHS (default 90)
'use strict';
const { existsSync, realpathSync } = require('node:fs');
const { delimiter, dirname, join } = require('node:path');

/** The toolkit root of an nvcc: its ../.., or /usr/local/cuda when nvcc is a wrapper elsewhere. */
function homeOf(nvcc) {
  const up = dirname(dirname(realpathSync(nvcc)));
  for (const h of [up, process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda']) {
    if (h && existsSync(join(h, 'include', 'cuda_runtime.h'))) return h;
  }
  return up;
}

/** nvcc from CUDA_HOME / CUDA_PATH, the PATH, or /usr/local/cuda/bin; null when none. */
function findCuda() {
  const dirs = [process.env.CUDA_HOME, process.env.CUDA_PATH].filter(Boolean).map((h) => join(h, 'bin'));
  dirs.push(...(process.env.PATH || '').split(delimiter).filter(Boolean), '/usr/local/cuda/bin');
  for (const d of dirs) {
    const nvcc = join(d, process.platform === 'win32' ? 'nvcc.exe' : 'nvcc');
    if (existsSync(nvcc)) return { nvcc, home: homeOf(nvcc) };
  }
  return null;
}

/** The GPU architectures to build for: TFE_CUDA_ARCHS ("90", "80 90", ...), default Hopper. */
function cudaArchs() {
  return (process.env.TFE_CUDA_ARCHS || '90').split(/[\s,;]+/).filter((a) => /^\d+a?$/.test(a));
}

module.exports = { findCuda, cudaArchs };

if (require.main === module) {
  const arg = process.argv[2];
  const cuda = findCuda();
  if (arg === '--nvcc') console.log(cuda ? cuda.nvcc : 'nvcc');
  else if (arg === '--home') console.log(cuda ? cuda.home : '/usr/local/cuda');
  else if (arg === '--gencode') console.log(cudaArchs().map((a) => `-gencode=arch=compute_${a},code=sm_${a}`).join(' '));
  else {
    const want = process.env.TFE_CUDA === '1';
    if (want && !cuda) process.stderr.write('tfe-js: TFE_CUDA=1 but nvcc was not found (set CUDA_HOME); building without the cuda backend\n');
    console.log(want && cuda ? 1 : 0);
  }
}
