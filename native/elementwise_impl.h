// Scalar bodies of the elementwise kernels and a row loop that the compiler vectorises for the
// common stride patterns (contiguous, broadcast scalar).
#pragma once
#include <cstdint>

namespace tfe {

// x mod m for x < 2^24 and 2 <= m <= 256, by multiplication (exact in this range).
struct ModM {
  uint64_t m, inv;
  explicit ModM(uint64_t mod) : m(mod), inv((uint64_t(1) << 32) / mod + 1) {}
  inline uint32_t operator()(uint32_t x) const {
    uint32_t q = static_cast<uint32_t>((uint64_t(x) * inv) >> 32);
    return x - q * static_cast<uint32_t>(m);
  }
};

// out[i] = op(a[i*sa], b[i*sb]) with fast paths for strides 1/0.
template <class TA, class TB, class TO, class Op>
inline void Row2(const TA* a, int64_t sa, const TB* b, int64_t sb, TO* o, int64_t n, Op op) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = op(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const TB bv = *b;
    for (int64_t i = 0; i < n; i++) o[i] = op(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const TA av = *a;
    for (int64_t i = 0; i < n; i++) o[i] = op(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i] = op(a[i * sa], b[i * sb]);
  }
}

// out[i] = op(a[i]) over a contiguous range.
template <class TA, class TO, class Op>
inline void Row1(const TA* a, TO* o, int64_t n, Op op) {
  for (int64_t i = 0; i < n; i++) o[i] = op(a[i]);
}

}  // namespace tfe
