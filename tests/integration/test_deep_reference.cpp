// `deepntk run` at depth 10^6 (see deep_*.toml) against the binary128 reference recursion on
// selected pairs: the nearest and farthest pairs and a few fixed ones. Normalized NNGP,
// normalized NTK and 1 - normalized NNGP must agree to 1e-10 relative (docs/kernels.md §Accuracy requirements).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "deepntk/app/config.hpp"
#include "deepntk/app/network_spec_from_config.hpp"
#include "deepntk/app/result_layout.hpp"
#include "deepntk/data/input_kernel.hpp"
#include "deepntk/io/attributes.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "mpi_test_support.hpp"
#include "reference.hpp"

namespace io = deepntk::io;
namespace layout = deepntk::app::layout;

namespace {

// Relative error; a reference below the normal double range (e.g. the off-diagonal NTK of an
// erf network whose diagonal grows like e^(cL)) must be matched by a value just as small.
double relative(double value, double reference) {
  if (std::abs(reference) < std::numeric_limits<double>::min()) {
    return std::abs(value) < std::numeric_limits<double>::min() ? 0.0 : INFINITY;
  }
  return std::abs(value - reference) / std::abs(reference);
}

}  // namespace

BOOST_AUTO_TEST_CASE(deep_kernels_match_the_high_precision_reference) {
  const auto& suite = boost::unit_test::framework::master_test_suite();
  for (int f = 1; f < suite.argc; ++f) {
    const std::string name = suite.argv[f];
    const auto file = io::File::open_read_only(deepntk::testing::world(), name);
    const auto config = deepntk::app::parse_config_string(io::read_attribute<std::string>(file, "/", "configuration"));
    const auto spec = deepntk::app::network_spec_from_config(config.network);
    const auto depths = io::read_int64_array(file, std::string(layout::depths)).values;
    const auto x = io::read_double_array(file, std::string(layout::x_train));
    const std::int64_t n = x.shape[0], d = x.shape[1];
    const auto point = [&](std::int64_t i) {
      return std::span<const double>(x.values.data() + i * d, static_cast<std::size_t>(d));
    };
    deepntk::data::PointSet points{n, d, x.values};
    const auto k0 = deepntk::data::input_kernel_diagonal(points);

    // Pairs: fixed ones, plus the nearest and the farthest pair of the data.
    std::vector<std::pair<std::int64_t, std::int64_t>> pairs{{1, 0}, {5, 2}, {40, 17}, {63, 62}};
    std::pair<std::int64_t, std::int64_t> nearest{1, 0}, farthest{1, 0};
    double smallest = 3, largest = -1;
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < i; ++j) {
        const double gap = deepntk::data::gap_from_vectors(point(i), point(j));
        if (gap < smallest) smallest = gap, nearest = {i, j};
        if (gap > largest) largest = gap, farthest = {i, j};
      }
    pairs.push_back(nearest);
    pairs.push_back(farthest);

    for (const auto depth : depths) {
      const auto nngp = io::read_double_array(file, layout::kernel_path("nngp", depth, "train"));
      const auto ntk = io::read_double_array(file, layout::kernel_path("ntk", depth, "train"));
      const auto gap = io::read_double_array(file, layout::kernel_path("nngp", depth, "train_gap"));
      double worst = 0;
      for (const auto& [i, j] : pairs) {
        const std::int64_t at_depth[] = {depth};
        const auto ref = deepntk::kernels::testing::reference_pair(
            spec, k0[static_cast<std::size_t>(i)], k0[static_cast<std::size_t>(j)],
            deepntk::data::gap_from_vectors(point(i), point(j)), at_depth)[0];
        const double nngp_normalized = nngp(i, j) / std::sqrt(nngp(i, i) * nngp(j, j));
        const double ntk_normalized = ntk(i, j) / std::sqrt(ntk(i, i) * ntk(j, j));
        BOOST_TEST_CONTEXT(name << " depth " << depth << " pair (" << i << ", " << j << "): ntk_normalized "
                                << ntk_normalized << " reference " << ref.ntk_normalized) {
          BOOST_TEST(relative(gap(i, j), ref.nngp_gap) <= 1e-10);
          BOOST_TEST(relative(nngp_normalized, ref.nngp_normalized) <= 1e-10);
          BOOST_TEST(relative(ntk_normalized, ref.ntk_normalized) <= 1e-10);
        }
        worst = std::max({worst, relative(gap(i, j), ref.nngp_gap), relative(nngp_normalized, ref.nngp_normalized),
                          relative(ntk_normalized, ref.ntk_normalized)});
      }
      BOOST_TEST_MESSAGE(name << " depth " << depth << ": worst relative error " << worst);
    }
  }
}
