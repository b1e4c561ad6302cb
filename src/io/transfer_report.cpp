#include "deepntk/io/transfer_report.hpp"

#include <utility>

#include "deepntk/io/hdf5_error.hpp"

namespace deepntk::io {

TransferReport transfer_report(hid_t dxpl) {
  TransferReport report;
  check(H5Pget_mpio_actual_io_mode(dxpl, &report.io_mode), "H5Pget_mpio_actual_io_mode", "transfer properties");
  check(H5Pget_mpio_no_collective_cause(dxpl, &report.local_no_collective_cause, &report.global_no_collective_cause),
        "H5Pget_mpio_no_collective_cause", "transfer properties");
  return report;
}

std::string TransferReport::describe() const {
  if (empty) return "nothing to transfer (empty dataset)";
  std::string text;
  switch (io_mode) {
    case H5D_MPIO_CONTIGUOUS_COLLECTIVE: text = "contiguous collective"; break;
    case H5D_MPIO_CHUNK_COLLECTIVE: text = "chunked collective"; break;
    case H5D_MPIO_CHUNK_INDEPENDENT: text = "chunked, each chunk independent"; break;
    case H5D_MPIO_CHUNK_MIXED: text = "chunked, mixed collective/independent"; break;
    default: text = "independent"; break;
  }
  static constexpr std::pair<std::uint32_t, const char*> causes[] = {
      {H5D_MPIO_SET_INDEPENDENT, "independent I/O requested"},
      {H5D_MPIO_DATATYPE_CONVERSION, "datatype conversion"},
      {H5D_MPIO_DATA_TRANSFORMS, "data transform"},
      {H5D_MPIO_MPI_OPT_TYPES_ENV_VAR_DISABLED, "MPI derived types disabled"},
      {H5D_MPIO_NOT_SIMPLE_OR_SCALAR_DATASPACES, "dataspace neither simple nor scalar"},
      {H5D_MPIO_NOT_CONTIGUOUS_OR_CHUNKED_DATASET, "dataset neither contiguous nor chunked"},
      {H5D_MPIO_PARALLEL_FILTERED_WRITES_DISABLED, "parallel filtered writes disabled"},
      {H5D_MPIO_ERROR_WHILE_CHECKING_COLLECTIVE_POSSIBLE, "error while checking collective"},
  };
  std::string why;
  for (const auto& [bit, name] : causes) {
    if (((global_no_collective_cause | local_no_collective_cause) & bit) == 0) continue;
    if (!why.empty()) why += ", ";
    why += name;
  }
  if (!why.empty()) text += " (" + why + ")";
  return text;
}

}  // namespace deepntk::io
