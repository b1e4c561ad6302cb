// Files, groups, replicated arrays and attributes on the ranks of this run: everything
// written comes back identical on every rank, input of any floating type reads as doubles,
// and each kind of bad input is reported naming the dataset (or attribute) and the file.

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "deepntk/io/attributes.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "io_test_support.hpp"
#include "mpi_test_support.hpp"

namespace io = deepntk::io;
namespace testing = deepntk::testing;
using deepntk::io_test::collective_message;
using deepntk::io_test::contains;

BOOST_AUTO_TEST_SUITE(small_data)

BOOST_AUTO_TEST_CASE(files_refuse_to_clobber_and_report_bad_inputs) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("small_data_files");
  const auto path = dir / "f.h5";
  {
    auto file = io::File::create(world, path);
    io::write_attribute(file, "/", "generation", 1);
  }
  const auto exists = collective_message([&] { auto again = io::File::create(world, path); });
  BOOST_TEST_MESSAGE("existing: " << exists);
  BOOST_TEST(contains(exists, path.string()));
  BOOST_TEST(contains(exists, "already exists"));
  {
    auto reopened = io::File::open_read_only(world, path);  // the refused create left it intact
    BOOST_TEST(io::read_attribute<std::int64_t>(reopened, "/", "generation") == 1);
  }
  {
    auto replaced = io::File::create(world, path, io::IfExists::truncate);
    BOOST_TEST(!io::has_attribute(replaced, "/", "generation"));
  }

  const auto missing = collective_message([&] { auto f = io::File::open_read_only(world, dir / "nope.h5"); });
  BOOST_TEST(contains(missing, "nope.h5"));
  BOOST_TEST(contains(missing, "does not exist"));

  const auto not_hdf5 = dir / "text.h5";
  if (world.is_root()) std::ofstream(not_hdf5) << "this is not an HDF5 file\n";
  world.barrier();
  const auto garbage = collective_message([&] { auto f = io::File::open_read_only(world, not_hdf5); });
  BOOST_TEST_MESSAGE("not HDF5: " << garbage);
  BOOST_TEST(contains(garbage, "text.h5"));
  BOOST_TEST(contains(garbage, "as an HDF5 file"));

  const auto no_dir = collective_message([&] { auto f = io::File::create(world, dir / "missing-dir" / "x.h5"); });
  BOOST_TEST(contains(no_dir, "missing-dir"));
  BOOST_TEST(contains(no_dir, "does not exist"));
}

BOOST_AUTO_TEST_CASE(groups_are_created_with_their_parents) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("small_data_groups");
  auto file = io::File::create(world, dir / "groups.h5");
  BOOST_TEST(file.exists("/"));
  BOOST_TEST(!file.exists("/kernels/ntk/10/train"));
  file.require_group("/kernels/ntk/10/train");
  for (const char* group : {"/kernels", "/kernels/ntk", "/kernels/ntk/10", "/kernels/ntk/10/train"}) {
    BOOST_TEST(file.is_group(group), group);
  }
  BOOST_TEST(!file.exists("/kernels/nngp"));
  BOOST_TEST(!file.exists("/kernels/nngp/10"));
  file.require_group("/kernels/ntk");  // existing: nothing happens
  BOOST_TEST(file.is_group("/kernels/ntk/10/train"));

  const std::vector<double> values{1.0, 2.0};
  io::write_vector(file, "/kernels/values", values);
  BOOST_TEST(file.is_dataset("/kernels/values"));
  BOOST_TEST(!file.is_group("/kernels/values"));
  BOOST_TEST(!file.exists("/kernels/values/below"));  // below a dataset: nothing, no error
  const auto blocked = collective_message([&] { file.require_group("/kernels/values"); });
  BOOST_TEST(contains(blocked, "a dataset is in the way"));
  const auto bad_path = collective_message([&] { file.require_group("/kernels//x"); });
  BOOST_TEST(contains(bad_path, "must be absolute"));
}

BOOST_AUTO_TEST_CASE(replicated_arrays_round_trip_on_every_rank) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("small_data_arrays");
  const auto path = dir / "arrays.h5";
  const std::vector<std::int64_t> depths{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
  const std::vector<double> eigenvalues{-1e-300, 0.0, 1.0 / 3.0, 2.5e17};
  std::vector<double> table;  // 3 x 4, row-major
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) table.push_back(i * 10.0 + j + 0.25);
  const std::vector<std::int64_t> labels{3, -1, 4, 1, -5, 9};  // 2 x 3
  {
    auto file = io::File::create(world, path);
    BOOST_TEST(io::write_vector(file, "/depths", depths).collective());
    BOOST_TEST(io::write_vector(file, "/spectrum/ntk/10/eigenvalues", eigenvalues).collective());
    io::write_array(file, "/data/x_train", table, {3, 4});
    io::write_array(file, "/data/labels", labels, {2, 3});
    io::write_vector(file, "/empty", std::vector<double>{});
    const auto wrong_size =
        collective_message([&] { io::write_array(file, "/data/bad", table, {5, 5}); });
    BOOST_TEST(contains(wrong_size, "do not fill its shape"));
  }
  auto file = io::File::open_read_only(world, path);
  const auto d = io::read_int64_array(file, "/depths");
  BOOST_TEST((d.shape == io::Shape{10}));
  BOOST_TEST(d.values == depths, boost::test_tools::per_element());
  const auto e = io::read_double_array(file, "/spectrum/ntk/10/eigenvalues", 1);
  BOOST_TEST(e.values == eigenvalues, boost::test_tools::per_element());  // bit-exact
  const auto x = io::read_double_array(file, "/data/x_train", 2);
  BOOST_TEST((x.shape == io::Shape{3, 4}));
  BOOST_TEST(x(2, 1) == 21.25);
  BOOST_TEST(x.values == table, boost::test_tools::per_element());
  const auto l = io::read_int64_array(file, "/data/labels", 2);
  BOOST_TEST((l.shape == io::Shape{2, 3}));
  BOOST_TEST(l(1, 0) == 1);
  const auto empty = io::read_double_array(file, "/empty");
  BOOST_TEST((empty.shape == io::Shape{0}));
  BOOST_TEST(empty.values.empty());
}

BOOST_AUTO_TEST_CASE(any_floating_input_reads_as_double_and_bad_input_is_named) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("small_data_input");
  const auto path = dir / "input.h5";
  // 4 x 3 values exact in single precision.
  std::vector<float> single;
  std::vector<double> expected;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) {
      single.push_back(static_cast<float>(i) - 0.125f * static_cast<float>(j));
      expected.push_back(static_cast<double>(i) - 0.125 * j);
    }
  {
    auto file = io::File::create(world, path);
    deepntk::io_test::write_foreign_dataset(file, "/x_single", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {4, 3}, single.data());
    // Big-endian doubles, as some tools write: converted on read.
    deepntk::io_test::write_foreign_dataset(file, "/x_big_endian", H5T_IEEE_F64BE, H5T_NATIVE_DOUBLE, {4, 3},
                                            expected.data());
    const std::vector<std::int32_t> integers(12, 7);
    deepntk::io_test::write_foreign_dataset(file, "/x_int", H5T_STD_I32LE, H5T_NATIVE_INT32, {4, 3}, integers.data());
    io::write_vector(file, "/x_vector", expected);
  }
  auto file = io::File::open_read_only(world, path);
  for (const char* name : {"/x_single", "/x_big_endian"}) {
    const auto x = io::read_double_array(file, name, 2);
    BOOST_TEST((x.shape == io::Shape{4, 3}), name);
    BOOST_TEST(x.values == expected, boost::test_tools::per_element());
  }

  const auto missing = collective_message([&] { auto x = io::read_double_array(file, "/x_train", 2); });
  BOOST_TEST_MESSAGE("missing: " << missing);
  BOOST_TEST(contains(missing, "dataset '/x_train' not found"));
  BOOST_TEST(contains(missing, "input.h5"));

  const auto wrong_rank = collective_message([&] { auto x = io::read_double_array(file, "/x_vector", 2); });
  BOOST_TEST_MESSAGE("wrong rank: " << wrong_rank);
  BOOST_TEST(contains(wrong_rank, "'/x_vector'"));
  BOOST_TEST(contains(wrong_rank, "1 dimension(s)"));
  BOOST_TEST(contains(wrong_rank, "2 are expected"));

  const auto integers = collective_message([&] { auto x = io::read_double_array(file, "/x_int", 2); });
  BOOST_TEST_MESSAGE("integers: " << integers);
  BOOST_TEST(contains(integers, "'/x_int'"));
  BOOST_TEST(contains(integers, "input.h5"));
  BOOST_TEST(contains(integers, "32-bit integer"));
  BOOST_TEST(contains(integers, "floating-point values are expected"));

  const auto floats_as_ints = collective_message([&] { auto x = io::read_int64_array(file, "/x_single"); });
  BOOST_TEST(contains(floats_as_ints, "32-bit float"));
  BOOST_TEST(contains(floats_as_ints, "integer values are expected"));
}

namespace {
// A string attribute as other tools write it (raw C API, every rank the same call).
void write_foreign_string_attribute(io::File& file, const char* name, hid_t type, const void* data) {
  io::DataspaceId space(io::check(H5Screate(H5S_SCALAR), "H5Screate", name));
  io::AttributeId attribute(
      io::check(H5Acreate2(file.id(), name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2", name));
  io::check(H5Awrite(attribute.get(), type, data), "H5Awrite", name);
}
}  // namespace

BOOST_AUTO_TEST_CASE(string_attributes_from_other_tools_read_too) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("small_data_foreign_strings");
  const auto path = dir / "strings.h5";
  {
    auto file = io::File::create(world, path);
    io::DatatypeId ascii_variable(io::check(H5Tcopy(H5T_C_S1), "H5Tcopy", ""));
    H5Tset_size(ascii_variable.get(), H5T_VARIABLE);
    H5Tset_cset(ascii_variable.get(), H5T_CSET_ASCII);
    const char* text = "ascii variable";
    write_foreign_string_attribute(file, "ascii_variable", ascii_variable.get(), &text);

    io::DatatypeId null_padded(io::check(H5Tcopy(H5T_C_S1), "H5Tcopy", ""));
    H5Tset_size(null_padded.get(), 8);
    H5Tset_strpad(null_padded.get(), H5T_STR_NULLPAD);
    const char padded[8] = {'a', 'b', 'c', 0, 0, 0, 0, 0};
    write_foreign_string_attribute(file, "null_padded", null_padded.get(), padded);

    io::DatatypeId space_padded(io::check(H5Tcopy(H5T_C_S1), "H5Tcopy", ""));
    H5Tset_size(space_padded.get(), 6);
    H5Tset_strpad(space_padded.get(), H5T_STR_SPACEPAD);
    write_foreign_string_attribute(file, "space_padded", space_padded.get(), "xy    ");
  }
  auto file = io::File::open_read_only(world, path);
  BOOST_TEST(io::read_attribute<std::string>(file, "/", "ascii_variable") == "ascii variable");
  BOOST_TEST(io::read_attribute<std::string>(file, "/", "null_padded") == "abc");
  BOOST_TEST(io::read_attribute<std::string>(file, "/", "space_padded") == "xy");
}

BOOST_AUTO_TEST_CASE(attributes_round_trip_on_root_groups_and_datasets) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("small_data_attributes");
  const auto path = dir / "attributes.h5";
  const std::string config = "[data]\nkind = \"sphere\"  # ρ ≥ 0, UTF-8\n" + std::string(100000, 'x');  // > 64 KiB
  const std::vector<double> doubles{0.5, -2.0, 1e-310};
  const std::vector<std::int64_t> integers{2, 2, -9007199254740993};
  {
    auto file = io::File::create(world, path);
    io::write_attribute(file, "/", "version", "0.1.0");
    io::write_attribute(file, "/", "configuration", config);
    io::write_attribute(file, "/", "empty", "");
    io::write_attribute(file, "/", "ranks", world.size());  // int: stored as int64
    io::write_attribute(file, "/", "big", std::int64_t{9007199254740993});
    io::write_attribute(file, "/", "sigma_w", 1.4142135623730951);
    io::write_attribute(file, "/", "weights", doubles);
    io::write_attribute(file, "/", "grid", integers);
    file.require_group("/kernels/ntk");
    io::write_attribute(file, "/kernels/ntk", "kind", "ntk");
    io::write_vector(file, "/depths", std::vector<std::int64_t>{1, 2});
    io::write_attribute(file, "/depths", "unit", "layers");
    io::write_attribute(file, "/", "status", "running");
    io::write_attribute(file, "/", "status", "complete");  // replaces
  }
  auto file = io::File::open_read_only(world, path);
  BOOST_TEST(io::read_attribute<std::string>(file, "/", "version") == "0.1.0");
  BOOST_TEST(io::read_attribute<std::string>(file, "/", "configuration") == config);
  BOOST_TEST(io::read_attribute<std::string>(file, "/", "empty").empty());
  BOOST_TEST(io::read_attribute<std::int64_t>(file, "/", "ranks") == world.size());
  BOOST_TEST(io::read_attribute<std::int64_t>(file, "/", "big") == 9007199254740993);
  BOOST_TEST(io::read_attribute<double>(file, "/", "sigma_w") == 1.4142135623730951);
  BOOST_TEST(io::read_attribute<std::vector<double>>(file, "/", "weights") == doubles,
             boost::test_tools::per_element());
  BOOST_TEST(io::read_attribute<std::vector<std::int64_t>>(file, "/", "grid") == integers,
             boost::test_tools::per_element());
  BOOST_TEST(io::read_attribute<std::vector<double>>(file, "/", "sigma_w").size() == 1u);
  BOOST_TEST(io::read_attribute<std::string>(file, "/kernels/ntk", "kind") == "ntk");
  BOOST_TEST(io::read_attribute<std::string>(file, "/depths", "unit") == "layers");
  BOOST_TEST(io::read_attribute<std::string>(file, "/", "status") == "complete");
  BOOST_TEST(io::has_attribute(file, "/", "status"));
  BOOST_TEST(!io::has_attribute(file, "/", "nothing"));

  const auto missing =
      collective_message([&] { static_cast<void>(io::read_attribute<std::string>(file, "/", "revision")); });
  BOOST_TEST_MESSAGE("missing attribute: " << missing);
  BOOST_TEST(contains(missing, "attribute 'revision'"));
  BOOST_TEST(contains(missing, "attributes.h5"));
  BOOST_TEST(contains(missing, "not found"));
  const auto no_object =
      collective_message([&] { static_cast<void>(io::read_attribute<double>(file, "/nowhere", "x")); });
  BOOST_TEST(contains(no_object, "no object '/nowhere'"));
  const auto wrong_kind =
      collective_message([&] { static_cast<void>(io::read_attribute<std::int64_t>(file, "/", "sigma_w")); });
  BOOST_TEST(contains(wrong_kind, "64-bit float"));
  const auto not_scalar =
      collective_message([&] { static_cast<void>(io::read_attribute<double>(file, "/", "weights")); });
  BOOST_TEST(contains(not_scalar, "3 values where one is expected"));
  const auto not_string =
      collective_message([&] { static_cast<void>(io::read_attribute<std::string>(file, "/", "ranks")); });
  BOOST_TEST(contains(not_string, "not a string"));
}

BOOST_AUTO_TEST_SUITE_END()
