/**
 * The CUDA sources compile: nvcc builds native/cuda/tfe_cuda_all.cu (every kernel file, one
 * translation unit) for sm_90 with -c, cached by content hash in build/cuda-tests/. Any compile
 * error fails the test. Without nvcc the test is skipped with the reason printed. A cold
 * compile takes about 12–25 s on the 2-core development machine; a cached run is instant.
 */
import { test } from 'uvu';
import { testIf } from '../helpers/skip.js';
import * as assert from 'uvu/assert';
import { cachedBuild, cuda } from './build_cache.js';

const NO_NVCC = 'nvcc not found (set CUDA_HOME or put nvcc on the PATH); the CUDA sources were not compiled';

testIf(!!cuda, NO_NVCC)('nvcc compiles every CUDA kernel file (sm_90, one translation unit)', () => {
  if (!cuda) return;
  const r = cachedBuild('tfe_cuda_all.o', [
    cuda.nvcc, '-std=c++17', '-O3', '-arch=sm_90', '-Xcompiler', '-fPIC', '-c', 'native/cuda/tfe_cuda_all.cu', '-o', '{out}',
  ]);
  console.log(`  nvcc: ${r.cached ? 'cached' : `compiled in ${r.seconds.toFixed(1)} s`}`);
  assert.ok(r.path.endsWith('.o'));
});

testIf(!!cuda, NO_NVCC)('nvcc compiles the standalone GPU harness', () => {
  if (!cuda) return;
  const r = cachedBuild('harness.o', [
    cuda.nvcc, '-std=c++17', '-O2', '-arch=sm_90', '-c', 'native/cuda/harness.cu', '-o', '{out}',
  ]);
  console.log(`  harness: ${r.cached ? 'cached' : `compiled in ${r.seconds.toFixed(1)} s`}`);
  assert.ok(r.path.endsWith('.o'));
});

test.run();
