# node-gyp build (what `npm install` runs). Sources, defines and flags come from
# scripts/native-config.js (every .cc under native/, the flags of native/sources.json), which
# CMakeLists.txt runs too, so the two builds cannot drift apart.
{
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["<!@(node scripts/native-config.js defines)"],
    "cflags": ["<!@(node scripts/native-config.js cflags)"],
    "cflags_cc": ["<!@(node scripts/native-config.js cflags_cc)"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "OTHER_CFLAGS": ["<!@(node scripts/native-config.js cflags)"]
    },
    "msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1}}
  },
  "variables": {
    # The optional MPI binding (lib/distributed): 1 where mpicxx and mpi.h are found.
    "tensorgrad_mpi%": "<!(node scripts/mpi-config.js available)"
  },
  "targets": [
    {
      # The AVX2/FMA kernels: compiled for that target only, chosen at run time by native/cpu.cc.
      "target_name": "tensorgrad_avx2",
      "type": "static_library",
      "sources": ["<!@(node scripts/native-config.js avx2_sources)"],
      "cflags": ["-fPIC"],
      "conditions": [
        ["target_arch=='x64' or target_arch=='ia32'", {
          "cflags": ["<!@(node scripts/native-config.js avx2_cflags)"],
          "xcode_settings": {"OTHER_CFLAGS": ["<!@(node scripts/native-config.js avx2_cflags)"]}
        }]
      ]
    },
    {
      # The AVX-512 kernels, the same way: only these files get the AVX-512 flags.
      "target_name": "tensorgrad_avx512",
      "type": "static_library",
      "sources": ["<!@(node scripts/native-config.js avx512_sources)"],
      "cflags": ["-fPIC"],
      "conditions": [
        ["target_arch=='x64' or target_arch=='ia32'", {
          "cflags": ["<!@(node scripts/native-config.js avx512_cflags)"],
          "xcode_settings": {"OTHER_CFLAGS": ["<!@(node scripts/native-config.js avx512_cflags)"]}
        }]
      ]
    },
    {
      "target_name": "tensorgrad",
      "sources": ["<!@(node scripts/native-config.js sources)"],
      "dependencies": ["tensorgrad_avx2", "tensorgrad_avx512"]
    }
  ],
  "conditions": [
    ["tensorgrad_mpi==1", {
      "targets": [
        {
          # tensorgrad_mpi.node: collectives on the system's MPI; its sources in native/mpi/sources.json.
          "target_name": "tensorgrad_mpi",
          "sources": ["<!@(node scripts/mpi-config.js sources)"],
          "cflags_cc": ["<!@(node scripts/mpi-config.js cflags)"],
          "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["<!@(node scripts/mpi-config.js cflags)"]},
          "libraries": ["<!@(node scripts/mpi-config.js libs)"]
        }
      ]
    }]
  ]
}
