#include "deepntk/data/hdf5_dataset_check.hpp"

#include <array>
#include <stdexcept>

#include <fmt/format.h>

#include "deepntk/core/checked_arithmetic.hpp"

namespace deepntk::data {

namespace {

// "x_train" for "/x_train": the name as the configuration and h5py spell it.
std::string shown(const std::string& path) { return path.size() > 1 && path.front() == '/' ? path.substr(1) : path; }

std::string in_file(const io::File& file, const std::string& path) {
  return fmt::format("'{}' in {}", shown(path), file.path().string());
}

std::string readable_bytes(std::int64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) return fmt::format("{:.1f} GiB", b / (1024.0 * 1024 * 1024));
  if (b >= 1024.0 * 1024) return fmt::format("{:.1f} MiB", b / (1024.0 * 1024));
  return fmt::format("{} bytes", bytes);
}

std::string format_shape(const std::vector<std::int64_t>& shape) {
  std::string text;
  for (const auto extent : shape) text += (text.empty() ? "" : " x ") + std::to_string(extent);
  return text.empty() ? "scalar" : text;
}

// A soft or external link whose target is missing makes every later HDF5 call on the name fail
// with a message about the library's internals (or, collectively, one per rank). Walks the
// path one link at a time and says which link points where.
void check_links(const io::File& file, const std::string& path) {
  std::string prefix;
  std::size_t begin = 1;
  while (begin <= path.size()) {
    const std::size_t end = std::min(path.find('/', begin), path.size());
    prefix = path.substr(0, end);
    begin = end + 1;
    if (H5Lexists(file.id(), prefix.c_str(), H5P_DEFAULT) <= 0) {
      throw std::invalid_argument(
          fmt::format("dataset '{}' not found in HDF5 file '{}'", shown(path), file.path().string()));
    }
    H5L_info_t info{};
    if (H5Lget_info(file.id(), prefix.c_str(), &info, H5P_DEFAULT) < 0) {
      throw std::invalid_argument(fmt::format("cannot read the link {}", in_file(file, prefix)));
    }
    if (info.type == H5L_TYPE_SOFT || info.type == H5L_TYPE_EXTERNAL) {
      if (H5Oexists_by_name(file.id(), prefix.c_str(), H5P_DEFAULT) > 0) continue;
      std::string value(info.u.val_size, '\0');
      if (H5Lget_val(file.id(), prefix.c_str(), value.data(), value.size(), H5P_DEFAULT) < 0) value.clear();
      if (info.type == H5L_TYPE_SOFT) {
        throw std::invalid_argument(fmt::format(
            "{} is a soft link to {}, which does not exist; point the link at a dataset or name the dataset itself "
            "in the configuration (data.x_train, data.y_train, data.x_test, data.y_test)",
            in_file(file, prefix), value.c_str()));
      }
      const char* target_file = "?";
      const char* target_object = "?";
      unsigned flags = 0;
      if (!value.empty()) {
        static_cast<void>(H5Lunpack_elink_val(value.data(), value.size(), &flags, &target_file, &target_object));
      }
      throw std::invalid_argument(fmt::format(
          "{} is an external link to {} in the file {}, which cannot be opened (the file is missing, or has no such "
          "dataset; a relative name is looked up next to {} and in HDF5_EXT_PREFIX); copy the data into the file "
          "or fix the link",
          in_file(file, prefix), target_object, target_file, file.path().string()));
    }
  }
}

// Filter ids registered with The HDF Group that h5py and PyTables write
// (https://portal.hdfgroup.org/documentation/hdf5-docs/registered_filter_plugins.html).
std::string filter_description(H5Z_filter_t id, const char* name) {
  switch (id) {
    case 32000: return "the LZF filter (h5py's compression='lzf')";
    case 32001: return "the Blosc filter (hdf5plugin / PyTables)";
    case 307: return "the bzip2 filter";
    case 32004: return "the LZ4 filter (hdf5plugin)";
    case 32008: return "the bitshuffle filter (hdf5plugin)";
    case 32015: return "the Zstandard filter (hdf5plugin)";
    default: return fmt::format("the filter {} ('{}')", id, name);
  }
}

void check_filters(const io::File& file, const std::string& path, hid_t dcpl) {
  const int count = H5Pget_nfilters(dcpl);
  for (int i = 0; i < count; ++i) {
    unsigned flags = 0;
    std::size_t values = 0;
    std::array<char, 256> name{};
    unsigned config = 0;
    const H5Z_filter_t id = H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &values, nullptr, name.size(),
                                           name.data(), &config);
    if (id < 0) throw std::invalid_argument(fmt::format("cannot read the filters of {}", in_file(file, path)));
    if (H5Zfilter_avail(id) > 0) continue;
    throw std::invalid_argument(fmt::format(
        "{} uses {}, which this HDF5 cannot decode; rewrite it with gzip or no compression, e.g. in Python with "
        "h5py: g.create_dataset('{}', data=f['{}'][()], compression='gzip') into a new file",
        in_file(file, path), filter_description(id, name.data()), shown(path), shown(path)));
  }
}

// Storage the file does not hold reads as fill values and is allocated in full by a reader: a
// dataset created with shape (2^31, 3) and never written is a 2 KB file claiming 48 GiB.
void check_storage(const io::File& file, const std::string& path, hid_t dataset, hid_t dcpl,
                   const std::vector<std::int64_t>& shape) {
  const std::string what = fmt::format("the shape {} of {}", format_shape(shape), in_file(file, path));
  const std::int64_t elements = [&] {
    std::int64_t n = 1;
    for (const auto extent : shape) n = checked_multiply(n, extent, what);
    return n;
  }();
  if (elements == 0) return;
  const io::DatatypeId type(io::check(H5Dget_type(dataset), "H5Dget_type", in_file(file, path)));
  const auto bytes = checked_multiply(elements, static_cast<std::int64_t>(H5Tget_size(type.get())), what);
  const auto unwritten = [&](const std::string& stored) {
    return std::invalid_argument(fmt::format(
        "{} has the shape {} ({}) but {}: its rows were never written (e.g. h5py's create_dataset with a shape and "
        "no data), and would read as fill values; write the data or name another dataset",
        in_file(file, path), format_shape(shape), readable_bytes(bytes), stored));
  };
  switch (H5Pget_layout(dcpl)) {
    case H5D_CONTIGUOUS: {
      if (H5Pget_external_count(dcpl) > 0) return;  // raw data in other files, checked by HDF5 when read
      const auto stored = static_cast<std::int64_t>(H5Dget_storage_size(dataset));
      if (stored < bytes) throw unwritten(fmt::format("only {} of it are stored in the file", readable_bytes(stored)));
      return;
    }
    case H5D_CHUNKED: {
      std::vector<hsize_t> chunk(shape.size());
      if (H5Pget_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()) < 0) return;
      std::int64_t expected = 1;
      for (std::size_t k = 0; k < shape.size(); ++k) {
        const auto c = static_cast<std::int64_t>(chunk[k]);
        expected = checked_multiply(expected, (shape[k] + c - 1) / c, what);
      }
      const io::DataspaceId space(io::check(H5Dget_space(dataset), "H5Dget_space", in_file(file, path)));
      hsize_t allocated = 0;
      io::check(H5Dget_num_chunks(dataset, space.get(), &allocated), "H5Dget_num_chunks", in_file(file, path));
      if (static_cast<std::int64_t>(allocated) < expected) {
        throw unwritten(fmt::format("only {} of its {} chunks are stored in the file", allocated, expected));
      }
      return;
    }
    default: return;  // compact: stored in the header; virtual: HDF5 resolves the sources
  }
}

}  // namespace

CheckedDataset open_checked_dataset(const io::File& file, const std::string& name) {
  io::silence_hdf5_error_printing();
  check_links(file, name);
  {
    const io::ObjectId object(io::check(H5Oopen(file.id(), name.c_str(), H5P_DEFAULT), "H5Oopen", in_file(file, name)));
    if (H5Iget_type(object.get()) != H5I_DATASET) {
      throw std::invalid_argument(fmt::format("'{}' in HDF5 file '{}' is not a dataset", shown(name),
                                              file.path().string()));
    }
  }
  CheckedDataset out;
  out.id = io::DatasetId(io::check(H5Dopen2(file.id(), name.c_str(), H5P_DEFAULT), "H5Dopen2", in_file(file, name)));
  const io::DataspaceId space(io::check(H5Dget_space(out.id.get()), "H5Dget_space", in_file(file, name)));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank < 0 || H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0) {
    throw std::invalid_argument(fmt::format("cannot read the shape of {}", in_file(file, name)));
  }
  for (const auto extent : dims) out.shape.push_back(checked_cast<std::int64_t>(extent, "an HDF5 dataset extent"));
  const io::PropertyListId dcpl(io::check(H5Dget_create_plist(out.id.get()), "H5Dget_create_plist", in_file(file, name)));
  check_filters(file, name, dcpl.get());
  check_storage(file, name, out.id.get(), dcpl.get(), out.shape);
  return out;
}

}  // namespace deepntk::data
