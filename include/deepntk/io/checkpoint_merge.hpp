#pragma once
// Copies the objects of one HDF5 file into another, merging groups both files have.
//
// Used to assemble a result from the per-depth part files of a checkpoint: each part holds
// /kernels/<kind>/<depth>, /spectrum/<kind>/<depth>, ... exactly where the result keeps them,
// so the result is the union of the parts' trees. Objects are copied with H5Ocopy (raw data,
// attributes and all); a group present on both sides is entered and merged; any other clash
// is an error (two parts claiming the same dataset is a bug, not something to paper over).
//
// Collective over the files' communicator (both files opened on the same ranks): every rank
// walks the same tree in the same (name) order and makes the same H5Ocopy calls.

#include <string>
#include <vector>

#include "deepntk/io/file.hpp"

namespace deepntk::io {

/// Merges every object under "/" of `from` into `to`, except the top-level names in
/// `skip` (e.g. "diagnostics"). Attributes of "/" are not copied.
void merge_file_tree(const File& from, File& to, const std::vector<std::string>& skip = {});

}  // namespace deepntk::io
