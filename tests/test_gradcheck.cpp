// `descent gradcheck` as a user meets it: exit status 0 when the derivatives agree, 2 on bad
// input.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct Outcome {
  int status;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Outcome run_descent(const std::string& args) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string tag = std::to_string(::getpid());
  const auto out = dir / ("descent_gc_out_" + tag), err = dir / ("descent_gc_err_" + tag);
  const std::string cmd =
      std::string(DESCENT_EXE) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int raw = std::system(cmd.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

}  // namespace

TEST_CASE("descent gradcheck passes on rosenbrock and reports the errors", "[cli][gradcheck]") {
  const Outcome o = run_descent("gradcheck --problem rosenbrock");
  CHECK(o.status == 0);
  CHECK(o.err.empty());
  CHECK_THAT(o.out, Catch::Contains("problem    rosenbrock:dim=2") &&
                        Catch::Contains("gradient   ") && Catch::Contains("hessian    ") &&
                        Catch::Contains("result     ok"));
}

TEST_CASE("descent gradcheck on data problems and with its options", "[cli][gradcheck]") {
  const Outcome o =
      run_descent("gradcheck --problem mlp:data=moons,hidden=16,points=60 --seed 5 --points 2");
  CHECK(o.status == 0);
  CHECK_THAT(o.out, Catch::Contains("points     2 x 24 random directions"));
  CHECK_FALSE(o.out.find("hessian") != std::string::npos);  // the MLP has no Hessian
}

TEST_CASE("descent gradcheck: bad input is exit status 2", "[cli][gradcheck]") {
  for (const char* args :
       {"gradcheck --problem nonesuch", "gradcheck --problem rosenbrock --points 0", "gradcheck"}) {
    INFO(args);
    const Outcome o = run_descent(args);
    CHECK(o.status == 2);
    CHECK(o.err.rfind("error: ", 0) == 0);
  }
}
