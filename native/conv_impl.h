// Window geometry shared by Conv2D, Im2Col and Col2Im (NHWC input, (dy, dx, c) column order).
#pragma once
#include <napi.h>

#include <cstdint>

namespace tfe {

struct ConvGeom {
  int64_t n, h, w, c;    // input
  int64_t kh, kw;        // window
  int64_t sh, sw;        // strides
  int64_t pt, pl;        // padding on top / left
  int64_t oh, ow;        // output
  int64_t Rows() const { return n * oh * ow; }
  int64_t Cols() const { return kh * kw * c; }
};

// Reads geometry arguments info[i .. i+11]: n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow.
ConvGeom GetGeom(const Napi::CallbackInfo& info, size_t i);

// Calls put(k, value) for columns k0 + k, k < kc, of im2col row `row` (zeros over padding).
template <class T, class Put>
inline void Im2ColRow(const ConvGeom& g, const T* x, int64_t row, int64_t k0, int64_t kc, Put&& put) {
  int64_t ox = row % g.ow, t = row / g.ow, oy = t % g.oh, n = t / g.oh;
  int64_t c = k0 % g.c, t2 = k0 / g.c, dx = t2 % g.kw, dy = t2 / g.kw;
  int64_t k = 0;
  while (k < kc) {
    int64_t run = g.c - c < kc - k ? g.c - c : kc - k;
    int64_t iy = oy * g.sh + dy - g.pt, ix = ox * g.sw + dx - g.pl;
    if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) {
      const T* s = x + ((n * g.h + iy) * g.w + ix) * g.c + c;
      for (int64_t u = 0; u < run; u++) put(k + u, s[u]);
    } else {
      for (int64_t u = 0; u < run; u++) put(k + u, T(0));
    }
    k += run;
    c += run;
    if (c == g.c) {
      c = 0;
      if (++dx == g.kw) { dx = 0; dy++; }
    }
  }
}

}  // namespace tfe
