{
  "targets": [
    {
      "target_name": "tfe_ring",
      "sources": [
        "native/addon.cc",
        "native/aes_impl.cc",
        "native/bits.cc",
        "native/buffer_pool.cc",
        "native/compare.cc",
        "native/conv.cc",
        "native/elementwise.cc",
        "native/gemm_impl.cc",
        "native/matmul.cc",
        "native/movement.cc",
        "native/napi_util.cc",
        "native/prg.cc",
        "native/reduce.cc",
        "native/thread_pool.cc",
        "native/unary.cc",
        "native/securenn_compare.cc",
        "native/securenn_odd_ring.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-O3", "-march=native"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fexceptions", "-Wno-uninitialized", "-Wno-maybe-uninitialized"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-march=native"]
      }
    }
  ]
}
