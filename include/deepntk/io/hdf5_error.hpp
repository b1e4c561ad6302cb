#pragma once
// The one place HDF5 return codes become exceptions.
//
// HDF5 reports failure through negative return values and, by default, prints its whole
// error stack to stderr from every rank. Both are useless to a user of a 4096-rank job, so
// deepntk silences the automatic printing and, on failure, throws an Hdf5Error whose message
// names the call, the object it was applied to and the innermost (most specific) entry of the
// HDF5 error stack, which is usually the one that says what actually went wrong ("File
// exists", "No space left on device", ...).

#include <hdf5.h>

#include <concepts>
#include <stdexcept>
#include <string>
#include <string_view>

namespace deepntk::io {

/// A failed HDF5 call on this rank (not necessarily on the others; see mpi/error.hpp).
class Hdf5Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Turns off HDF5's automatic error-stack printing for this thread. Idempotent; every entry
/// point of deepntk::io calls it, so users never need to.
void silence_hdf5_error_printing();

/// The innermost message of the current HDF5 error stack, or "" if the stack is empty.
/// Must run straight after the failing call: the next HDF5 API call clears the stack.
[[nodiscard]] std::string innermost_hdf5_error();

/// Returns `result` if it is >= 0; otherwise throws Hdf5Error
/// "<call> failed for <object>: <innermost HDF5 message>". `object` says what the call was
/// applied to (a path inside a file, a file name, ...). Works for hid_t, herr_t and htri_t.
template <std::signed_integral Result>
Result check(Result result, std::string_view call, std::string_view object) {
  if (result >= 0) return result;
  std::string message(call);
  message += " failed";
  if (!object.empty()) {
    message += " for ";
    message += object;
  }
  const std::string detail = innermost_hdf5_error();
  if (!detail.empty()) {
    message += ": ";
    message += detail;
  }
  throw Hdf5Error(message);
}

}  // namespace deepntk::io
