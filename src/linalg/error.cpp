#include "deepntk/linalg/error.hpp"

#include <string>

namespace deepntk::linalg {

NotPositiveDefinite::NotPositiveDefinite(std::string routine, int minor)
    : LinalgError(routine, minor,
                  routine + ": the leading minor of order " + std::to_string(minor) +
                      " is not positive definite (INFO = " + std::to_string(minor) + ")") {}

void check_info(const char* routine, int info, const char* positive_meaning) {
  if (info == 0) return;
  std::string message = std::string(routine) + " failed with INFO = " + std::to_string(info) + ": ";
  if (info < 0) {
    const int code = -info;
    if (code >= 100) {
      message += "entry " + std::to_string(code % 100) + " of descriptor argument " + std::to_string(code / 100) +
                 " is illegal (a bug in deepntk: please report it)";
    } else {
      message += "argument " + std::to_string(code) + " is illegal (a bug in deepntk: please report it)";
    }
  } else {
    message += positive_meaning;
  }
  throw LinalgError(routine, info, message);
}

}  // namespace deepntk::linalg
