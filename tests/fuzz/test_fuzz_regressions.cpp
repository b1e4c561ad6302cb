// The fuzz targets' inputs through the same entry points (fuzz_entries.cpp) in the default
// suite, without libFuzzer: every seed of corpus/<target>/ must be accepted (the seeds are
// valid files; if one stops being accepted the fuzzer starts from nothing useful), and every
// input of regressions/<target>/ (an input a fuzz run once crashed on) must be refused with
// the documented exception, so a crash found once stays fixed.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "fuzz_entries.hpp"

namespace fs = std::filesystem;
using deepntk::fuzz::Verdict;

namespace {

std::vector<fs::path> inputs_in(const fs::path& dir) {
  std::vector<fs::path> files;
  if (fs::is_directory(dir)) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().filename() != "README.md") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::uint8_t> contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const char* name(Verdict verdict) {
  switch (verdict) {
    case Verdict::accepted: return "accepted";
    case Verdict::refused: return "refused";
    default: return "broken";
  }
}

// Runs every seed and every regression input of `target`; returns how many inputs ran.
std::size_t check_target(const std::string& target) {
  const fs::path root(DEEPNTK_FUZZ_SOURCE_DIR);
  const auto entry = deepntk::fuzz::find_entry(target);
  BOOST_TEST_REQUIRE(entry != nullptr);
  const auto seeds = inputs_in(root / "corpus" / target);
  BOOST_TEST(!seeds.empty(), "no seed in corpus/" << target);
  for (const auto& seed : seeds) {
    const auto bytes = contents(seed);
    const auto outcome = entry(bytes);
    BOOST_TEST((outcome.verdict == Verdict::accepted),
               seed.filename().string() << ": " << name(outcome.verdict) << ": " << outcome.detail);
  }
  const auto regressions = inputs_in(root / "regressions" / target);
  for (const auto& input : regressions) {
    const auto bytes = contents(input);
    const auto outcome = entry(bytes);
    BOOST_TEST((outcome.verdict == Verdict::refused),
               input.filename().string() << ": " << name(outcome.verdict) << ": " << outcome.detail);
  }
  BOOST_TEST_MESSAGE(target << ": " << seeds.size() << " seeds, " << regressions.size() << " regression inputs");
  return seeds.size() + regressions.size();
}

}  // namespace

BOOST_AUTO_TEST_CASE(config) { BOOST_TEST(check_target("config") > 0u); }
BOOST_AUTO_TEST_CASE(idx) { BOOST_TEST(check_target("idx") > 0u); }
BOOST_AUTO_TEST_CASE(cifar10) { BOOST_TEST(check_target("cifar10") > 0u); }
