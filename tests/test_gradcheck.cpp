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

#include "tests/cli_runner.hpp"

using descent::testing::Outcome;
using descent::testing::run_descent;

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
