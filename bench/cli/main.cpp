#include "bench/cli/cli.hpp"
#include "lib/spec.hpp"

int main(int argc, char** argv) { return descent::guarded_main(descent::cli::main, argc, argv); }
