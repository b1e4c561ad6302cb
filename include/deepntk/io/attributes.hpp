#pragma once
// Attributes on the root group or any group or dataset: provenance (version, git revision,
// grid, configuration) and small parameters. Collective: every rank calls with the same
// arguments. Writing an attribute that exists replaces it.
//
// Strings are stored as variable-length UTF-8 (h5py returns them as str); numbers as 64-bit
// integers or IEEE doubles, scalars as HDF5 scalars and arrays as 1-D.

#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "deepntk/io/file.hpp"

namespace deepntk::io {

void write_attribute(File& file, std::string_view object, std::string_view name, std::string_view value);
void write_attribute(File& file, std::string_view object, std::string_view name, std::int64_t value);
void write_attribute(File& file, std::string_view object, std::string_view name, double value);
void write_attribute(File& file, std::string_view object, std::string_view name, std::span<const double> values);
void write_attribute(File& file, std::string_view object, std::string_view name,
                     std::span<const std::int64_t> values);

/// Any other integer (int, std::size_t, ...) is stored as int64; this overload keeps
/// write_attribute(file, "/", "ranks", 4) from being ambiguous between int64 and double.
template <std::integral Integer>
  requires(!std::same_as<Integer, std::int64_t> && !std::same_as<Integer, bool>)
void write_attribute(File& file, std::string_view object, std::string_view name, Integer value) {
  write_attribute(file, object, name, static_cast<std::int64_t>(value));
}

[[nodiscard]] bool has_attribute(const File& file, std::string_view object, std::string_view name);

/// Reads attribute `name` of `object`. T is one of std::string, std::int64_t, double,
/// std::vector<double>, std::vector<std::int64_t>. Integers read only as int64 and floats
/// only as double; a scalar reads as a one-element vector and a one-element array as a
/// scalar. Throws mpi::CollectiveError naming attribute, object and file if it is missing
/// or of another kind.
template <class T>
[[nodiscard]] T read_attribute(const File& file, std::string_view object, std::string_view name);

extern template std::string read_attribute<std::string>(const File&, std::string_view, std::string_view);
extern template std::int64_t read_attribute<std::int64_t>(const File&, std::string_view, std::string_view);
extern template double read_attribute<double>(const File&, std::string_view, std::string_view);
extern template std::vector<double> read_attribute<std::vector<double>>(const File&, std::string_view,
                                                                        std::string_view);
extern template std::vector<std::int64_t> read_attribute<std::vector<std::int64_t>>(const File&, std::string_view,
                                                                                    std::string_view);

}  // namespace deepntk::io
