#pragma once
// Shared by the data tests.

#include <stdexcept>
#include <string>

namespace deepntk::data_test {

/// The message of the std::invalid_argument that `step` throws, or "" when it does not throw:
/// the data layer's refusals are checked by what they say.
inline std::string failure(const auto& step) {
  try {
    step();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace deepntk::data_test
