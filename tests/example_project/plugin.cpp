// A plugin of the stock `descent`: descent sweep FILE.toml --plugin libexample_plugin.so
#include "lib/plugin.hpp"

#include "booth.hpp"
#include "nsgdm.hpp"

void register_example() {
  descent::register_optimizer(descent::optimizer_entry<Nsgdm>());
  descent::register_problem(descent::problem_entry<Booth>());
}

DESCENT_PLUGIN(register_example)
