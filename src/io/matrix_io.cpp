#include "deepntk/io/matrix_io.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "deepntk/io/block_cyclic_selection.hpp"
#include "hdf5_detail.hpp"

namespace deepntk::io {

namespace {

using matrix::DistributedMatrix;
using matrix::LocalIndex;

void require_same_ranks(const File& file, const DistributedMatrix& m) {
  int relation = MPI_UNEQUAL;
  mpi::check(MPI_Comm_compare(file.communicator().handle(), m.grid().communicator(), &relation), "MPI_Comm_compare");
  if (relation != MPI_IDENT && relation != MPI_CONGRUENT) {
    throw std::invalid_argument("matrix I/O on " + file.describe("/") +
                                ": the matrix's process grid is not built on the file's communicator");
  }
}

// The file space of `dataset` with exactly this rank's entries selected.
DataspaceId select_owned(hid_t dataset, const DistributedMatrix& m, const std::string& what) {
  DataspaceId space(check(H5Dget_space(dataset), "H5Dget_space", what));
  const auto slabs = owned_hyperslabs(m.distribution(), m.grid().my_row(), m.grid().my_col());
  if (slabs.empty()) {
    check(H5Sselect_none(space.get()), "H5Sselect_none", what);
    return space;
  }
  H5S_seloper_t op = H5S_SELECT_SET;
  for (const auto& slab : slabs) {
    const hsize_t start[2] = {static_cast<hsize_t>(slab.rows.start), static_cast<hsize_t>(slab.cols.start)};
    const hsize_t stride[2] = {static_cast<hsize_t>(slab.rows.stride), static_cast<hsize_t>(slab.cols.stride)};
    const hsize_t count[2] = {static_cast<hsize_t>(slab.rows.count), static_cast<hsize_t>(slab.cols.count)};
    const hsize_t block[2] = {static_cast<hsize_t>(slab.rows.block), static_cast<hsize_t>(slab.cols.block)};
    check(H5Sselect_hyperslab(space.get(), op, start, stride, count, block), "H5Sselect_hyperslab", what);
    op = H5S_SELECT_OR;
  }
  // The selection and the local storage must agree element for element; a mismatch would
  // scramble the matrix silently, so it is checked once per call (cheap).
  const hssize_t selected = check(H5Sget_select_npoints(space.get()), "H5Sget_select_npoints", what);
  if (selected != m.local_rows() * m.local_cols()) {
    throw std::logic_error("block-cyclic selection of " + std::to_string(selected) + " entries for " + what +
                           " does not match the local part of " + std::to_string(m.local_rows() * m.local_cols()));
  }
  return space;
}

// Column-major local storage (leading dimension ld) <-> row-major buffer, in tiles so both
// sides stay in cache for large local parts.
constexpr std::int64_t tile = 64;

std::vector<double> to_row_major(const DistributedMatrix& m) {
  const std::int64_t lr = m.local_rows();
  const std::int64_t lc = m.local_cols();
  std::vector<double> out(static_cast<std::size_t>(lr * lc));
  for (std::int64_t r0 = 0; r0 < lr; r0 += tile)
    for (std::int64_t c0 = 0; c0 < lc; c0 += tile)
      for (std::int64_t r = r0; r < std::min(lr, r0 + tile); ++r)
        for (std::int64_t c = c0; c < std::min(lc, c0 + tile); ++c)
          out[static_cast<std::size_t>(r * lc + c)] = m.at(LocalIndex(r), LocalIndex(c));
  return out;
}

void from_row_major(const std::vector<double>& in, DistributedMatrix& m) {
  const std::int64_t lr = m.local_rows();
  const std::int64_t lc = m.local_cols();
  for (std::int64_t c0 = 0; c0 < lc; c0 += tile)
    for (std::int64_t r0 = 0; r0 < lr; r0 += tile)
      for (std::int64_t c = c0; c < std::min(lc, c0 + tile); ++c)
        for (std::int64_t r = r0; r < std::min(lr, r0 + tile); ++r)
          m.at(LocalIndex(r), LocalIndex(c)) = in[static_cast<std::size_t>(r * lc + c)];
}

struct Transfer {
  DataspaceId file_space;
  DataspaceId memory_space;
  std::vector<double> buffer;
};

}  // namespace

TransferReport write_matrix(File& file, std::string_view path, const DistributedMatrix& m,
                            const MatrixWriteOptions& /*options*/) {
  const MPI_Comm comm = file.communicator().handle();
  const std::string what = file.describe(path);
  detail::agree(comm, [&] {
    require_same_ranks(file, m);
    validate_object_path(path);
    if (file.exists(path)) throw std::invalid_argument("cannot write matrix " + what + ": it already exists");
  });

  DatasetId dataset = detail::agree(comm, [&] {
    const hsize_t dims[2] = {static_cast<hsize_t>(m.rows()), static_cast<hsize_t>(m.cols())};
    DataspaceId space(check(H5Screate_simple(2, dims, nullptr), "H5Screate_simple", what));
    const auto lcpl = detail::intermediate_groups_lcpl();
    const auto dcpl = detail::no_fill_dcpl();
    return DatasetId(check(H5Dcreate2(file.id(), std::string(path).c_str(), H5T_IEEE_F64LE, space.get(), lcpl.get(),
                                      dcpl.get(), H5P_DEFAULT),
                           "H5Dcreate2", what));
  });

  // Local preparation (allocation may fail on one rank only), agreed before the collective.
  Transfer transfer = detail::agree(comm, [&] {
    Transfer t{select_owned(dataset.get(), m, what), detail::linear_memory_space(0), to_row_major(m)};
    t.memory_space = detail::linear_memory_space(t.buffer.size());
    return t;
  });

  if (m.rows() == 0 || m.cols() == 0) {
    detail::agree(comm, [&] { dataset.close("H5Dclose", what); });
    return TransferReport{.empty = true};
  }
  const auto dxpl = detail::collective_transfer();
  const double placeholder = 0;  // HDF5 wants a non-null buffer even for an empty selection
  const double* data = transfer.buffer.empty() ? &placeholder : transfer.buffer.data();
  const TransferReport report = detail::agree_writing(file, [&] {
    check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, transfer.memory_space.get(), transfer.file_space.get(), dxpl.get(),
                   data),
          "H5Dwrite", what);
    return transfer_report(dxpl.get());
  });
  detail::agree(comm, [&] { dataset.close("H5Dclose", what); });
  return report;
}

TransferReport read_matrix(const File& file, std::string_view path, DistributedMatrix& m) {
  const MPI_Comm comm = file.communicator().handle();
  const std::string what = file.describe(path);
  detail::agree(comm, [&] { require_same_ranks(file, m); });
  DatasetId dataset = file.open_dataset(path);

  // Metadata reads are collective, so every rank sees the same type and shape and these
  // checks fail on all ranks together.
  {
    DatatypeId type(check(H5Dget_type(dataset.get()), "H5Dget_type", what));
    if (H5Tget_class(type.get()) != H5T_FLOAT) {
      throw mpi::CollectiveError("dataset " + what + " holds " + detail::describe_type(type.get()) +
                                 " values where a floating-point matrix is expected");
    }
  }
  const auto dims = detail::dataset_dims(dataset.get(), what);
  if (dims.size() != 2 || dims[0] != static_cast<hsize_t>(m.rows()) || dims[1] != static_cast<hsize_t>(m.cols())) {
    throw mpi::CollectiveError("dataset " + what + " has shape " + detail::format_dims(dims) + " but the matrix is " +
                               std::to_string(m.rows()) + " x " + std::to_string(m.cols()));
  }

  if (m.rows() == 0 || m.cols() == 0) {
    detail::agree(comm, [&] { dataset.close("H5Dclose", what); });
    return TransferReport{.empty = true};
  }
  Transfer transfer = detail::agree(comm, [&] {
    std::vector<double> buffer(static_cast<std::size_t>(m.local_rows() * m.local_cols()));
    Transfer t{select_owned(dataset.get(), m, what), detail::linear_memory_space(buffer.size()), std::move(buffer)};
    return t;
  });

  const auto dxpl = detail::collective_transfer();
  double placeholder = 0;
  double* data = transfer.buffer.empty() ? &placeholder : transfer.buffer.data();
  const TransferReport report = detail::agree(comm, [&] {
    check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, transfer.memory_space.get(), transfer.file_space.get(), dxpl.get(),
                  data),
          "H5Dread", what);
    return transfer_report(dxpl.get());
  });
  from_row_major(transfer.buffer, m);
  detail::agree(comm, [&] { dataset.close("H5Dclose", what); });
  return report;
}

}  // namespace deepntk::io
