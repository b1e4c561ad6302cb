#pragma once
// ScaLAPACK / LAPACK report failure through INFO. Every INFO in deepntk goes through
// check_info, which names the routine and says what the value means.

#include <stdexcept>
#include <string>

namespace deepntk::linalg {

class LinalgError : public std::runtime_error {
 public:
  LinalgError(std::string routine, int info, const std::string& message)
      : std::runtime_error(message), routine_(std::move(routine)), info_(info) {}
  [[nodiscard]] const std::string& routine() const noexcept { return routine_; }
  [[nodiscard]] int info() const noexcept { return info_; }

 private:
  std::string routine_;
  int info_;
};

/// Cholesky found a leading minor that is not positive definite.
class NotPositiveDefinite : public LinalgError {
 public:
  NotPositiveDefinite(std::string routine, int minor);
  /// Order of the first leading minor that is not positive definite (1-based).
  [[nodiscard]] int minor() const noexcept { return info(); }
};

/// Throws unless info == 0. `positive_meaning` explains INFO > 0 for this routine
/// (e.g. "the eigensolver failed to converge"); negative INFO is decoded generically
/// (-i: argument i; -(100 i + j): entry j of descriptor argument i).
void check_info(const char* routine, int info, const char* positive_meaning);

}  // namespace deepntk::linalg
