#pragma once
// Distributed matrices to and from HDF5 datasets, collectively.
//
// A matrix is stored as a 2-D dataset {rows, cols} of 64-bit IEEE floats in C (row-major)
// order, so h5py's K[i, j] is entry (i, j), not its transpose. The file layout does not
// depend on the grid or block size: a matrix written on one grid reads back on any other.
//
// Each rank moves its whole share with ONE H5Dwrite / H5Dread and a collective transfer:
// its selection is the union of at most four regular hyperslabs (block_cyclic_selection.hpp);
// ranks that own nothing select nothing but still take part. The local column-major
// (ScaLAPACK) storage is transposed into a row-major buffer because HDF5 moves the selected
// file elements in row-major order, which for a block-cyclic map is row-major order over
// local indices too. That buffer costs one extra copy of the local part per call.
//
// Every function is collective over the file's communicator; the matrix's grid must be built
// on the same group of ranks.

#include <string_view>

#include "deepntk/io/file.hpp"
#include "deepntk/io/transfer_report.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::io {

/// Room for chunking/compression later; the defaults are what the brief asks for today.
struct MatrixWriteOptions {};

/// Creates dataset `path` (and missing parent groups) holding `matrix`. Throws
/// mpi::CollectiveError if something already exists at `path`.
TransferReport write_matrix(File& file, std::string_view path, const matrix::DistributedMatrix& matrix,
                            const MatrixWriteOptions& options = {});

/// Reads dataset `path` into `matrix`, whose shape must match the dataset's; any grid and
/// block size. Any floating-point dataset type is accepted (converted to double; HDF5 then
/// does independent I/O, see the report). Throws mpi::CollectiveError for a missing dataset,
/// a shape mismatch (naming both shapes) or a non-floating type.
TransferReport read_matrix(const File& file, std::string_view path, matrix::DistributedMatrix& matrix);

}  // namespace deepntk::io
