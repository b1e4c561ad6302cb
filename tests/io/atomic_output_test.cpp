// Result files appear complete under their final name or not at all: commit publishes,
// an exception before commit leaves nothing (no final file, no temporary), an existing
// result is never replaced without overwrite, and bad directories are named.

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "deepntk/io/atomic_output.hpp"
#include "deepntk/io/attributes.hpp"
#include "deepntk/io/matrix_io.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"
#include "io_test_support.hpp"
#include "mpi_test_support.hpp"

namespace fs = std::filesystem;
namespace io = deepntk::io;
namespace testing = deepntk::testing;
using deepntk::io_test::collective_message;
using deepntk::io_test::contains;

namespace {

// Everything in `dir` (names), as rank 0 sees it, on every rank.
std::string listing(const fs::path& dir) {
  std::string names;
  if (testing::world().is_root()) {
    for (const auto& item : fs::directory_iterator(dir)) names += item.path().filename().string() + " ";
  }
  return testing::world().broadcast(names);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_some_results(io::File& file) {
  deepntk::matrix::DistributedMatrix k(testing::make_grid(), 9, 9, 2);
  k.fill([](auto i, auto j) { return deepntk::io_test::entry(i.value(), j.value()); });
  io::write_matrix(file, "/kernels/ntk/1/train", k);
  io::write_attribute(file, "/", "status", "complete");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(atomic_output)

BOOST_AUTO_TEST_CASE(commit_publishes_under_the_final_name_only) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("atomic_commit");
  const auto final_path = dir / "result.h5";
  {
    io::AtomicOutput output(world, final_path, false);
    BOOST_TEST(output.temporary_path().parent_path() == dir);  // same directory: rename is atomic
    BOOST_TEST(output.temporary_path() != final_path);
    write_some_results(output.file());
    BOOST_TEST(!fs::exists(final_path));  // nothing under the final name while writing
    output.commit();
    BOOST_TEST(output.committed());
    BOOST_TEST(fs::exists(final_path));
    BOOST_TEST(!fs::exists(output.temporary_path()));
  }
  BOOST_TEST(listing(dir) == "result.h5 ");
  auto file = io::File::open_read_only(world, final_path);
  BOOST_TEST(io::read_attribute<std::string>(file, "/", "status") == "complete");
}

BOOST_AUTO_TEST_CASE(an_exception_before_commit_leaves_no_file) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("atomic_failure");
  const auto final_path = dir / "result.h5";
  fs::path temporary;
  // Every rank fails at the same point (as a collective error would), mid-write.
  const auto message = deepntk::io_test::thrown_message([&] {
    io::AtomicOutput output(world, final_path, false);
    temporary = output.temporary_path();
    write_some_results(output.file());
    BOOST_TEST(fs::exists(temporary));
    world.barrier();  // all have looked before rank 0's destructor removes it
    throw std::runtime_error("simulated failure after writing");
  });
  BOOST_TEST(message == "simulated failure after writing");
  world.barrier();  // rank 0 removed the temporary in the destructor
  BOOST_TEST(!fs::exists(final_path));
  BOOST_TEST(!fs::exists(temporary));
  BOOST_TEST(listing(dir).empty());
}

BOOST_AUTO_TEST_CASE(an_existing_result_is_kept_unless_overwrite) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("atomic_existing");
  const auto final_path = dir / "result.h5";
  if (world.is_root()) std::ofstream(final_path) << "precious earlier result\n";
  world.barrier();

  const auto refused = collective_message([&] { io::AtomicOutput output(world, final_path, false); });
  BOOST_TEST(refused == final_path.string() + " exists; pass --force to overwrite or choose another --output");
  BOOST_TEST(read_text(final_path) == "precious earlier result\n");
  BOOST_TEST(listing(dir) == "result.h5 ");

  // The final file appears while the run writes: the commit refuses to replace it too.
  {
    const auto late = collective_message([&] {
      io::AtomicOutput output(world, dir / "late.h5", false);
      if (world.is_root()) std::ofstream(dir / "late.h5") << "someone else's\n";
      world.barrier();
      output.commit();
    });
    BOOST_TEST(late == (dir / "late.h5").string() + " exists; pass --force to overwrite or choose another --output");
    BOOST_TEST(read_text(dir / "late.h5") == "someone else's\n");
    world.barrier();
    if (world.is_root()) fs::remove(dir / "late.h5");
    world.barrier();
  }

  {
    io::AtomicOutput output(world, final_path, true);
    write_some_results(output.file());
    BOOST_TEST(read_text(final_path) == "precious earlier result\n");  // untouched until commit
    output.commit();
  }
  BOOST_TEST(listing(dir) == "result.h5 ");
  auto file = io::File::open_read_only(world, final_path);
  BOOST_TEST(io::read_attribute<std::string>(file, "/", "status") == "complete");
}

BOOST_AUTO_TEST_CASE(bad_directories_are_named) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("atomic_directories");

  const auto missing = collective_message([&] { io::AtomicOutput output(world, dir / "no-such-dir" / "r.h5", false); });
  BOOST_TEST_MESSAGE("missing directory: " << missing);
  BOOST_TEST(contains(missing, "output directory '" + (dir / "no-such-dir").string() + "' does not exist"));

  const auto is_directory = collective_message([&] { io::AtomicOutput output(world, dir, true); });
  BOOST_TEST(contains(is_directory, "is a directory"));

  // An unwritable directory: permissions do not stop root, but sysfs does.
  fs::path locked = dir / "locked";
  if (::geteuid() == 0) {
    locked = "/sys";
  } else if (world.is_root()) {
    fs::create_directory(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  }
  world.barrier();
  const auto unwritable = collective_message([&] { io::AtomicOutput output(world, locked / "r.h5", false); });
  BOOST_TEST_MESSAGE("unwritable directory: " << unwritable);
  BOOST_TEST(contains(unwritable, "cannot write to output directory '" + locked.string() + "'"));
  if (::geteuid() != 0 && world.is_root()) fs::permissions(locked, fs::perms::owner_all);
}

BOOST_AUTO_TEST_SUITE_END()
