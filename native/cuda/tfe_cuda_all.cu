// The one translation unit nvcc compiles (the addon build, the harness and the compile test):
// every CUDA kernel file of native/cuda, so a build is a single nvcc invocation.
#include "runtime.cu"
#include "elementwise.cu"
#include "movement.cu"
#include "matmul_tiled.cu"
#include "matmul_imma.cu"
#include "prg.cu"
