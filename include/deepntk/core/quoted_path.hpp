#pragma once
// A path as messages print it: 'like/this'. One definition for every error message that names
// a file (io and app).

#include <filesystem>
#include <string>

namespace deepntk {

/// `path` in single quotes. Built by appending: GCC 12 warns falsely (-Wrestrict) on
/// "'" + std::string + "'".
inline std::string quoted(const std::filesystem::path& path) {
  std::string text("'");
  text += path.string();
  text += '\'';
  return text;
}

}  // namespace deepntk
