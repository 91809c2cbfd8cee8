// The `descent` command line. Each command lives in its own function; main() only dispatches
// and turns UsageError into "error: ..." with exit status 2.
#pragma once

namespace descent::cli {

int main(int argc, char** argv);

}  // namespace descent::cli
