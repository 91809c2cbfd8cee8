// The built-in first-order optimizers, one line each, in the order the registry lists them
// (lib/optimizer_registry.cpp). Their code, every optimizer in double and in float, is compiled
// in kOptimizerParts translation units (lib/optimizers/part.cpp, built once per part by CMake,
// which reads kOptimizerParts from this file): in one unit it was the longest compile of the
// build, and nothing could overlap its tail.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "lib/optimizer_registry.hpp"
#include "lib/optimizers/adabelief.hpp"
#include "lib/optimizers/adadelta.hpp"
#include "lib/optimizers/adafactor.hpp"
#include "lib/optimizers/adagrad.hpp"
#include "lib/optimizers/adam.hpp"
#include "lib/optimizers/adamax.hpp"
#include "lib/optimizers/adamw.hpp"
#include "lib/optimizers/adopt.hpp"
#include "lib/optimizers/asgd.hpp"
#include "lib/optimizers/lamb.hpp"
#include "lib/optimizers/lion.hpp"
#include "lib/optimizers/momentum.hpp"
#include "lib/optimizers/muon.hpp"
#include "lib/optimizers/nadam.hpp"
#include "lib/optimizers/nadamw.hpp"
#include "lib/optimizers/nesterov.hpp"
#include "lib/optimizers/prodigy.hpp"
#include "lib/optimizers/radam.hpp"
#include "lib/optimizers/rmsprop.hpp"
#include "lib/optimizers/rprop.hpp"
#include "lib/optimizers/sfadamw.hpp"
#include "lib/optimizers/sfsgd.hpp"
#include "lib/optimizers/sgd.hpp"
#include "lib/optimizers/shampoo.hpp"
#include "lib/optimizers/signsgd.hpp"
#include "lib/optimizers/signum.hpp"
#include "lib/optimizers/soap.hpp"

namespace descent {

template <template <class> class... O>
struct OptimizerList {
  static constexpr std::size_t size = sizeof...(O);
};

// clang-format off
using BuiltInOptimizers = OptimizerList<
    Sgd,
    Momentum,
    Nesterov,
    Adagrad,
    Adadelta,
    Rmsprop,
    Adam,
    Adamw,
    Adamax,
    Nadam,
    Nadamw,
    Lion,
    Radam,
    Adabelief,
    Adopt,
    Rprop,
    Asgd,
    Lamb,
    Prodigy,
    Sfsgd,
    Sfadamw,
    Signsgd,
    Signum,
    Muon,
    Adafactor,
    Shampoo,
    Soap>;
// clang-format on

inline constexpr int kOptimizerParts = 4;

// Part `Part`'s entries: the optimizers at the positions i ≡ Part (mod kOptimizerParts), each
// with its position.
using NumberedEntries = std::vector<std::pair<std::size_t, OptimizerEntry>>;
template <int Part>
NumberedEntries optimizer_part();

template <int Part, template <class> class... O, std::size_t... I>
NumberedEntries entries_of(OptimizerList<O...>, std::index_sequence<I...>) {
  NumberedEntries out;
  (
      [&] {
        if constexpr (I % kOptimizerParts == Part) out.emplace_back(I, optimizer_entry<O>());
      }(),
      ...);
  return out;
}

}  // namespace descent
