// One part of the built-in first-order optimizers' code (lib/optimizers/table.hpp): CMake
// compiles this file once per part, with DESCENT_OPTIMIZER_PART set to the part.
#include "lib/optimizers/table.hpp"

namespace descent {

template <>
NumberedEntries optimizer_part<DESCENT_OPTIMIZER_PART>() {
  return entries_of<DESCENT_OPTIMIZER_PART>(BuiltInOptimizers{},
                                            std::make_index_sequence<BuiltInOptimizers::size>{});
}

}  // namespace descent
