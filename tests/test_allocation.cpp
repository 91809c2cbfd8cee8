// "No allocation inside a first-order step": every allocation of the test binary is counted
// while a step is being watched. Normally through this binary's own malloc (the executable's
// definition interposes glibc's for every library, Eigen and libstdc++ included); under
// AddressSanitizer, which owns malloc, through its allocation hook instead.
#include <catch2/catch.hpp>
#include <cstddef>

#include "lib/optimizer_registry.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define DESCENT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DESCENT_ASAN 1
#endif
#endif

namespace {
bool g_watching = false;
long g_allocations = 0;
}  // namespace

#ifdef DESCENT_ASAN
#include <sanitizer/allocator_interface.h>

namespace {
void count_allocation(const volatile void*, std::size_t) { g_allocations += g_watching; }
void ignore_free(const volatile void*) {}
[[maybe_unused]] const int g_hooks_installed =
    __sanitizer_install_malloc_and_free_hooks(count_allocation, ignore_free);
}  // namespace
#else
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) {
  g_allocations += g_watching;
  return __libc_malloc(n);
}
void* calloc(std::size_t count, std::size_t n) {
  g_allocations += g_watching;
  return __libc_calloc(count, n);
}
void* realloc(void* p, std::size_t n) {
  g_allocations += g_watching;
  return __libc_realloc(p, n);
}
void free(void* p) { __libc_free(p); }
}
#endif

namespace {

// Allocations made by f.
template <class F>
long allocations_in(F&& f) {
  g_allocations = 0;
  g_watching = true;
  f();
  g_watching = false;
  return g_allocations;
}

template <class T>
void check_steps(const descent::OptimizerEntry& e, const std::string& spec) {
  using V = descent::Vec<T>;
  const auto params = descent::parse_optimizer(spec);
  // The block optimizers see the 1000 parameters as a 25 × 40 matrix.
  const descent::Layout layout = e.info.blocks == descent::BlockUse::none
                                     ? descent::vector_layout(1000)
                                     : descent::Layout{descent::matrix_block("X", 0, 25, 40, 40)};
  auto opt = [&] {
    if constexpr (std::is_same_v<T, double>)
      return e.make_double(params, layout);
    else
      return e.make_float(params, layout);
  }();
  V x = V::LinSpaced(1000, -1, 1), g = V::LinSpaced(1000, 2, -2);
  INFO(spec << (std::is_same_v<T, double> ? " (double)" : " (float)"));
  CHECK(allocations_in([&] {
          for (int k = 0; k < 5; ++k) opt->step(x, g, T(0.5));
        }) == 0);
}

}  // namespace

TEST_CASE("the allocation counter sees allocations", "[optimizers]") {
  CHECK(allocations_in([] { descent::Vec<double> v(100); }) == 1);
  CHECK(allocations_in([] { descent::parse_optimizer("adam:lr=0.1"); }) > 0);
}

// shampoo and soap are left out: their eigendecompositions and QR allocate (Eigen's solvers),
// on the steps that refresh their preconditioners.
TEST_CASE("no first-order step allocates, with clipping and decay or without", "[optimizers]") {
  for (const auto& e : descent::optimizer_registry()) {
    const std::string name = e.info.name;
    if (name == "shampoo" || name == "soap") continue;
    std::string base = name;
    for (const auto& k : e.keys)
      if (k.required) base += (base == name ? ":" : ",") + k.name + "=0.01";
    const std::string sep = base == name ? ":" : ",";
    for (const std::string& spec :
         {base, base + sep + "clip=1",
          base + sep +
              (e.info.own_weight_decay ? "weight_decay=0.1" : "weight_decay=0.1,clip=0.5")}) {
      check_steps<double>(e, spec);
      check_steps<float>(e, spec);
    }
  }
}
