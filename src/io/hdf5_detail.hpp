#pragma once
// Helpers shared by the deepntk::io sources; not part of the public interface.

#include <hdf5.h>
#include <mpi.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "deepntk/io/file.hpp"
#include "deepntk/io/free_space.hpp"
#include "deepntk/io/hdf5_handle.hpp"
#include "deepntk/mpi/agree.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::io::detail {

using mpi::agree;  // steps whose outcome ranks may see differently (see deepntk/mpi/agree.hpp)

/// agree() for a step that writes to `file`: a failure on a full file system is reported as
/// "cannot write '<file>': no space left on device (...)" (HDF5 itself says only "file write
/// failed"), naming the file's reported_path().
template <class Step>
auto agree_writing(const File& file, Step&& step) -> decltype(step()) {
  return agree(file.communicator().handle(), [&]() -> decltype(step()) {
    try {
      return step();
    } catch (const Hdf5Error& e) {
      throw Hdf5Error(explain_write_failure(file.reported_path(), file.path(), e.what()));
    }
  });
}

/// Link-creation properties that create missing intermediate groups, UTF-8 names.
PropertyListId intermediate_groups_lcpl();
/// Dataset-transfer properties requesting collective MPI-IO.
PropertyListId collective_transfer();
/// Dataset-creation properties for datasets written in full by deepntk: storage allocated
/// at creation (parallel HDF5 needs that) and no fill values written first.
PropertyListId no_fill_dcpl();

/// Dimensions of a dataset's dataspace.
std::vector<hsize_t> dataset_dims(hid_t dataset, std::string_view what);
/// "13 x 10" (or "scalar").
std::string format_dims(const std::vector<hsize_t>& dims);
/// A readable name of an HDF5 type's class and size: "64-bit integer", "32-bit float", ...
std::string describe_type(hid_t type);

/// A dataspace of `count` elements (at least 1 allocated, so count 0 is a none-selection).
DataspaceId linear_memory_space(hsize_t count);

/// Product of non-negative dims; throws std::invalid_argument on negative entries.
hsize_t element_count(const std::vector<std::int64_t>& shape);

}  // namespace deepntk::io::detail
