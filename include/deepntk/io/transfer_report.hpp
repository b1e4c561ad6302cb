#pragma once
// What parallel HDF5 actually did for one H5Dwrite/H5Dread.
//
// Requesting collective I/O does not guarantee it: HDF5 silently falls back to independent
// I/O when, for example, a type conversion is needed. Independent I/O from thousands of
// ranks is what makes parallel file systems crawl, so the mode is reported (and tested).

#include <hdf5.h>

#include <cstdint>
#include <string>

namespace deepntk::io {

struct TransferReport {
  H5D_mpio_actual_io_mode_t io_mode = H5D_MPIO_NO_COLLECTIVE;
  /// Why collective I/O was not used, as H5D_mpio_no_collective_cause_t bits (0: it was).
  std::uint32_t local_no_collective_cause = 0;
  std::uint32_t global_no_collective_cause = 0;
  /// The dataset has no elements, so no transfer took place (HDF5 allocates no storage for
  /// an empty dataset and refuses to transfer to it).
  bool empty = false;

  [[nodiscard]] bool collective() const noexcept { return empty || io_mode != H5D_MPIO_NO_COLLECTIVE; }
  /// "contiguous collective", or "independent (datatype conversion)", ...
  [[nodiscard]] std::string describe() const;
};

/// Reads the report from a transfer property list after the transfer.
[[nodiscard]] TransferReport transfer_report(hid_t dxpl);

}  // namespace deepntk::io
