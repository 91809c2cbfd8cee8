// `--plugin FILE.so`: loading plugins (lib/plugin.hpp) into this executable's registries.
#pragma once

#include <string>
#include <vector>

namespace descent::cli {

// Loads the plugin and runs its registration. A file that does not load (missing, or a symbol
// the executable lacks), that is not a descent plugin, that was built for another descent, or
// that registers a name already taken: a UsageError naming the file. A plugin stays loaded
// until the process ends (the registries hold its code).
void load_plugin(const std::string& file);

// The plugins loaded so far, as absolute paths, in the order loaded.
const std::vector<std::string>& loaded_plugins();

}  // namespace descent::cli
