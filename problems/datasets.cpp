#include "problems/datasets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <numbers>
#include <sstream>

#include "lib/csv.hpp"
#include "lib/limits.hpp"
#include "problems/linalg.hpp"

#ifndef DESCENT_DATA_DIR
#define DESCENT_DATA_DIR "problems/data"
#endif

namespace descent {
namespace {

// The synthetic sets are fixed by their keys: they come from this generator seed, not the run's.
constexpr std::uint64_t kSyntheticSeed = 0x64617461;  // "data"

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Distinct label values, sorted (numerically when all are numbers), become 0..K−1.
void assign_labels(Dataset& d, const std::vector<std::string>& raw) {
  const std::size_t n = raw.size();
  d.y.resize(static_cast<Index>(n));
  std::vector<double> values(n);
  bool numeric = true;
  for (std::size_t i = 0; i < n && numeric; ++i)
    numeric = parse_double(raw[i], values[i]) && std::isfinite(values[i]);
  if (numeric) {
    std::vector<double> distinct = values;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (std::size_t i = 0; i < n; ++i)
      d.y[Index(i)] =
          int(std::lower_bound(distinct.begin(), distinct.end(), values[i]) - distinct.begin());
    for (double v : distinct) d.labels.push_back(format_number(v));
  } else {
    std::vector<std::string> distinct;
    for (const auto& r : raw) distinct.emplace_back(trim(r));
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (std::size_t i = 0; i < n; ++i)
      d.y[Index(i)] =
          int(std::lower_bound(distinct.begin(), distinct.end(), trim(raw[i])) - distinct.begin());
    d.labels = std::move(distinct);
  }
  d.classes = int(d.labels.size());
}

Dataset pick_rows(const Dataset& all, const std::vector<Index>& rows) {
  Dataset d;
  d.classes = all.classes;
  d.labels = all.labels;
  d.source = all.source;
  d.x.resize(Index(rows.size()), all.features());
  d.y.resize(Index(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    d.x.row(Index(i)) = all.x.row(rows[i]);
    d.y[Index(i)] = all.y[rows[i]];
  }
  return d;
}

bool is_libsvm_extension(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".svm" || ext == ".libsvm" || ext == ".svmlight";
}

}  // namespace

Dataset read_csv_data(const std::filesystem::path& path) {
  const CsvTable t = read_csv(path);
  const std::size_t cols = t.header.size();
  if (cols < 2)
    throw UsageError(fmt::format("{}:1: need feature columns and the label column, found {} column",
                                 t.source, cols));
  if (t.rows.empty()) throw UsageError(fmt::format("{}:2: no samples after the header", t.source));
  Dataset d;
  d.source = t.source;
  d.x.resize(Index(t.rows.size()), Index(cols - 1));
  std::vector<std::string> raw(t.rows.size());
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    for (std::size_t c = 0; c + 1 < cols; ++c) {
      double v = 0;
      if (!parse_double(t.rows[r][c], v) || !std::isfinite(v))
        throw UsageError(fmt::format("{}:{}: column '{}': '{}' is not a finite number", t.source,
                                     t.lines[r], t.header[c], t.rows[r][c]));
      d.x(Index(r), Index(c)) = v;
    }
    raw[r] = t.rows[r].back();
    if (trim(raw[r]).empty())
      throw UsageError(fmt::format("{}:{}: empty label", t.source, t.lines[r]));
  }
  assign_labels(d, raw);
  return d;
}

Dataset read_libsvm_data(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("cannot read '{}'", path.string()));
  const std::string source = path.string();
  std::vector<std::string> raw;
  std::vector<std::vector<std::pair<Index, double>>> rows;
  Index features = 0;
  std::string line;
  for (long number = 1; std::getline(in, line); ++number) {
    std::string_view rest = line;
    if (const auto hash = rest.find('#'); hash != std::string_view::npos)
      rest = rest.substr(0, hash);
    std::istringstream tokens{std::string(rest)};
    std::string token;
    if (!(tokens >> token)) continue;  // blank or comment line
    double label = 0;
    if (!parse_double(token, label) || !std::isfinite(label))
      throw UsageError(
          fmt::format("{}:{}: bad label '{}' (expected a number)", source, number, token));
    raw.push_back(token);
    auto& row = rows.emplace_back();
    while (tokens >> token) {
      const auto colon = token.find(':');
      Index index = 0;
      double value = 0;
      const char* end = token.data() + (colon == std::string::npos ? token.size() : colon);
      const auto [stop, ec] = std::from_chars(token.data(), end, index);
      if (colon == std::string::npos || ec != std::errc() || stop != end || index < 1 ||
          !parse_double(std::string_view(token).substr(colon + 1), value) || !std::isfinite(value))
        throw UsageError(fmt::format("{}:{}: bad token '{}' (expected index:value, index >= 1)",
                                     source, number, token));
      if (!row.empty() && index <= row.back().first)
        throw UsageError(fmt::format("{}:{}: index {} after index {} (indices must increase)",
                                     source, number, index, row.back().first));
      if (index > limits::features)
        throw UsageError(fmt::format("{}:{}: index {} is more than the limit 'features' of {}",
                                     source, number, index, limits::features));
      row.emplace_back(index - 1, value);
      features = std::max(features, index);
    }
  }
  if (rows.empty()) throw UsageError(fmt::format("{}:1: no samples", source));
  Dataset d;
  d.source = source;
  check_size(double(rows.size()) * double(features), limits::data_entries, "data_entries",
             fmt::format("{}: {} samples × {} features", source, rows.size(), features));
  d.x.setZero(Index(rows.size()), features);
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (const auto& [j, v] : rows[r]) d.x(Index(r), j) = v;
  assign_labels(d, raw);
  return d;
}

Dataset read_data_file(const std::filesystem::path& path) {
  check_input_file(path, limits::file_bytes);
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("cannot read '{}'", path.string()));
  std::string line;
  bool found = false;
  while (!found && std::getline(in, line)) found = !trim(line).empty() && trim(line)[0] != '#';
  if (!found)
    throw UsageError(
        fmt::format("{}:1: empty file (expected a CSV header or LIBSVM samples)", path.string()));
  if (is_libsvm_extension(path)) return read_libsvm_data(path);
  // By content: LIBSVM has no commas and an index:value pair as its second token.
  std::istringstream tokens(line);
  std::string first, second;
  tokens >> first >> second;
  const bool libsvm = line.find(',') == std::string::npos && second.find(':') != std::string::npos;
  return libsvm ? read_libsvm_data(path) : read_csv_data(path);
}

Dataset make_spiral(Index points, int classes, double noise, std::uint64_t seed) {
  // Arm k: radius r from 0 to 1, angle 2πk/K + 4r + noise·N(0, 1); x = (r sin t, r cos t).
  Rng rng(seed);
  Dataset d;
  d.source = "spiral";
  d.x.resize(points, 2);
  d.y.resize(points);
  Index i = 0;
  for (int k = 0; k < classes; ++k) {
    const Index nk = points / classes + (k < points % classes ? 1 : 0);
    for (Index j = 0; j < nk; ++j, ++i) {
      const double r = nk > 1 ? double(j) / double(nk - 1) : 0.0;
      const double t = 2 * std::numbers::pi * k / classes + 4 * r + noise * rng.normal();
      d.x(i, 0) = r * std::sin(t);
      d.x(i, 1) = r * std::cos(t);
      d.y[i] = k;
    }
  }
  for (int k = 0; k < classes; ++k) d.labels.push_back(std::to_string(k));
  d.classes = classes;
  return d;
}

Dataset make_moons(Index points, double noise, std::uint64_t seed) {
  // Outer moon (cos θ, sin θ), inner moon (1 − cos θ, 0.5 − sin θ), θ evenly in [0, π], plus
  // N(0, noise²) on each coordinate (as scikit-learn's make_moons).
  Rng rng(seed);
  Dataset d;
  d.source = "moons";
  d.x.resize(points, 2);
  d.y.resize(points);
  const Index outer = (points + 1) / 2;
  for (Index i = 0; i < points; ++i) {
    const bool inner = i >= outer;
    const Index j = inner ? i - outer : i, nk = inner ? points - outer : outer;
    const double theta = nk > 1 ? std::numbers::pi * double(j) / double(nk - 1) : 0.0;
    d.x(i, 0) = inner ? 1 - std::cos(theta) : std::cos(theta);
    d.x(i, 1) = inner ? 0.5 - std::sin(theta) : std::sin(theta);
    d.x(i, 0) += noise * rng.normal();
    d.x(i, 1) += noise * rng.normal();
    d.y[i] = inner ? 1 : 0;
  }
  d.labels = {"0", "1"};
  d.classes = 2;
  return d;
}

Dataset make_blobs(Index points, int classes, Index features, double noise, double sep, double cond,
                   std::uint64_t seed) {
  // Class of sample i: i mod K. Means (sep/2)·u_k with random unit u_k (u_1 = −u_0 for K = 2,
  // so the two means are sep apart). Within-class covariance noise²·Q diag(λ) Qᵀ with
  // λ_j = cond^(−j/(p−1)) and a random orthogonal Q (Q = I when cond = 1).
  Rng rng(seed);
  Dataset d;
  d.source = "blobs";
  check_size(double(points) * double(features), limits::data_entries, "data_entries",
             fmt::format("blobs: {} points × {} features", points, features));
  if (cond > 1)
    check_size(double(features) * double(features), limits::dense_entries, "dense_entries",
               fmt::format("blobs: the rotation's features² entries ({} features)", features));
  MatX means(features, classes);
  for (int k = 0; k < classes; ++k) {
    if (k == 1 && classes == 2) {
      means.col(1) = -means.col(0);
      continue;
    }
    for (Index j = 0; j < features; ++j) means(j, k) = rng.normal();
    means.col(k) *= 0.5 * sep / means.col(k).norm();
  }
  VecX root(features);
  for (Index j = 0; j < features; ++j)
    root[j] = features > 1 ? std::pow(cond, -0.5 * double(j) / double(features - 1)) : 1.0;
  d.x.resize(points, features);
  d.y.resize(points);
  for (Index i = 0; i < points; ++i) {
    d.y[i] = int(i % classes);
    for (Index j = 0; j < features; ++j) d.x(i, j) = noise * root[j] * rng.normal();
  }
  if (cond > 1) d.x = d.x * random_orthogonal(features, rng).transpose();
  for (Index i = 0; i < points; ++i) d.x.row(i) += means.col(d.y[i]).transpose();
  for (int k = 0; k < classes; ++k) d.labels.push_back(std::to_string(k));
  d.classes = classes;
  return d;
}

std::filesystem::path data_dir() {
  const char* env = std::getenv("DESCENT_DATA_DIR");
  return (env && *env) ? std::filesystem::path(env) : std::filesystem::path(DESCENT_DATA_DIR);
}

Split split_data(const Dataset& all, double test_frac, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::vector<Index>> members(std::size_t(all.classes));
  for (Index i = 0; i < all.rows(); ++i) members[std::size_t(all.y[i])].push_back(i);
  std::vector<char> to_test(std::size_t(all.rows()), 0);
  for (auto& m : members) {
    rng.shuffle(std::span<Index>(m));
    const auto nk = Index(m.size());
    const Index n_test = std::clamp<Index>(std::llround(test_frac * double(nk)), 0, nk - 1);
    for (Index j = 0; j < n_test; ++j) to_test[std::size_t(m[std::size_t(j)])] = 1;
  }
  std::vector<Index> train, test;
  for (Index i = 0; i < all.rows(); ++i) (to_test[std::size_t(i)] ? test : train).push_back(i);
  Split s{pick_rows(all, train), pick_rows(all, test), {}, {}};
  return s;
}

void standardize(Split& s) {
  const RowMat& x = s.train.x;
  const double n = double(x.rows());
  s.mean = x.colwise().mean().transpose();
  s.scale =
      ((x.rowwise() - s.mean.transpose()).array().square().colwise().sum() / n).sqrt().transpose();
  for (Index j = 0; j < s.scale.size(); ++j) {
    if (s.scale[j] > 1e-12 * std::max(1.0, std::abs(s.mean[j]))) continue;
    s.scale[j] = 1;  // a constant training feature becomes exactly 0
    s.mean[j] = x(0, j);
  }
  const Eigen::RowVectorXd inv = s.scale.cwiseInverse().transpose();
  for (RowMat* m : {&s.train.x, &s.test.x})
    *m = ((m->rowwise() - s.mean.transpose()).array().rowwise() * inv.array()).matrix();
}

Key l2_key(const std::string& default_value) {
  return real_key("l2", default_value, "L2 penalty on the weights (not the biases)",
                  Range::nonnegative);
}

std::vector<Key> data_keys(const std::string& default_data, std::vector<Key> model_keys) {
  std::vector<Key> keys = {
      text_key("data", default_data,
               "breast_cancer | digits | spiral | moons | blobs | path of a CSV (label last) or "
               "LIBSVM file")};
  keys.insert(keys.end(), model_keys.begin(), model_keys.end());
  const std::vector<Key> split_and_synthetic = {
      real_key("test_frac", "0.2", "held-out fraction, stratified split from the seed",
               Range::unit_open),
      flag_key("standardize", "1",
               "standardize the features with the training part's mean and sd (0: raw)"),
      size_key("points", "", "synthetic: samples (spiral 300, moons 400, blobs 1000)",
               limits::samples, "samples"),
      size_key("classes", "", "spiral, blobs: classes (2 for logreg, else 3)", limits::classes,
               "classes"),
      size_key("features", "", "blobs: dimension (default 2)", limits::features, "features"),
      real_key("noise", "",
               "synthetic: spiral angle sd (0.2), moons coordinate sd (0.2), blobs within-class "
               "sd (1)",
               Range::nonnegative),
      real_key("sep", "", "blobs: distance of the class means (4)", Range::nonnegative),
      real_key("cond", "", "blobs: condition number of the within-class covariance (1)",
               Range::at_least_one),
  };
  keys.insert(keys.end(), split_and_synthetic.begin(), split_and_synthetic.end());
  return keys;
}

Split load_data(const Params& p, std::uint64_t instance_seed, int default_classes) {
  const std::string& name = p.text("data");
  const std::string where = fmt::format("problem spec '{}'", p.canonical());
  auto allow_only = [&](std::initializer_list<const char*> allowed) {
    for (const char* key : {"points", "classes", "features", "noise", "sep", "cond"}) {
      if (!p.has(key) || std::find_if(allowed.begin(), allowed.end(), [&](const char* a) {
                           return std::string_view(a) == key;
                         }) != allowed.end())
        continue;
      throw UsageError(fmt::format("{}: key '{}' does not apply to data '{}'", where, key, name));
    }
  };
  auto number = [&](const char* key, double def) { return p.has(key) ? p.real(key) : def; };
  auto count = [&](const char* key, Index def) { return p.has(key) ? Index(p.integer(key)) : def; };
  const int classes = int(count("classes", default_classes));
  Dataset all;
  if (name == "spiral") {
    allow_only({"points", "classes", "noise"});
    all = make_spiral(count("points", 300), classes, number("noise", 0.2), kSyntheticSeed);
  } else if (name == "moons") {
    allow_only({"points", "noise"});
    all = make_moons(count("points", 400), number("noise", 0.2), kSyntheticSeed);
  } else if (name == "blobs") {
    allow_only({"points", "classes", "features", "noise", "sep", "cond"});
    all = make_blobs(count("points", 1000), classes, count("features", 2), number("noise", 1.0),
                     number("sep", 4.0), number("cond", 1.0), kSyntheticSeed);
  } else {
    allow_only({});
    if (name == "breast_cancer" || name == "digits") {
      const auto path = data_dir() / (name + ".csv");
      if (!std::filesystem::exists(path))
        throw UsageError(
            fmt::format("{}: data set '{}' not found at '{}' (set DESCENT_DATA_DIR to "
                        "the folder holding {}.csv)",
                        where, name, path.string(), name));
      all = read_csv_data(path);
      all.source = name;
    } else {
      if (!std::filesystem::exists(name))
        throw UsageError(
            fmt::format("{}: data '{}' is neither a built-in set (breast_cancer, "
                        "digits, spiral, moons, blobs) nor an existing file",
                        where, name));
      all = read_data_file(name);
    }
  }
  if (all.rows() < 2 || all.classes < 2)
    throw UsageError(fmt::format("{}: data '{}' has {} samples in {} classes (need 2 classes)",
                                 where, name, all.rows(), all.classes));
  Split s = split_data(all, p.real("test_frac"), derive_seed(instance_seed, kSplit));
  if (p.flag("standardize")) standardize(s);
  return s;
}

}  // namespace descent
