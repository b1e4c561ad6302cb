#pragma once
// Owning handles for HDF5 identifiers: one template, one alias per id kind.
//
// An HDF5 id is a reference-counted resource inside the library; leaking one keeps a file
// open (and, in parallel HDF5, makes the final H5Fclose fail or hang). Each handle owns
// exactly one id, is move-only, and closes the id in its destructor. close() closes early
// and reports failure, which matters for files: closing flushes, and a full disk shows up
// there, not in the write that filled the cache.
//
// Parallel HDF5: closing a file, group, dataset or attribute is a collective operation,
// so every rank must close its handles in the same order. Handles declared in the same
// scope on all ranks (the way deepntk::io uses them) are destroyed in the same order.

#include <hdf5.h>

#include <string_view>
#include <utility>

#include "deepntk/io/hdf5_error.hpp"

namespace deepntk::io {

using Hdf5CloseFunction = herr_t (*)(hid_t);

template <Hdf5CloseFunction Close>
class Hdf5Handle {
 public:
  Hdf5Handle() noexcept = default;
  /// Takes ownership of `id`, which must be a valid id (pass the result through check()).
  explicit Hdf5Handle(hid_t id) noexcept : id_(id) {}
  ~Hdf5Handle() { reset(); }

  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  Hdf5Handle(Hdf5Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }

  [[nodiscard]] hid_t get() const noexcept { return id_; }
  [[nodiscard]] bool valid() const noexcept { return id_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  /// Closes now and throws Hdf5Error naming `call` and `object` if HDF5 reports failure.
  void close(std::string_view call, std::string_view object) {
    if (!valid()) return;
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    check(Close(id), call, object);
  }

  /// Closes, ignoring failure (destructors and error paths must not throw).
  void reset() noexcept {
    if (valid()) static_cast<void>(Close(std::exchange(id_, H5I_INVALID_HID)));
  }

  /// Gives up ownership without closing.
  [[nodiscard]] hid_t release() noexcept { return std::exchange(id_, H5I_INVALID_HID); }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using FileId = Hdf5Handle<&H5Fclose>;
using GroupId = Hdf5Handle<&H5Gclose>;
using DatasetId = Hdf5Handle<&H5Dclose>;
using DataspaceId = Hdf5Handle<&H5Sclose>;
/// Only for datatypes deepntk created or obtained (H5Tcopy, H5Dget_type, ...), never for
/// the predefined H5T_NATIVE_* / H5T_IEEE_* types, which must not be closed.
using DatatypeId = Hdf5Handle<&H5Tclose>;
using PropertyListId = Hdf5Handle<&H5Pclose>;
using AttributeId = Hdf5Handle<&H5Aclose>;
/// Any object opened by path without knowing its kind (H5Oopen): group, dataset, ...
using ObjectId = Hdf5Handle<&H5Oclose>;

}  // namespace deepntk::io
