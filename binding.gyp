{
  "variables": {
    "tfe_cuda%": "<!(node native/cuda/find_nvcc.cjs)"
  },
  "targets": [
    {
      "target_name": "tfe_ring",
      "sources": [
        "native/addon.cc",
        "native/aes_impl.cc",
        "native/async_lane.cc",
        "native/bits.cc",
        "native/buffer_pool.cc",
        "native/malloc_tuning.cc",
        "native/compare.cc",
        "native/conv.cc",
        "native/dcf.cc",
        "native/elementwise.cc",
        "native/gemm_impl.cc",
        "native/matmul.cc",
        "native/movement.cc",
        "native/napi_util.cc",
        "native/pond_tree.cc",
        "native/prg.cc",
        "native/reduce.cc",
        "native/thread_pool.cc",
        "native/unary.cc",
        "native/fused_pond.cc",
        "native/securenn_compare.cc",
        "native/securenn_odd_ring.cc",
        "native/bit_pack.cc",
        "native/x25519.cc"
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
  ],
  "conditions": [
    ["tfe_cuda==1", {
      "targets": [
        {
          "target_name": "tfe_cuda",
          "variables": {
            "nvcc": "<!(node native/cuda/find_nvcc.cjs --nvcc)",
            "cuda_home": "<!(node native/cuda/find_nvcc.cjs --home)"
          },
          "sources": ["native/cuda/addon_cuda.cc", "native/cuda/addon_kernels.cc"],
          "actions": [
            {
              "action_name": "nvcc_tfe_cuda_all",
              "inputs": [
                "native/cuda/tfe_cuda_all.cu", "native/cuda/runtime.cu", "native/cuda/elementwise.cu",
                "native/cuda/movement.cu", "native/cuda/matmul_tiled.cu", "native/cuda/matmul_imma.cu",
                "native/cuda/prg.cu", "native/cuda/tfe_cuda.h", "native/cuda/index_math.cuh",
                "native/cuda/limb_math.cuh", "native/cuda/aes_block.cuh", "native/cuda/device_common.cuh",
                "native/cuda/hd.cuh"
              ],
              "outputs": ["<(INTERMEDIATE_DIR)/tfe_cuda_all.o"],
              "action": [
                "<(nvcc)", "-std=c++17", "-O3", "-Xcompiler", "-fPIC", "<!@(node native/cuda/find_nvcc.cjs --gencode)",
                "-c", "native/cuda/tfe_cuda_all.cu", "-o", "<(INTERMEDIATE_DIR)/tfe_cuda_all.o"
              ],
              "process_outputs_as_sources": 1,
              "message": "nvcc native/cuda/tfe_cuda_all.cu"
            }
          ],
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native/cuda"],
          "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"],
          "cflags!": ["-fno-exceptions"],
          "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
          "cflags_cc": ["-std=c++17", "-O2", "-fexceptions"],
          "libraries": ["-L<(cuda_home)/lib64", "-lcudart_static", "-ldl", "-lrt", "-lpthread"]
        }
      ]
    }]
  ]
}
