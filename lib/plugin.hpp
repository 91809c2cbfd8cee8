// Plugins: a shared library that adds optimizers or problems to the `descent` executable
// (`descent run|sweep --plugin FILE.so`). It is built against the installed package's
// descent::plugin target (these headers and the flags that decide the numbers) and links no
// descent library: its calls resolve against the executable when it is loaded, so that it
// registers into the executable's own registries. Its source ends with
//
//   DESCENT_PLUGIN(register_mine)  // void register_mine() { descent::register_optimizer(...); }
//
// which exports two C functions: descent_plugin_abi(), the build the plugin was made for, which
// descent compares with its own before it calls anything else, and descent_plugin_register().
#pragma once

#include "lib/optimizer_registry.hpp"
#include "lib/plugin_abi.hpp"
#include "problems/registry.hpp"

// Without these, a plugin would compute with other instructions or other GEMM blocking than the
// executable, and give other numbers than a built-in optimizer or problem would.
#ifndef EIGEN_NO_CPUID
#error "descent plugin: build with the descent::plugin target (it defines EIGEN_NO_CPUID)"
#endif
#if DESCENT_ABI_NEEDS_AVX2 && !defined(__AVX2__)
#error "descent plugin: build with the descent::plugin target (-march=" DESCENT_ABI_ISA ")"
#endif

#define DESCENT_PLUGIN_TEXT_(x) #x
#define DESCENT_PLUGIN_TEXT(x) DESCENT_PLUGIN_TEXT_(x)
// The compiler as CMake names it (CMAKE_CXX_COMPILER_ID and _VERSION).
#if defined(__clang__)
#define DESCENT_PLUGIN_COMPILER                                          \
  "Clang " DESCENT_PLUGIN_TEXT(__clang_major__) "." DESCENT_PLUGIN_TEXT( \
      __clang_minor__) "." DESCENT_PLUGIN_TEXT(__clang_patchlevel__)
#elif defined(__GNUC__)
#define DESCENT_PLUGIN_COMPILER                                 \
  "GNU " DESCENT_PLUGIN_TEXT(__GNUC__) "." DESCENT_PLUGIN_TEXT( \
      __GNUC_MINOR__) "." DESCENT_PLUGIN_TEXT(__GNUC_PATCHLEVEL__)
#else
#define DESCENT_PLUGIN_COMPILER "unknown compiler"
#endif

// What a plugin and the executable must agree on: the version (the headers' classes and
// registries), the compiler (its C++ ABI and code), the ISA level and the kind of build.
#define DESCENT_PLUGIN_ABI                                                         \
  "descent " DESCENT_ABI_VERSION ", " DESCENT_PLUGIN_COMPILER ", " DESCENT_ABI_ISA \
  ", " DESCENT_ABI_BUILD

#define DESCENT_PLUGIN(register_fn)                                                    \
  extern "C" __attribute__((visibility("default"))) const char* descent_plugin_abi() { \
    return DESCENT_PLUGIN_ABI;                                                         \
  }                                                                                    \
  extern "C" __attribute__((visibility("default"))) void descent_plugin_register() {   \
    register_fn();                                                                     \
  }
