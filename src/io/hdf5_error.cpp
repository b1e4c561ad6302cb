#include "deepntk/io/hdf5_error.hpp"

#include <mutex>

namespace deepntk::io {

void silence_hdf5_error_printing() {
  // HDF5 keeps the automatic-print setting per error stack (per thread in thread-safe
  // builds); deepntk calls HDF5 from the main thread only, so once per process is enough.
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

namespace {

struct Innermost {
  bool found = false;
  hid_t minor = H5I_INVALID_HID;
  std::string description;
  std::string function;
};

// Walking upward visits the most specific entry (where the error was detected) first.
herr_t take_first(unsigned /*index*/, const H5E_error2_t* entry, void* data) {
  auto* out = static_cast<Innermost*>(data);
  if (out->found) return 0;
  out->found = true;
  out->minor = entry->min_num;
  if (entry->desc != nullptr) out->description = entry->desc;
  if (entry->func_name != nullptr) out->function = entry->func_name;
  return 0;
}

std::string message_text(hid_t message_id) {
  if (message_id < 0) return {};
  H5E_type_t type{};
  const ssize_t length = H5Eget_msg(message_id, &type, nullptr, 0);
  if (length <= 0) return {};
  std::string text(static_cast<std::size_t>(length) + 1, '\0');
  H5Eget_msg(message_id, &type, text.data(), text.size());
  text.resize(static_cast<std::size_t>(length));
  return text;
}

}  // namespace

std::string innermost_hdf5_error() {
  Innermost innermost;
  // H5E functions do not clear the error stack, so walking it here sees the failed call's.
  if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, &take_first, &innermost) < 0 || !innermost.found) return {};
  std::string text = innermost.description;
  const std::string minor = message_text(innermost.minor);
  if (!minor.empty()) text += (text.empty() ? "" : " (") + minor + (text.empty() ? "" : ")");
  if (!innermost.function.empty()) text += " [in " + innermost.function + "]";
  H5Eclear2(H5E_DEFAULT);
  return text;
}

}  // namespace deepntk::io
