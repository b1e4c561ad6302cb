#include "deepntk/io/replicated_array.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "hdf5_detail.hpp"

namespace deepntk::io {

namespace {

template <class T>
struct ElementTraits;

template <>
struct ElementTraits<double> {
  static hid_t file_type() { return H5T_IEEE_F64LE; }
  static hid_t memory_type() { return H5T_NATIVE_DOUBLE; }
  static constexpr H5T_class_t type_class = H5T_FLOAT;
  static constexpr const char* expected = "floating-point";
  static MPI_Datatype mpi_type() { return MPI_DOUBLE; }
};

template <>
struct ElementTraits<std::int64_t> {
  static hid_t file_type() { return H5T_STD_I64LE; }
  static hid_t memory_type() { return H5T_NATIVE_INT64; }
  static constexpr H5T_class_t type_class = H5T_INTEGER;
  static constexpr const char* expected = "integer";
  static MPI_Datatype mpi_type() { return MPI_INT64_T; }
};

// Rank 0 selects the whole file space, every other rank nothing.
DataspaceId root_selection(hid_t dataset, const File& file, const std::string& what) {
  DataspaceId space(check(H5Dget_space(dataset), "H5Dget_space", what));
  if (file.communicator().is_root()) {
    check(H5Sselect_all(space.get()), "H5Sselect_all", what);
  } else {
    check(H5Sselect_none(space.get()), "H5Sselect_none", what);
  }
  return space;
}

template <class T>
void broadcast(std::vector<T>& values, MPI_Comm comm) {
  // MPI counts are int: large arrays go in pieces.
  constexpr std::size_t piece = std::size_t{1} << 28;
  for (std::size_t offset = 0; offset < values.size(); offset += piece) {
    const auto count = static_cast<int>(std::min(piece, values.size() - offset));
    mpi::check(MPI_Bcast(values.data() + offset, count, ElementTraits<T>::mpi_type(), 0, comm), "MPI_Bcast");
  }
}

template <class T>
TransferReport write_generic(File& file, std::string_view path, std::span<const T> values, const Shape& shape) {
  const MPI_Comm comm = file.communicator().handle();
  const std::string what = file.describe(path);
  detail::agree(comm, [&] {
    validate_object_path(path);
    if (shape.empty() || shape.size() > H5S_MAX_RANK) {
      throw std::invalid_argument("cannot write array " + what + ": it needs between 1 and 32 dimensions");
    }
    if (detail::element_count(shape) != values.size()) {
      throw std::invalid_argument("cannot write array " + what + ": " + std::to_string(values.size()) +
                                  " values do not fill its shape");
    }
    if (file.exists(path)) throw std::invalid_argument("cannot write array " + what + ": it already exists");
  });

  DatasetId dataset = detail::agree(comm, [&] {
    const std::vector<hsize_t> dims(shape.begin(), shape.end());
    DataspaceId space(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "H5Screate_simple",
                            what));
    const auto lcpl = detail::intermediate_groups_lcpl();
    const auto dcpl = detail::no_fill_dcpl();
    return DatasetId(check(H5Dcreate2(file.id(), std::string(path).c_str(), ElementTraits<T>::file_type(), space.get(),
                                      lcpl.get(), dcpl.get(), H5P_DEFAULT),
                           "H5Dcreate2", what));
  });

  if (values.empty()) {  // HDF5 allocates nothing for an empty dataset; nothing to write
    detail::agree(comm, [&] { dataset.close("H5Dclose", what); });
    return TransferReport{.empty = true};
  }
  const auto dxpl = detail::collective_transfer();
  const TransferReport report = detail::agree_writing(file, [&] {
    const DataspaceId file_space = root_selection(dataset.get(), file, what);
    const hsize_t mine = file.communicator().is_root() ? values.size() : 0;
    const DataspaceId memory_space = detail::linear_memory_space(mine);
    const T placeholder{};
    const T* data = mine > 0 ? values.data() : &placeholder;
    check(H5Dwrite(dataset.get(), ElementTraits<T>::memory_type(), memory_space.get(), file_space.get(), dxpl.get(),
                   data),
          "H5Dwrite", what);
    return transfer_report(dxpl.get());
  });
  detail::agree(comm, [&] { dataset.close("H5Dclose", what); });
  return report;
}

template <class T>
Array<T> read_generic(const File& file, std::string_view path, std::optional<int> expected_rank) {
  const MPI_Comm comm = file.communicator().handle();
  const std::string what = file.describe(path);
  DatasetId dataset = file.open_dataset(path);

  // Collective metadata reads: every rank sees the same type and shape, so these checks
  // fail everywhere together.
  {
    DatatypeId type(check(H5Dget_type(dataset.get()), "H5Dget_type", what));
    if (H5Tget_class(type.get()) != ElementTraits<T>::type_class) {
      throw mpi::CollectiveError("dataset " + what + " holds " + detail::describe_type(type.get()) + " values where " +
                                 ElementTraits<T>::expected + " values are expected");
    }
  }
  const auto dims = detail::dataset_dims(dataset.get(), what);
  if (expected_rank && static_cast<int>(dims.size()) != *expected_rank) {
    throw mpi::CollectiveError("dataset " + what + " has " + std::to_string(dims.size()) + " dimension(s) (shape " +
                               detail::format_dims(dims) + ") but " + std::to_string(*expected_rank) +
                               " are expected");
  }

  Array<T> array;
  array.shape.assign(dims.begin(), dims.end());
  if (detail::element_count(array.shape) == 0) {
    detail::agree(comm, [&] { dataset.close("H5Dclose", what); });
    return array;
  }
  const auto dxpl = detail::collective_transfer();
  detail::agree(comm, [&] {
    array.values.resize(detail::element_count(array.shape));
    const DataspaceId file_space = root_selection(dataset.get(), file, what);
    const hsize_t mine = file.communicator().is_root() ? array.values.size() : 0;
    const DataspaceId memory_space = detail::linear_memory_space(mine);
    T placeholder{};
    T* data = mine > 0 ? array.values.data() : &placeholder;
    check(H5Dread(dataset.get(), ElementTraits<T>::memory_type(), memory_space.get(), file_space.get(), dxpl.get(),
                  data),
          "H5Dread", what);
  });
  broadcast(array.values, comm);
  detail::agree(comm, [&] { dataset.close("H5Dclose", what); });
  return array;
}

}  // namespace

TransferReport write_array(File& file, std::string_view path, std::span<const double> values, const Shape& shape) {
  return write_generic<double>(file, path, values, shape);
}

TransferReport write_array(File& file, std::string_view path, std::span<const std::int64_t> values,
                           const Shape& shape) {
  return write_generic<std::int64_t>(file, path, values, shape);
}

TransferReport write_vector(File& file, std::string_view path, std::span<const double> values) {
  return write_generic<double>(file, path, values, {static_cast<std::int64_t>(values.size())});
}

TransferReport write_vector(File& file, std::string_view path, std::span<const std::int64_t> values) {
  return write_generic<std::int64_t>(file, path, values, {static_cast<std::int64_t>(values.size())});
}

Array<double> read_double_array(const File& file, std::string_view path, std::optional<int> expected_rank) {
  return read_generic<double>(file, path, expected_rank);
}

Array<std::int64_t> read_int64_array(const File& file, std::string_view path, std::optional<int> expected_rank) {
  return read_generic<std::int64_t>(file, path, expected_rank);
}

}  // namespace deepntk::io
