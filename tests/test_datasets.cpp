// problems/datasets: the data readers, the synthetic sets, the split and the standardization.
#include <unistd.h>

#include <Eigen/Eigenvalues>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <numeric>
#include <set>

#include "problems/datasets.hpp"
#include "problems/registry.hpp"
#include "problems/softmax.hpp"
#include "tests/problem_helpers.hpp"

using namespace descent;
using namespace descent::testing;

TEST_CASE("CSV data: label last, distinct labels sorted to 0..K−1", "[data]") {
  const auto path = temp_file("small.csv", "a,b,label\n1,2,dog\n3,4.5,cat\n-1,0,dog\n7,8,bird\n");
  const Dataset d = read_data_file(path);
  REQUIRE(d.rows() == 4);
  REQUIRE(d.features() == 2);
  CHECK(d.x(1, 1) == 4.5);
  CHECK(d.x(2, 0) == -1);
  CHECK(d.labels == std::vector<std::string>{"bird", "cat", "dog"});
  CHECK(d.y == (IntVec(4) << 2, 1, 2, 0).finished());
  // Numeric labels sort as numbers: 9 < 10.
  const Dataset n = read_csv_data(temp_file("numeric.csv", "x,y\n1,10\n2,9\n3,10\n"));
  CHECK(n.labels == std::vector<std::string>{"9", "10"});
  CHECK(n.y == (IntVec(3) << 1, 0, 1).finished());
}

TEST_CASE("LIBSVM data: sparse rows, 1-based indices, detected by extension or content", "[data]") {
  const std::string text = "# comment\n+1 1:0.5 3:2\n-1 2:-1\n\n+1 3:4 # trailing\n";
  for (const char* name : {"small.svm", "small.txt"}) {
    INFO(name);
    const Dataset d = read_data_file(temp_file(name, text));
    REQUIRE(d.rows() == 3);
    REQUIRE(d.features() == 3);
    CHECK(d.x.row(0) == Eigen::RowVector3d(0.5, 0, 2));
    CHECK(d.x.row(1) == Eigen::RowVector3d(0, -1, 0));
    CHECK(d.x.row(2) == Eigen::RowVector3d(0, 0, 4));
    CHECK(d.labels == std::vector<std::string>{"-1", "1"});
    CHECK(d.y == (IntVec(3) << 1, 0, 1).finished());
  }
}

TEST_CASE("malformed data files are usage errors naming the file and the line", "[data]") {
  const auto ragged = temp_file("ragged.csv", "a,b,label\n1,2,0\n3,1\n");
  CHECK_THAT(usage_error([&] { read_data_file(ragged); }), Catch::Contains(ragged.string() + ":3"));
  const auto text = temp_file("text.csv", "a,b,label\n1,x2,0\n");
  CHECK_THAT(usage_error([&] { read_data_file(text); }),
             Catch::Contains(text.string() + ":2") && Catch::Contains("'x2'"));
  const auto empty = temp_file("empty.csv", "");
  CHECK_THAT(usage_error([&] { read_data_file(empty); }),
             Catch::Contains(empty.string() + ":1") && Catch::Contains("empty"));
  const auto header = temp_file("header.csv", "a,label\n");
  CHECK_THAT(usage_error([&] { read_data_file(header); }), Catch::Contains(header.string()));
  const auto missing = std::filesystem::temp_directory_path() / "descent_no_such_file.csv";
  CHECK_THAT(usage_error([&] { read_data_file(missing); }), Catch::Contains(missing.string()));
  const auto token = temp_file("token.svm", "1 1:2\n0 2:3 x:4\n");
  CHECK_THAT(usage_error([&] { read_data_file(token); }),
             Catch::Contains(token.string() + ":2") && Catch::Contains("'x:4'"));
  const auto order = temp_file("order.svm", "1 3:2 2:1\n");
  CHECK_THAT(usage_error([&] { read_data_file(order); }),
             Catch::Contains(order.string() + ":1") && Catch::Contains("increase"));
  const auto zero = temp_file("zero.libsvm", "1 0:2\n");
  CHECK_THAT(usage_error([&] { read_data_file(zero); }), Catch::Contains(zero.string() + ":1"));
}

TEST_CASE("data specs: files, unknown names, keys that do not apply, class counts", "[data]") {
  const auto path = temp_file("spec.csv", "u,v,label\n0,1,a\n1,0,b\n2,2,a\n3,1,b\n5,5,a\n");
  const auto p = make_problem("logreg:data=" + path.string() + ",test_frac=0", 0);
  CHECK(p->dim() == 3);
  CHECK(p->samples() == 5);
  CHECK_FALSE(p->has_test_set());
  CHECK_THAT(usage_error([] { make_problem("logreg:data=nonesuch", 0); }),
             Catch::Contains("'nonesuch'") && Catch::Contains("breast_cancer"));
  CHECK_THAT(usage_error([] { make_problem("logreg:points=10", 0); }),
             Catch::Contains("key 'points'") && Catch::Contains("breast_cancer"));
  CHECK_THAT(usage_error([] { make_problem("softmax:data=moons,classes=3", 0); }),
             Catch::Contains("key 'classes'"));
  CHECK_THAT(usage_error([] { make_problem("logreg:data=digits", 0); }),
             Catch::Contains("2 classes") && Catch::Contains("has 10"));
  CHECK_THAT(usage_error([] { make_problem("mlp:data=moons,hidden=8xq", 0); }),
             Catch::Contains("key 'hidden'"));
}

TEST_CASE("DESCENT_DATA_DIR overrides the folder of the built-in sets", "[data]") {
  const auto path = temp_file("breast_cancer.csv", "f,label\n1,0\n2,1\n3,0\n4,1\n5,1\n");
  ::setenv("DESCENT_DATA_DIR", path.parent_path().c_str(), 1);
  const auto p = make_problem("logreg:test_frac=0", 0);
  ::unsetenv("DESCENT_DATA_DIR");
  CHECK(p->samples() == 5);
  CHECK(p->dim() == 2);
  CHECK(make_problem("logreg", 0)->samples() == 456);  // the real one again: 569 − 113
}

TEST_CASE("the split is stratified, deterministic per seed and differs between seeds", "[data]") {
  const Dataset all = make_blobs(200, 3, 2, 1.0, 4.0, 1.0, 5);
  const Split a = split_data(all, 0.25, 1), b = split_data(all, 0.25, 1),
              c = split_data(all, 0.25, 2);
  CHECK(a.train.x == b.train.x);
  CHECK(a.test.y == b.test.y);
  CHECK(a.train.x != c.train.x);
  CHECK(a.train.rows() + a.test.rows() == 200);
  // Per class round(0.25 n_k): classes of 67, 67, 66 samples -> 17 + 17 + 17 test rows.
  CHECK(a.test.rows() == 51);
  for (int k = 0; k < 3; ++k) CHECK((a.test.y.array() == k).count() == 17);
  // Every row lands in exactly one part.
  std::multiset<double> seen, want;
  for (Index i = 0; i < 200; ++i) want.insert(all.x(i, 0));
  for (const Dataset* d : {&a.train, &a.test})
    for (Index i = 0; i < d->rows(); ++i) seen.insert(d->x(i, 0));
  CHECK(seen == want);
  // Every class keeps a training sample even when test_frac rounds up to the whole class.
  const Split tiny = split_data(make_blobs(6, 3, 2, 1.0, 4.0, 1.0, 5), 0.9, 1);
  for (int k = 0; k < 3; ++k) CHECK((tiny.train.y.array() == k).count() == 1);
}

TEST_CASE("standardization uses the training statistics only", "[data]") {
  const Dataset all = make_blobs(500, 2, 3, 2.0, 6.0, 1.0, 9);
  Split s = split_data(all, 0.2, 4);
  const Split raw = s;
  standardize(s);
  const VecX mean = s.train.x.colwise().mean().transpose();
  const VecX sd = ((s.train.x.rowwise() - mean.transpose()).array().square().colwise().mean())
                      .sqrt()
                      .transpose();
  CHECK(mean.cwiseAbs().maxCoeff() < 1e-12);
  CHECK((sd.array() - 1).abs().maxCoeff() < 1e-12);
  CHECK(s.mean == raw.train.x.colwise().mean().transpose());
  // The test part gets the same affine map, not its own statistics.
  const RowMat back = (s.test.x.array().rowwise() * s.scale.transpose().array()).rowwise() +
                      s.mean.transpose().array();
  CHECK((back - raw.test.x).cwiseAbs().maxCoeff() < 1e-12);
  CHECK(s.test.x.colwise().mean().cwiseAbs().maxCoeff() > 1e-3);
  // The built-in digits have constant pixels: they become 0, not NaN.
  const auto digits = make_problem("softmax:l2=0", 0);
  const auto& d = as<Softmax>(digits).data();
  CHECK(d.train.x.allFinite());
  CHECK(d.train.x.col(0).isZero());
}

TEST_CASE("synthetic sets follow their definitions", "[data]") {
  const Dataset spiral = make_spiral(301, 3, 0.0, 1);
  CHECK(spiral.classes == 3);
  CHECK((spiral.y.array() == 0).count() == 101);
  // Arm 1 ends at radius 1 and angle 2π/3 + 4 without noise: x = (sin t, cos t).
  const Index last = 101 + 99;
  CHECK(spiral.x(last, 0) == Approx(std::sin(2 * std::numbers::pi / 3 + 4)).epsilon(1e-12));
  CHECK(spiral.x(last, 1) == Approx(std::cos(2 * std::numbers::pi / 3 + 4)).epsilon(1e-12));
  const Dataset moons = make_moons(100, 0.0, 1);
  CHECK(moons.x.row(0) == Eigen::RowVector2d(1, 0));
  CHECK(moons.x.row(50) == Eigen::RowVector2d(0, 0.5));
  CHECK((moons.y.array() == 1).count() == 50);
  // Blobs: means sep apart; within-class covariance with eigenvalues noise²·[1, 1/cond].
  const Dataset blobs = make_blobs(20000, 2, 2, 0.5, 3.0, 100.0, 1);
  MatX means = MatX::Zero(2, 2);  // column k: the mean of class k
  for (Index i = 0; i < blobs.rows(); ++i)
    means.col(blobs.y[i]) += blobs.x.row(i).transpose() / 10000.0;
  CHECK((means.col(0) - means.col(1)).norm() == Approx(3.0).epsilon(0.02));
  MatX centered = blobs.x;
  for (Index i = 0; i < blobs.rows(); ++i) centered.row(i) -= means.col(blobs.y[i]).transpose();
  Eigen::SelfAdjointEigenSolver<MatX> eig(MatX(centered.transpose() * centered) / 20000.0);
  CHECK(eig.eigenvalues()[1] == Approx(0.25).epsilon(0.05));
  CHECK(eig.eigenvalues()[0] == Approx(0.0025).epsilon(0.05));
}
