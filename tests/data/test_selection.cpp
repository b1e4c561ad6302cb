// Subsets (first, random, class-balanced), label checks, and preprocessing against a plain
// serial recomputation; the sine generator's values.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include "deepntk/data/preprocessing.hpp"
#include "deepntk/data/selection.hpp"
#include "deepntk/data/sine.hpp"
#include "deepntk/data/subset.hpp"

#include "data_test_support.hpp"

using deepntk::data_test::failure;

using namespace deepntk::data;

namespace {

// 100 rows x 2 features, row i = (i, i^2 / 100 + 1); labels: class c has 10 (c + 1) rows
// (c = 0..3), so classes are unequal.
DataPools labelled_pools() {
  PointSet x{100, 2, {}};
  std::vector<std::int64_t> labels;
  for (int i = 0; i < 100; ++i) {
    x.values.push_back(i);
    x.values.push_back(i * i / 100.0 + 1);
    labels.push_back(i < 10 ? 0 : i < 30 ? 1 : i < 60 ? 2 : 3);
  }
  DataPools pools;
  pools.train = pool_of("train pool", x);
  pools.train.labels = labels;
  pools.test = pool_of("test pool", x);
  pools.test->labels = labels;
  return pools;
}

std::map<std::int64_t, int> class_counts(const PointSet& labels) {
  std::map<std::int64_t, int> counts;
  for (double v : labels.values) ++counts[static_cast<std::int64_t>(v)];
  return counts;
}


}  // namespace

BOOST_AUTO_TEST_CASE(balanced_subsets_have_equal_class_counts_and_follow_the_seed) {
  const auto pools = labelled_pools();
  Selection s{.n_train = 22, .n_test = 8, .rule = SubsetRule::balanced, .seed = 5, .labels = true};
  const auto a = select_dataset(pools, s);
  // 22 = 4 x 5 + 2: classes 0 and 1 get 6, classes 2 and 3 get 5.
  BOOST_TEST(class_counts(*a.y_train) == (std::map<std::int64_t, int>{{0, 6}, {1, 6}, {2, 5}, {3, 5}}));
  BOOST_TEST(class_counts(*a.y_test) == (std::map<std::int64_t, int>{{0, 2}, {1, 2}, {2, 2}, {3, 2}}));
  BOOST_TEST(a.classes == 4);
  BOOST_TEST(std::is_sorted(a.train_index.begin(), a.train_index.end()));
  BOOST_TEST(std::set<std::int64_t>(a.train_index.begin(), a.train_index.end()).size() == 22u);
  // The rows and labels are those of the chosen source rows.
  for (std::size_t i = 0; i < a.train_index.size(); ++i) {
    BOOST_TEST(a.train.point(static_cast<std::int64_t>(i))[0] == static_cast<double>(a.train_index[i]));
    BOOST_TEST(a.y_train->values[i] == static_cast<double>(pools.train.labels[static_cast<std::size_t>(a.train_index[i])]));
  }
  const auto again = select_dataset(pools, s);
  BOOST_TEST(again.train_index == a.train_index, boost::test_tools::per_element());
  BOOST_TEST(again.test_index == a.test_index, boost::test_tools::per_element());
  BOOST_TEST(a.train_index != a.test_index);  // test rows come from a second stream
  s.seed = 6;
  BOOST_TEST(select_dataset(pools, s).train_index != a.train_index);

  s.n_train = 45;  // needs 12 of class 0, which has 10
  const auto too_few = failure([&] { (void)select_dataset(pools, s); });
  BOOST_TEST(too_few.find("needs 12 of class 0, but there are only 10") != std::string::npos, too_few);
}

BOOST_AUTO_TEST_CASE(first_and_random_subsets) {
  const auto pools = labelled_pools();
  const auto first = select_dataset(pools, {.n_train = 7, .n_test = 0, .rule = SubsetRule::first});
  BOOST_TEST(first.train_index == (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6}), boost::test_tools::per_element());
  BOOST_TEST(first.test.count == 0);
  const auto random = select_dataset(pools, {.n_train = 30, .n_test = 0, .rule = SubsetRule::random, .seed = 1});
  BOOST_TEST(std::set<std::int64_t>(random.train_index.begin(), random.train_index.end()).size() == 30u);
  BOOST_TEST(random.train_index.back() > 29);  // not simply the first rows
  const auto all = select_dataset(pools, {.n_train = 100, .n_test = 0, .rule = SubsetRule::random, .seed = 1});
  BOOST_TEST(all.train_index.size() == 100u);
  const auto too_many = failure([&] { (void)select_dataset(pools, {.n_train = 101}); });
  BOOST_TEST(too_many.find("train pool has 100 rows but 101 are asked for") != std::string::npos, too_many);
}

BOOST_AUTO_TEST_CASE(labels_out_of_range_and_empty_pools_are_named) {
  auto pools = labelled_pools();
  const auto fixed = failure([&] { (void)select_dataset(pools, {.n_train = 5, .classes = 3, .labels = true}); });
  BOOST_TEST(fixed.find("label 3 of row 60 is out of range") != std::string::npos, fixed);
  pools.train.labels[17] = -2;
  const auto negative = failure([&] { (void)select_dataset(pools, {.n_train = 5, .labels = true}); });
  BOOST_TEST(negative.find("label -2 of row 17 is out of range") != std::string::npos, negative);
  DataPools empty;
  empty.train = pool_of("'x_train' in e.h5", PointSet{0, 3, {}});
  const auto nothing = failure([&] { (void)select_dataset(empty, {.n_train = 1}); });
  BOOST_TEST(nothing.find("'x_train' in e.h5 is empty (0 rows)") != std::string::npos, nothing);
  auto wide = labelled_pools();
  wide.test = pool_of("wide", PointSet{1, 3, {1, 2, 3}});
  const auto dims = failure([&] { (void)select_dataset(wide, {.n_train = 1, .n_test = 1}); });
  BOOST_TEST(dims.find("wide has 3 columns but train pool has 2") != std::string::npos, dims);
}

BOOST_AUTO_TEST_CASE(preprocessing_uses_train_statistics) {
  // Train rows (1, 2, 5), (3, 2, 1), (5, 2, 0); test row (2, 4, 3). Column 1 is constant.
  Dataset d;
  d.train = PointSet{3, 3, {1, 2, 5, 3, 2, 1, 5, 2, 0}};
  d.test = PointSet{1, 3, {2, 4, 3}};
  const std::vector<PreprocessingStep> steps{PreprocessingStep::standardize, PreprocessingStep::bias,
                                             PreprocessingStep::sphere};
  Dataset p = d;
  preprocess(p, steps);
  BOOST_TEST(p.preprocessing == "standardize,bias,sphere");
  BOOST_TEST(p.train.dimension == 4);
  // Reference: means (3, 2, 2), population sds (sqrt(8/3), -> 1 (constant), sqrt(14/3)).
  const double mean[3] = {3, 2, 2};
  const double sd[3] = {std::sqrt(8.0 / 3.0), 1.0, std::sqrt(14.0 / 3.0)};
  const auto expect = [&](const PointSet& raw, const PointSet& out, std::int64_t i) {
    double z[4];
    for (int k = 0; k < 3; ++k) z[k] = (raw.point(i)[static_cast<std::size_t>(k)] - mean[k]) / sd[k];
    z[3] = 1.0;
    const double norm = std::sqrt(z[0] * z[0] + z[1] * z[1] + z[2] * z[2] + z[3] * z[3]);
    for (int k = 0; k < 4; ++k) {
      BOOST_TEST(std::abs(out.point(i)[static_cast<std::size_t>(k)] - z[k] / norm) < 1e-15);
    }
  };
  for (std::int64_t i = 0; i < 3; ++i) expect(d.train, p.train, i);
  expect(d.test, p.test, 0);

  Dataset c = d;
  preprocess(c, std::vector<PreprocessingStep>{PreprocessingStep::center});
  BOOST_TEST(c.train.values == (std::vector<double>{-2, 0, 3, 0, 0, -1, 2, 0, -2}), boost::test_tools::per_element());
  BOOST_TEST(c.test.values == (std::vector<double>{-1, 2, 1}), boost::test_tools::per_element());
  Dataset none = d;
  preprocess(none, {});
  BOOST_TEST(none.preprocessing == "none");
  BOOST_TEST(none.train.values == d.train.values, boost::test_tools::per_element());

  Dataset zero = d;
  zero.train.values[3] = zero.train.values[4] = zero.train.values[5] = 0;
  const auto message = failure([&] { preprocess(zero, std::vector<PreprocessingStep>{PreprocessingStep::sphere}); });
  BOOST_TEST(message.find("x_train row 1 is zero") != std::string::npos, message);

  Dataset nan = d;
  nan.test.values[2] = std::nan("");
  const auto not_finite = failure([&] { check_finite(nan.test, "x_test", std::vector<std::int64_t>{41}); });
  BOOST_TEST(not_finite.find("x_test row 41, column 2 is NaN") != std::string::npos, not_finite);
}

BOOST_AUTO_TEST_CASE(sine_values) {
  const auto d = make_sine_dataset(200, 5, -1.0, 2.0, 0.0, 3);
  BOOST_TEST(d.train.dimension == 1);
  for (std::int64_t i = 0; i < 200; ++i) {
    const double x = d.train.point(i)[0];
    BOOST_TEST((x > -1.0 && x < 2.0));
    BOOST_TEST(d.y_train->values[static_cast<std::size_t>(i)] == std::sin(x));
  }
  BOOST_TEST(d.test.values == (std::vector<double>{-1.0, -0.25, 0.5, 1.25, 2.0}), boost::test_tools::per_element());
  BOOST_TEST(d.y_test->values[4] == std::sin(2.0));
  // Noise: the same points, targets off by noise x standard normals (mean ~0, sd ~noise).
  const auto noisy = make_sine_dataset(200, 5, -1.0, 2.0, 0.5, 3);
  BOOST_TEST(noisy.train.values == d.train.values, boost::test_tools::per_element());
  double sum = 0, sum2 = 0;
  for (std::size_t i = 0; i < 200; ++i) {
    const double e = noisy.y_train->values[i] - d.y_train->values[i];
    sum += e;
    sum2 += e * e;
  }
  BOOST_TEST(std::abs(sum / 200) < 0.12);
  BOOST_TEST(std::abs(std::sqrt(sum2 / 200) - 0.5) < 0.08);
  BOOST_TEST(noisy.y_test->values == d.y_test->values, boost::test_tools::per_element());  // test targets are clean
  BOOST_TEST(make_sine_dataset(200, 5, -1.0, 2.0, 0.0, 4).train.values != d.train.values);
  BOOST_CHECK_THROW((void)make_sine_dataset(10, 1, 1.0, 1.0, 0.0, 1), std::invalid_argument);
  BOOST_CHECK_THROW((void)make_sine_dataset(10, 1, 0.0, 1.0, -1.0, 1), std::invalid_argument);
}
