#pragma once
// Opening an input dataset of an HDF5 file only once it is known to be readable, with one
// message for what a user can fix: a soft link to nothing, an external link to a file that is
// not there, a compression filter this HDF5 lacks (h5py's LZF), or rows that were never written
// (a dataset created with a huge shape whose storage is not in the file: reading it would
// allocate the claimed size and get fill values).

#include <cstdint>
#include <string>
#include <vector>

#include "deepntk/io/file.hpp"
#include "deepntk/io/hdf5_handle.hpp"

namespace deepntk::data {

struct CheckedDataset {
  io::DatasetId id;
  std::vector<std::int64_t> shape;  // slowest first
};

/// Opens `name` (an absolute path) in `file`. Throws std::invalid_argument naming the dataset
/// and the file for a missing object, a dangling soft link, an unresolvable external link, an
/// object that is not a dataset, a filter that is not available, or data that is not all
/// stored in the file (contiguous storage smaller than the shape, or chunks missing). Every
/// size is formed with checked arithmetic. Local: `file` must be open on one rank only.
[[nodiscard]] CheckedDataset open_checked_dataset(const io::File& file, const std::string& name);

}  // namespace deepntk::data
