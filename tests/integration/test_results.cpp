// Reads the result files of the same small run made on 1, 2, 3 and 4 ranks (see CMakeLists.txt)
// and checks what a user relies on: the layout, exact symmetry, agreement across rank
// counts (kernels and gaps bit-identical, eigenvalues 1e-12 relative), the depth-1 kernels against a serial
// closed form computed here from the stored inputs, and the spectra against serial LAPACK.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "deepntk/app/result_layout.hpp"
#include "deepntk/io/attributes.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/linalg/serial.hpp"
#include "mpi_test_support.hpp"

namespace io = deepntk::io;
namespace layout = deepntk::app::layout;

namespace {

std::vector<std::string> result_files() {
  const auto& suite = boost::unit_test::framework::master_test_suite();
  std::vector<std::string> files;
  for (int i = 1; i < suite.argc; ++i) files.emplace_back(suite.argv[i]);
  return files;
}

const std::vector<std::int64_t> expected_depths{1, 2, 7, 30};
const double sw2 = 2.0, sb2 = 0.1;  // tests/integration/small.toml

io::Array<double> read(const io::File& file, const std::string& path) { return io::read_double_array(file, path); }

// The depth-1 mlp ReLU kernels of docs/kernels.md §Definitions, in long double from the raw inputs.
struct DepthOne {
  long double nngp, ntk;
};
DepthOne depth_one(std::span<const double> x, std::span<const double> y) {
  const auto d = static_cast<long double>(x.size());
  long double xy = 0, xx = 0, yy = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    xy += static_cast<long double>(x[k]) * y[k];
    xx += static_cast<long double>(x[k]) * x[k];
    yy += static_cast<long double>(y[k]) * y[k];
  }
  const long double q1 = sw2 * xx / d + sb2, q2 = sw2 * yy / d + sb2, c = sw2 * xy / d + sb2;
  const long double rho = std::clamp(c / std::sqrt(q1 * q2), -1.0L, 1.0L);
  const long double theta = std::acos(rho);
  const long double pi = std::numbers::pi_v<long double>;
  const long double a = std::sqrt(q1 * q2) * (std::sin(theta) + (pi - theta) * std::cos(theta)) / (2 * pi);
  const long double ad = (pi - theta) / (2 * pi);
  const long double nngp = sw2 * a + sb2;
  return {nngp, nngp + sw2 * ad * c};
}

}  // namespace

BOOST_AUTO_TEST_CASE(files_have_the_documented_layout) {
  const auto files = result_files();
  BOOST_REQUIRE(files.size() == 4u);
  const int ranks[] = {1, 2, 3, 4};
  const char* grids[] = {"1x1", "1x2", "1x3", "2x2"};
  for (std::size_t f = 0; f < files.size(); ++f) {
    BOOST_TEST_CONTEXT(files[f]) {
      const auto file = io::File::open_read_only(deepntk::testing::world(), files[f]);
      BOOST_TEST(io::read_int64_array(file, std::string(layout::depths)).values == expected_depths);
      BOOST_TEST(io::read_attribute<std::int64_t>(file, "/", "ranks") == ranks[f]);
      BOOST_TEST(io::read_attribute<std::string>(file, "/", "grid") == grids[f]);
      BOOST_TEST(io::read_attribute<std::int64_t>(file, "/", "block_size") == 8);
      BOOST_TEST(io::read_attribute<std::string>(file, "/", "configuration").find("sb2 = 0.1") != std::string::npos);
      BOOST_TEST(!io::read_attribute<std::string>(file, "/", "git_revision").empty());
      BOOST_TEST(!io::read_attribute<std::string>(file, "/", "version").empty());
      const auto x = read(file, std::string(layout::x_train));
      BOOST_TEST((x.shape == io::Shape{97, 16}));
      for (const char* kind : {"nngp", "ntk"}) {
        for (auto depth : expected_depths) {
          const auto train = read(file, layout::kernel_path(kind, depth, "train"));
          const auto test = read(file, layout::kernel_path(kind, depth, "test"));
          const auto diag = read(file, layout::kernel_path(kind, depth, "train_diag"));
          BOOST_TEST((train.shape == io::Shape{97, 97}));
          BOOST_TEST((test.shape == io::Shape{23, 97}));
          bool symmetric = true, diagonal_matches = true;
          for (std::int64_t i = 0; i < 97; ++i) {
            diagonal_matches &= diag.values[static_cast<std::size_t>(i)] == train(i, i);
            for (std::int64_t j = 0; j < 97; ++j) symmetric &= train(i, j) == train(j, i);
          }
          BOOST_TEST(symmetric);
          BOOST_TEST(diagonal_matches);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(depth_one_matches_a_serial_closed_form) {
  const auto files = result_files();
  for (const auto& name : files) {
    BOOST_TEST_CONTEXT(name) {
      const auto file = io::File::open_read_only(deepntk::testing::world(), name);
      const auto x = read(file, std::string(layout::x_train));
      const auto xt = read(file, std::string(layout::x_test));
      const auto row = [](const io::Array<double>& a, std::int64_t i) {
        return std::span<const double>(a.values.data() + i * a.shape[1], static_cast<std::size_t>(a.shape[1]));
      };
      for (const bool ntk : {false, true}) {
        const auto train = read(file, layout::kernel_path(ntk ? "ntk" : "nngp", 1, "train"));
        const auto test = read(file, layout::kernel_path(ntk ? "ntk" : "nngp", 1, "test"));
        double worst = 0;
        for (std::int64_t i = 0; i < 97; ++i)
          for (std::int64_t j = 0; j < 97; ++j) {
            const auto ref = depth_one(row(x, i), row(x, j));
            const long double expected = ntk ? ref.ntk : ref.nngp;
            worst = std::max(worst, static_cast<double>(std::abs(train(i, j) - expected) / std::abs(expected)));
          }
        for (std::int64_t i = 0; i < 23; ++i)
          for (std::int64_t j = 0; j < 97; ++j) {
            const auto ref = depth_one(row(xt, i), row(x, j));
            const long double expected = ntk ? ref.ntk : ref.nngp;
            worst = std::max(worst, static_cast<double>(std::abs(test(i, j) - expected) / std::abs(expected)));
          }
        BOOST_TEST(worst <= 1e-13, (ntk ? "ntk" : "nngp") << " depth 1: worst relative error " << worst);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(results_agree_across_rank_counts) {
  const auto files = result_files();
  const auto reference = io::File::open_read_only(deepntk::testing::world(), files[0]);
  for (std::size_t f = 1; f < files.size(); ++f) {
    const auto other = io::File::open_read_only(deepntk::testing::world(), files[f]);
    for (const char* kind : {"nngp", "ntk"}) {
      for (auto depth : expected_depths) {
        BOOST_TEST_CONTEXT(files[f] << " " << kind << " depth " << depth) {
          // Kernels, per-point values and gaps never depend on the grid: bit-identical (K0 is
          // computed per entry from the two points, docs/architecture.md, "Determinism").
          for (const char* part : {"train", "test", "train_diag", "test_diag"}) {
            const auto a = read(other, layout::kernel_path(kind, depth, part));
            const auto b = read(reference, layout::kernel_path(kind, depth, part));
            BOOST_TEST((a.values == b.values), part);
          }
          if (std::string(kind) == "nngp") {
            for (const char* part : {"train_gap", "test_gap"}) {
              const auto a = read(other, layout::kernel_path(kind, depth, part));
              const auto b = read(reference, layout::kernel_path(kind, depth, part));
              BOOST_TEST((a.values == b.values), part);
            }
          }
          const auto la = read(other, layout::eigenvalues_path(kind, depth)).values;
          const auto lb = read(reference, layout::eigenvalues_path(kind, depth)).values;
          double worst = 0, largest = 0;
          for (std::size_t i = 0; i < la.size(); ++i) {
            worst = std::max(worst, std::abs(la[i] - lb[i]));
            largest = std::max(largest, std::abs(lb[i]));
          }
          BOOST_TEST(worst <= 1e-12 * largest);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(spectra_match_serial_lapack_on_the_stored_matrix) {
  const auto file = io::File::open_read_only(deepntk::testing::world(), result_files()[1]);
  for (const char* kind : {"nngp", "ntk"}) {
    for (auto depth : expected_depths) {
      const auto k = read(file, layout::kernel_path(kind, depth, "train"));
      const auto stored = read(file, layout::eigenvalues_path(kind, depth)).values;
      const auto serial = deepntk::linalg::serial::symmetric_eigenvalues(97, k.values);  // symmetric: layout-free
      BOOST_TEST(std::is_sorted(stored.begin(), stored.end()));
      double worst = 0;
      for (std::size_t i = 0; i < stored.size(); ++i) worst = std::max(worst, std::abs(stored[i] - serial[i]));
      BOOST_TEST(worst <= 1e-12 * std::abs(serial.back()), kind << " depth " << depth);
    }
  }
}
