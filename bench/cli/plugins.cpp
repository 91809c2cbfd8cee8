#include "bench/cli/plugins.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <filesystem>

#include "lib/plugin.hpp"

namespace descent::cli {
namespace {

std::vector<std::string>& loaded() {
  static std::vector<std::string> all;
  return all;
}

// The plugin's exported function `name`, or nullptr.
template <class F>
F* symbol(void* handle, const char* name) {
  return reinterpret_cast<F*>(dlsym(handle, name));
}

}  // namespace

void load_plugin(const std::string& file) {
  // dlopen searches the library path for a bare name; a plugin is named by its file.
  const std::string path = std::filesystem::absolute(file).lexically_normal().string();
  const std::string what = fmt::format("plugin '{}'", file);
  // RTLD_NOW: a symbol the executable lacks is an error here, not a crash in the middle of a run.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw UsageError(fmt::format("{}: {}", what, dlerror()));
  auto* abi = symbol<const char*()>(handle, "descent_plugin_abi");
  auto* registration = symbol<void()>(handle, "descent_plugin_register");
  if (!abi || !registration)
    throw UsageError(fmt::format(
        "{} is not a descent plugin (it exports no descent_plugin_abi and "
        "descent_plugin_register: its source ends with DESCENT_PLUGIN(...), lib/plugin.hpp)",
        what));
  // Before anything else of the plugin runs: its code may not even agree on a class's layout.
  const std::string theirs = abi(), ours = DESCENT_PLUGIN_ABI;
  if (theirs != ours)
    throw UsageError(fmt::format(
        "{} was built for {}, and this is {}: rebuild it against this descent's package", what,
        theirs, ours));
  set_registrant(fmt::format("plugin '{}'", path));  // meta.json's components name the file
  try {
    registration();
  } catch (const UsageError& e) {
    set_registrant("the program");
    throw UsageError(fmt::format("{}: {}", what, e.what()));
  }
  set_registrant("the program");
  loaded().push_back(path);
}

const std::vector<std::string>& loaded_plugins() { return loaded(); }

}  // namespace descent::cli
