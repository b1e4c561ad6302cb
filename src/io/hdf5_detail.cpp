#include "hdf5_detail.hpp"

#include <stdexcept>

namespace deepntk::io::detail {

PropertyListId intermediate_groups_lcpl() {
  PropertyListId lcpl(check(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate", "link creation properties"));
  check(H5Pset_create_intermediate_group(lcpl.get(), 1), "H5Pset_create_intermediate_group", "");
  check(H5Pset_char_encoding(lcpl.get(), H5T_CSET_UTF8), "H5Pset_char_encoding", "");
  return lcpl;
}

PropertyListId collective_transfer() {
  PropertyListId dxpl(check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate", "dataset transfer properties"));
  check(H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", "");
  return dxpl;
}

PropertyListId no_fill_dcpl() {
  PropertyListId dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", "dataset creation properties"));
  check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time", "");
  // Every element is written right after creation; filling first would write it all twice.
  check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time", "");
  return dcpl;
}

std::vector<hsize_t> dataset_dims(hid_t dataset, std::string_view what) {
  DataspaceId space(check(H5Dget_space(dataset), "H5Dget_space", what));
  const int rank = check(H5Sget_simple_extent_ndims(space.get()), "H5Sget_simple_extent_ndims", what);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "H5Sget_simple_extent_dims", what);
  return dims;
}

std::string format_dims(const std::vector<hsize_t>& dims) {
  if (dims.empty()) return "scalar";
  std::string text;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) text += " x ";
    text += std::to_string(dims[i]);
  }
  return text;
}

std::string describe_type(hid_t type) {
  const H5T_class_t type_class = H5Tget_class(type);
  const std::size_t bits = 8 * H5Tget_size(type);
  switch (type_class) {
    case H5T_INTEGER:
      return std::to_string(bits) + "-bit " + (H5Tget_sign(type) == H5T_SGN_NONE ? "unsigned " : "") + "integer";
    case H5T_FLOAT: return std::to_string(bits) + "-bit float";
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    case H5T_ARRAY: return "array";
    case H5T_VLEN: return "variable-length sequence";
    case H5T_BITFIELD: return "bitfield";
    case H5T_OPAQUE: return "opaque";
    case H5T_REFERENCE: return "reference";
    default: return "unknown type";
  }
}

DataspaceId linear_memory_space(hsize_t count) {
  const hsize_t extent = count > 0 ? count : 1;
  DataspaceId space(check(H5Screate_simple(1, &extent, nullptr), "H5Screate_simple", "memory dataspace"));
  if (count == 0) check(H5Sselect_none(space.get()), "H5Sselect_none", "memory dataspace");
  return space;
}

hsize_t element_count(const std::vector<std::int64_t>& shape) {
  hsize_t count = 1;
  for (const std::int64_t extent : shape) {
    if (extent < 0) throw std::invalid_argument("array extents must be >= 0, got " + std::to_string(extent));
    count *= static_cast<hsize_t>(extent);
  }
  return count;
}

}  // namespace deepntk::io::detail
