// Conv2D (implicit im2col feeding the u64 GEMM), Im2Col and Col2Im.
#include "conv_impl.h"
#include "gemm_impl.h"
#include "napi_util.h"
#include "thread_pool.h"

namespace tfe {

ConvGeom GetGeom(const Napi::CallbackInfo& info, size_t i) {
  const int64_t lim = int64_t(1) << 31;
  ConvGeom g;
  int64_t* f[] = {&g.n, &g.h, &g.w, &g.c, &g.kh, &g.kw, &g.sh, &g.sw, &g.pt, &g.pl, &g.oh, &g.ow};
  const char* names[] = {"N", "H", "W", "C", "kh", "kw", "sh", "sw", "padTop", "padLeft", "oh", "ow"};
  for (int k = 0; k < 12; k++) *f[k] = GetInt(info, i + k, names[k], k == 6 || k == 7 ? 1 : 0, lim);
  return g;
}

namespace {

// conv2d(x, w, F, ...geom, async, out?) -> [N, oh, ow, F]
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = GetU64(info, 0, "x"), w = GetU64(info, 1, "w");
  int64_t F = GetInt(info, 2, "F", 0, int64_t(1) << 31);
  ConvGeom g = GetGeom(info, 3);
  bool async = GetBool(info, 15, "async");
  CheckLength(env, x, static_cast<size_t>(g.n * g.h * g.w * g.c), "x");
  CheckLength(env, w, static_cast<size_t>(g.Cols() * F), "w");
  int64_t M = g.Rows(), K = g.Cols();
  Arr outArr = OutArr(info, 16, true, static_cast<size_t>(M * F));
  uint64_t* o = outArr.u();
  Napi::Value out = outArr.value;
  const uint64_t *xp = x.u(), *wp = w.u();
  bool big = async && M * K * F >= (int64_t(1) << 18);
  return RunWork(env, big, {x.value, w.value}, out, [=] {
    PackAFn pack = [&](int64_t i0, int64_t mc, int64_t k0, int64_t kc, uint64_t* dst) {
      for (int64_t p = 0; p * kMR < mc; p++) {
        uint64_t* d = dst + p * kc * kAStride;
        for (int r = 0; r < kMR; r++) {
          if (p * kMR + r < mc) {
            Im2ColRow(g, xp, i0 + p * kMR + r, k0, kc, [&](int64_t k, uint64_t v) { StoreA(d, k, r, v); });
          } else {
            for (int64_t k = 0; k < kc; k++) StoreA(d, k, r, 0);
          }
        }
      }
    };
    GemmPackedA(M, F, K, pack, MatView{wp, F, 1}, o, F);
  });
}

// im2col(x, ...geom, async, out?) -> [N·oh·ow, kh·kw·C]
Napi::Value Im2Col(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = GetArr(info, 0, "x");
  ConvGeom g = GetGeom(info, 1);
  bool async = GetBool(info, 13, "async");
  CheckLength(env, x, static_cast<size_t>(g.n * g.h * g.w * g.c), "x");
  int64_t M = g.Rows(), K = g.Cols();
  Arr o = OutArr(info, 14, x.u64, static_cast<size_t>(M * K));
  return RunWork(env, async && M * K >= (1 << 18), {x.value}, o.value, [=] {
    ParallelRange(M, 64, [&](int64_t b, int64_t e) {
      for (int64_t row = b; row < e; row++) {
        if (x.u64) {
          uint64_t* d = o.u() + row * K;
          Im2ColRow(g, x.u(), row, 0, K, [d](int64_t k, uint64_t v) { d[k] = v; });
        } else {
          uint8_t* d = o.b() + row * K;
          Im2ColRow(g, x.b(), row, 0, K, [d](int64_t k, uint8_t v) { d[k] = v; });
        }
      }
    });
  });
}

template <class T, class Add>
void Col2ImT(const ConvGeom& g, const T* cols, T* x, Add add) {
  int64_t K = g.Cols();
  ParallelFor(g.n, [&](int64_t n) {
    for (int64_t oy = 0; oy < g.oh; oy++) {
      for (int64_t ox = 0; ox < g.ow; ox++) {
        const T* row = cols + ((n * g.oh + oy) * g.ow + ox) * K;
        for (int64_t dy = 0; dy < g.kh; dy++) {
          int64_t iy = oy * g.sh + dy - g.pt;
          if (iy < 0 || iy >= g.h) continue;
          for (int64_t dx = 0; dx < g.kw; dx++) {
            int64_t ix = ox * g.sw + dx - g.pl;
            if (ix < 0 || ix >= g.w) continue;
            T* d = x + ((n * g.h + iy) * g.w + ix) * g.c;
            const T* s = row + (dy * g.kw + dx) * g.c;
            for (int64_t c = 0; c < g.c; c++) d[c] = add(d[c], s[c]);
          }
        }
      }
    }
  });
}

// col2im(cols, ...geom, modulus, async) -> [N, H, W, C], the adjoint of im2col
Napi::Value Col2Im(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr cols = GetArr(info, 0, "cols");
  ConvGeom g = GetGeom(info, 1);
  uint32_t m = static_cast<uint32_t>(GetInt(info, 13, "modulus", 0, 256));
  bool async = GetBool(info, 14, "async");
  CheckLength(env, cols, static_cast<size_t>(g.Rows() * g.Cols()), "cols");
  if (!cols.u64 && m < 2) Fail(env, "`modulus` must be in [2, 256] for u8 operands");
  Arr o = NewArr(env, cols.u64, static_cast<size_t>(g.n * g.h * g.w * g.c), true);
  return RunWork(env, async && cols.length >= (1 << 18), {cols.value}, o.value, [=] {
    if (cols.u64) {
      Col2ImT(g, cols.u(), o.u(), [](uint64_t a, uint64_t b) { return a + b; });
    } else {
      Col2ImT(g, cols.b(), o.b(), [m](uint8_t a, uint8_t b) {
        uint32_t s = uint32_t(a) + b;
        return uint8_t(s >= m ? s - m : s);
      });
    }
  });
}

}  // namespace

void InitConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("im2col", Napi::Function::New(env, Im2Col));
  exports.Set("col2im", Napi::Function::New(env, Col2Im));
}

}  // namespace tfe
