#!/usr/bin/env bash
# Builds and runs the standalone CUDA harness on a GPU machine (CUDA toolkit only, no Node):
#   bash native/cuda/run_harness.sh [--no-bench]
# TFE_CUDA_ARCHS picks the architectures (default 90: H100/H200), NVCC the compiler.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
nvcc="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
out="${TFE_HARNESS_DIR:-$here/../../build/cuda-harness}"
mkdir -p "$out"
gencode=()
for a in ${TFE_CUDA_ARCHS:-90}; do gencode+=("-gencode=arch=compute_${a},code=sm_${a}"); done
"$nvcc" -std=c++17 -O3 "${gencode[@]}" -I"$here" "$here/tfe_cuda_all.cu" "$here/harness.cu" -o "$out/harness"
exec "$out/harness" "$@"
