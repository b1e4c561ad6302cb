#include "deepntk/io/attributes.hpp"

#include <stdexcept>

#include "hdf5_detail.hpp"

namespace deepntk::io {

namespace {

std::string describe_attribute(const File& file, std::string_view object, std::string_view name) {
  return "attribute '" + std::string(name) + "' of " + file.describe(object);
}

// Opens the object an attribute hangs on; a missing object fails on every rank together
// (collective metadata reads make `exists` agree).
ObjectId open_object(const File& file, std::string_view object, const std::string& what) {
  validate_object_path(object);
  if (!file.exists(object)) {
    throw mpi::CollectiveError("cannot access " + what + ": no object '" + std::string(object) + "' in HDF5 file '" +
                               file.path().string() + "'");
  }
  return ObjectId(
      check(H5Oopen(file.id(), std::string(object).c_str(), H5P_DEFAULT), "H5Oopen", file.describe(object)));
}

DatatypeId utf8_string_type(std::size_t size_or_variable) {
  DatatypeId type(check(H5Tcopy(H5T_C_S1), "H5Tcopy", "string type"));
  check(H5Tset_size(type.get(), size_or_variable), "H5Tset_size", "string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset", "string type");
  return type;
}

// Creates (replacing) attribute `name` of `object` from `count` elements of `memory_type`
// at `data`; count 0 with `scalar` stores an HDF5 scalar.
void write_raw(File& file, std::string_view object, std::string_view name, hid_t file_type, hid_t memory_type,
               bool scalar, hsize_t count, const void* data) {
  const MPI_Comm comm = file.communicator().handle();
  const std::string what = describe_attribute(file, object, name);
  const std::string name_z(name);
  ObjectId target = detail::agree(comm, [&] { return open_object(file, object, what); });
  detail::agree(comm, [&] {
    if (name.empty()) {
      throw std::invalid_argument("cannot write an attribute with an empty name on " + file.describe(object));
    }
    // Replacing keeps repeated writes (a status updated during a run) simple.
    if (check(H5Aexists(target.get(), name_z.c_str()), "H5Aexists", what) > 0) {
      check(H5Adelete(target.get(), name_z.c_str()), "H5Adelete", what);
    }
    DataspaceId space(scalar ? check(H5Screate(H5S_SCALAR), "H5Screate", what)
                             : check(H5Screate_simple(1, &count, nullptr), "H5Screate_simple", what));
    PropertyListId acpl(check(H5Pcreate(H5P_ATTRIBUTE_CREATE), "H5Pcreate", what));
    check(H5Pset_char_encoding(acpl.get(), H5T_CSET_UTF8), "H5Pset_char_encoding", what);
    AttributeId attribute(
        check(H5Acreate2(target.get(), name_z.c_str(), file_type, space.get(), acpl.get(), H5P_DEFAULT), "H5Acreate2",
              what));
    check(H5Awrite(attribute.get(), memory_type, data), "H5Awrite", what);
    attribute.close("H5Aclose", what);
    target.close("H5Oclose", file.describe(object));
  });
}

AttributeId open_attribute(const File& file, std::string_view object, std::string_view name, const std::string& what,
                           ObjectId& target) {
  target = open_object(file, object, what);
  const std::string name_z(name);
  if (check(H5Aexists(target.get(), name_z.c_str()), "H5Aexists", what) <= 0) {
    throw mpi::CollectiveError(what + " not found");
  }
  return AttributeId(check(H5Aopen(target.get(), name_z.c_str(), H5P_DEFAULT), "H5Aopen", what));
}

hsize_t attribute_elements(hid_t attribute, const std::string& what) {
  DataspaceId space(check(H5Aget_space(attribute), "H5Aget_space", what));
  return static_cast<hsize_t>(check(H5Sget_simple_extent_npoints(space.get()), "H5Sget_simple_extent_npoints", what));
}

template <class T>
std::vector<T> read_numbers(const File& file, std::string_view object, std::string_view name) {
  const std::string what = describe_attribute(file, object, name);
  ObjectId target;
  AttributeId attribute = open_attribute(file, object, name, what, target);
  constexpr bool floating = std::is_same_v<T, double>;
  {
    DatatypeId type(check(H5Aget_type(attribute.get()), "H5Aget_type", what));
    if (H5Tget_class(type.get()) != (floating ? H5T_FLOAT : H5T_INTEGER)) {
      throw mpi::CollectiveError(what + " holds " + detail::describe_type(type.get()) + " values, not " +
                                 (floating ? "floating-point" : "integer") + " ones");
    }
  }
  std::vector<T> values(attribute_elements(attribute.get(), what));
  if (!values.empty()) {
    check(H5Aread(attribute.get(), floating ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64, values.data()), "H5Aread", what);
  }
  return values;
}

template <class T>
T read_one(const File& file, std::string_view object, std::string_view name) {
  const auto values = read_numbers<T>(file, object, name);
  if (values.size() != 1) {
    throw mpi::CollectiveError(describe_attribute(file, object, name) + " holds " + std::to_string(values.size()) +
                               " values where one is expected");
  }
  return values.front();
}

}  // namespace

void write_attribute(File& file, std::string_view object, std::string_view name, std::string_view value) {
  const DatatypeId type = utf8_string_type(H5T_VARIABLE);
  const std::string text(value);
  const char* pointer = text.c_str();
  write_raw(file, object, name, type.get(), type.get(), true, 0, &pointer);
}

void write_attribute(File& file, std::string_view object, std::string_view name, std::int64_t value) {
  write_raw(file, object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, true, 0, &value);
}

void write_attribute(File& file, std::string_view object, std::string_view name, double value) {
  write_raw(file, object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, true, 0, &value);
}

void write_attribute(File& file, std::string_view object, std::string_view name, std::span<const double> values) {
  const double placeholder = 0;
  write_raw(file, object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, false, values.size(),
            values.empty() ? &placeholder : values.data());
}

void write_attribute(File& file, std::string_view object, std::string_view name,
                     std::span<const std::int64_t> values) {
  const std::int64_t placeholder = 0;
  write_raw(file, object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, false, values.size(),
            values.empty() ? &placeholder : values.data());
}

bool has_attribute(const File& file, std::string_view object, std::string_view name) {
  const std::string what = describe_attribute(file, object, name);
  ObjectId target = open_object(file, object, what);
  return check(H5Aexists(target.get(), std::string(name).c_str()), "H5Aexists", what) > 0;
}

template <class T>
T read_attribute(const File& file, std::string_view object, std::string_view name) {
  if constexpr (std::is_same_v<T, std::string>) {
    const std::string what = describe_attribute(file, object, name);
    ObjectId target;
    AttributeId attribute = open_attribute(file, object, name, what, target);
    DatatypeId type(check(H5Aget_type(attribute.get()), "H5Aget_type", what));
    if (H5Tget_class(type.get()) != H5T_STRING) {
      throw mpi::CollectiveError(what + " holds " + detail::describe_type(type.get()) + " values, not a string");
    }
    if (attribute_elements(attribute.get(), what) != 1) {
      throw mpi::CollectiveError(what + " holds several strings where one is expected");
    }
    if (check(H5Tis_variable_str(type.get()), "H5Tis_variable_str", what) > 0) {
      // HDF5 does not convert between ASCII and UTF-8 strings: read in the file's encoding.
      const DatatypeId memory = utf8_string_type(H5T_VARIABLE);
      check(H5Tset_cset(memory.get(), H5Tget_cset(type.get())), "H5Tset_cset", what);
      char* raw = nullptr;
      check(H5Aread(attribute.get(), memory.get(), &raw), "H5Aread", what);
      std::string text = raw != nullptr ? raw : "";
      H5free_memory(raw);
      return text;
    }
    // Fixed-length strings (written by other tools): cut at the first NUL, drop space padding.
    std::string text(H5Tget_size(type.get()), '\0');
    check(H5Aread(attribute.get(), type.get(), text.data()), "H5Aread", what);
    text.resize(std::min(text.size(), text.find('\0')));
    if (H5Tget_strpad(type.get()) == H5T_STR_SPACEPAD) text.erase(text.find_last_not_of(' ') + 1);
    return text;
  } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
    return read_one<T>(file, object, name);
  } else {
    return read_numbers<typename T::value_type>(file, object, name);
  }
}

template std::string read_attribute<std::string>(const File&, std::string_view, std::string_view);
template std::int64_t read_attribute<std::int64_t>(const File&, std::string_view, std::string_view);
template double read_attribute<double>(const File&, std::string_view, std::string_view);
template std::vector<double> read_attribute<std::vector<double>>(const File&, std::string_view, std::string_view);
template std::vector<std::int64_t> read_attribute<std::vector<std::int64_t>>(const File&, std::string_view,
                                                                             std::string_view);

}  // namespace deepntk::io
