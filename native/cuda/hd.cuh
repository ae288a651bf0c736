// TFE_HD marks functions that run on both the host and the device: under nvcc they are
// __host__ __device__, under a plain C++ compiler (the host-side exactness checks in
// test/cuda/) they are ordinary inline functions. TFE_HD_CONSTEXPR adds constexpr for the
// compile-time AES tables.
#pragma once

#if defined(__CUDACC__)
#define TFE_HD __host__ __device__ __forceinline__
#define TFE_HD_CONSTEXPR __host__ __device__ constexpr
#else
#define TFE_HD inline
#define TFE_HD_CONSTEXPR constexpr
#endif
