// Deterministic random numbers, identical on every platform and standard library.
//
// std::normal_distribution and friends are implementation-defined, so a run would not be a
// pure function of its seed across compilers; these few lines are.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <utility>

namespace descent {

// SplitMix64 (Steele, Lea & Flood 2014): turns any 64-bit value into a well-mixed one.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A seed for an independent stream: one per purpose (start point, data split, batch order).
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  return mix64(mix64(seed) ^ mix64(stream * 0x632be59bd9b4e019ULL + 1));
}

// Named streams, so that every consumer of a run seed draws from its own sequence.
enum Stream : std::uint64_t { kInstance = 1, kStart = 2, kBatches = 3, kNoise = 4, kSplit = 5 };

// xoshiro256** (Blackman & Vigna 2018).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& w : s_) w = seed = mix64(seed);
  }
  std::uint64_t next() {
    const std::uint64_t out = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return out;
  }
  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n) without modulo bias (Lemire's method, rejection step included).
  std::uint64_t below(std::uint64_t n) {
    while (true) {
      const unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
      const auto low = static_cast<std::uint64_t>(m);
      if (low >= (-n) % n) return static_cast<std::uint64_t>(m >> 64);
    }
  }
  // Standard normal by the Box-Muller transform; one draw per call keeps the state simple.
  double normal() {
    const double u = 1.0 - uniform();  // (0, 1]: the log stays finite
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * uniform());
  }
  template <class T>
  void shuffle(std::span<T> v) {  // Fisher-Yates
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace descent
