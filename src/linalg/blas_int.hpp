#pragma once
// Narrowing to the 32-bit integers of the BLAS/ScaLAPACK interfaces, checked.

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace deepntk::linalg::detail {

inline int blas_int(std::int64_t value) {
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    throw std::overflow_error("value " + std::to_string(value) + " does not fit the 32-bit BLAS/ScaLAPACK integer");
  }
  return static_cast<int>(value);
}

}  // namespace deepntk::linalg::detail
