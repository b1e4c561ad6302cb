#pragma once
// Small arrays every rank holds (depth schedules, eigenvalues, input data), to and from HDF5.
//
// Writing: every rank calls with the same shape; rank 0 selects the whole dataset and the
// others select nothing, in one collective H5Dwrite, so the data reaches the file once.
// Only rank 0's values are written (the others' must have the right size but are not read).
// Reading: rank 0 reads the whole dataset in one collective H5Dread (the others select
// nothing) and broadcasts it, so the file system sees one reader however many ranks there are.
//
// Arrays are stored in C (row-major) order; Array::shape lists the extents, slowest first,
// as numpy does. Element types: double (stored as 64-bit IEEE float) and std::int64_t.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "deepntk/io/file.hpp"
#include "deepntk/io/transfer_report.hpp"

namespace deepntk::io {

using Shape = std::vector<std::int64_t>;

template <class T>
struct Array {
  Shape shape;
  std::vector<T> values;  // row-major

  [[nodiscard]] int rank() const noexcept { return static_cast<int>(shape.size()); }
  /// Element (i, j) of a 2-D array.
  [[nodiscard]] const T& operator()(std::int64_t i, std::int64_t j) const {
    return values[static_cast<std::size_t>(i * shape[1] + j)];
  }
};

/// Creates dataset `path` (and missing parents) of `shape` (1-D or 2-D typically, any rank
/// >= 1; values.size() must be the product). Throws mpi::CollectiveError if something
/// exists at `path`.
TransferReport write_array(File& file, std::string_view path, std::span<const double> values, const Shape& shape);
TransferReport write_array(File& file, std::string_view path, std::span<const std::int64_t> values,
                           const Shape& shape);
/// 1-D shorthands.
TransferReport write_vector(File& file, std::string_view path, std::span<const double> values);
TransferReport write_vector(File& file, std::string_view path, std::span<const std::int64_t> values);

/// Reads a dataset of any floating-point type (16/32/64-bit, either byte order) as doubles
/// onto every rank. With `expected_rank`, any other number of dimensions is an error. Throws
/// mpi::CollectiveError naming the dataset and file if it is missing, has the wrong rank, or
/// holds integers or anything else that is not floating point.
[[nodiscard]] Array<double> read_double_array(const File& file, std::string_view path,
                                              std::optional<int> expected_rank = std::nullopt);
/// Reads a dataset of any integer type as int64 onto every rank; floats are an error.
[[nodiscard]] Array<std::int64_t> read_int64_array(const File& file, std::string_view path,
                                                   std::optional<int> expected_rank = std::nullopt);

}  // namespace deepntk::io
