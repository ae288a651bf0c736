// Walks the elements of a row-major output while reading up to three strided (broadcast)
// operands. Dimensions that are contiguous for every operand are merged first, so the common
// cases (same shape, scalar operand) become a single flat loop.
#pragma once
#include <cstdint>
#include <vector>

#include "thread_pool.h"

namespace tfe {

constexpr int kMaxRank = 16;

struct Plan {
  int rank = 0;
  int nops = 0;
  int64_t total = 1;
  int64_t shape[kMaxRank];
  int64_t st[3][kMaxRank];
};

// Builds a plan for output `shape` and per-operand element strides (0 on broadcast axes).
inline Plan MakePlan(const std::vector<int64_t>& shape, const std::vector<const std::vector<int64_t>*>& strides) {
  Plan p;
  p.nops = static_cast<int>(strides.size());
  for (int64_t d : shape) p.total *= d;
  for (size_t d = 0; d < shape.size(); d++) {
    if (shape[d] == 1) continue;
    bool merge = p.rank > 0;
    for (int k = 0; k < p.nops && merge; k++) merge = p.st[k][p.rank - 1] == (*strides[k])[d] * shape[d];
    if (merge) {
      p.shape[p.rank - 1] *= shape[d];
      for (int k = 0; k < p.nops; k++) p.st[k][p.rank - 1] = (*strides[k])[d];
    } else {
      p.shape[p.rank] = shape[d];
      for (int k = 0; k < p.nops; k++) p.st[k][p.rank] = (*strides[k])[d];
      p.rank++;
    }
  }
  if (p.rank == 0) {
    p.rank = 1;
    p.shape[0] = 1;
    for (int k = 0; k < p.nops; k++) p.st[k][0] = 0;
  }
  return p;
}

// Calls fn(outIndex, offs, inner, n) for the rows covering output elements [begin, end):
// offs[k] is operand k's offset of the first element, inner[k] its stride along the row.
template <class Fn>
void Walk(const Plan& p, int64_t begin, int64_t end, Fn&& fn) {
  if (begin >= end) return;
  const int r = p.rank;
  const int64_t rowLen = p.shape[r - 1];
  int64_t idx[kMaxRank];
  int64_t offs[3] = {0, 0, 0};
  int64_t inner[3] = {0, 0, 0};
  for (int k = 0; k < p.nops; k++) inner[k] = p.st[k][r - 1];
  int64_t rem = begin;
  for (int d = r - 1; d >= 0; d--) {
    idx[d] = rem % p.shape[d];
    rem /= p.shape[d];
    for (int k = 0; k < p.nops; k++) offs[k] += idx[d] * p.st[k][d];
  }
  int64_t pos = begin;
  while (pos < end) {
    int64_t n = rowLen - idx[r - 1];
    if (n > end - pos) n = end - pos;
    fn(pos, offs, inner, n);
    pos += n;
    if (pos >= end) break;
    // advance to the start of the next row
    for (int k = 0; k < p.nops; k++) offs[k] += (rowLen - idx[r - 1]) * inner[k];
    idx[r - 1] = 0;
    for (int k = 0; k < p.nops; k++) offs[k] -= rowLen * inner[k];
    for (int d = r - 2; d >= 0; d--) {
      idx[d]++;
      for (int k = 0; k < p.nops; k++) offs[k] += p.st[k][d];
      if (idx[d] < p.shape[d]) break;
      for (int k = 0; k < p.nops; k++) offs[k] -= p.shape[d] * p.st[k][d];
      idx[d] = 0;
    }
  }
}

// Walk split across the pool when the output is large.
template <class Fn>
void ParallelWalk(const Plan& p, Fn&& fn, int64_t grain = 1 << 16) {
  if (p.total <= grain) {
    Walk(p, 0, p.total, fn);
    return;
  }
  ParallelRange(p.total, grain, [&](int64_t b, int64_t e) { Walk(p, b, e, fn); });
}

}  // namespace tfe

namespace tfe {

// True when every read of a strided walk over `shape` stays inside `length` elements.
inline bool SpanFits(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides, size_t length,
                     int64_t offset = 0) {
  int64_t hi = offset, lo = offset;
  for (size_t d = 0; d < shape.size(); d++) {
    if (shape[d] == 0) return true;
    if (shape[d] < 0) return false;
    int64_t ext = (shape[d] - 1) * strides[d];
    if (ext > 0) hi += ext; else lo += ext;
  }
  return lo >= 0 && hi < static_cast<int64_t>(length);
}

}  // namespace tfe
