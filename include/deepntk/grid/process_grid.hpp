#pragma once
// A BLACS process grid. Move-only: it owns a BLACS context (and the system handle behind
// it) and releases both in its destructor, so the grid lives exactly as long as its owner
// and matrices hold it through std::shared_ptr.
//
// Ranks are laid out row-major ("Row" order): rank r sits at (r / cols, r % cols). When the
// grid has fewer cells than the communicator has ranks, the extra ranks are outside the grid:
// they own no matrix entries but still take part in collective I/O.

#include <mpi.h>

#include <cstdint>
#include <optional>
#include <string>

#include "deepntk/core/checked_arithmetic.hpp"

namespace deepntk::grid {

struct GridShape {
  int rows = 1;
  int cols = 1;
  /// rows x cols in 64 bits: a configured shape such as 65536 x 65536 has more cells than an
  /// int holds, and a wrapped product would pass the "enough ranks" check. Two ints always
  /// multiply exactly in 64 bits, so the checked product never throws here.
  [[nodiscard]] std::int64_t cells() const noexcept {
    return checked_multiply<std::int64_t>(rows, cols, "process grid rows x cols");
  }
  friend bool operator==(const GridShape&, const GridShape&) = default;
};

/// The most square rows x cols = ranks with rows <= cols (2 -> 1x2, 4 -> 2x2, 6 -> 2x3, 7 -> 1x7).
[[nodiscard]] GridShape most_square_shape(int ranks);

class ProcessGrid {
 public:
  /// Builds a grid on `comm`; with no shape, the most square one for comm's size. Throws
  /// std::invalid_argument if the requested shape needs more ranks than comm has.
  explicit ProcessGrid(MPI_Comm comm, std::optional<GridShape> shape = std::nullopt);
  ~ProcessGrid();
  ProcessGrid(const ProcessGrid&) = delete;
  ProcessGrid& operator=(const ProcessGrid&) = delete;
  ProcessGrid(ProcessGrid&& other) noexcept;
  ProcessGrid& operator=(ProcessGrid&& other) noexcept;

  [[nodiscard]] int context() const noexcept { return context_; }
  [[nodiscard]] GridShape shape() const noexcept { return shape_; }
  [[nodiscard]] bool contains_me() const noexcept { return my_row_ >= 0; }
  /// This rank's grid row / column, or -1 outside the grid.
  [[nodiscard]] int my_row() const noexcept { return my_row_; }
  [[nodiscard]] int my_col() const noexcept { return my_col_; }
  [[nodiscard]] MPI_Comm communicator() const noexcept { return comm_; }
  [[nodiscard]] std::string describe() const;  // "2x2"

 private:
  void release() noexcept;

  MPI_Comm comm_ = MPI_COMM_NULL;
  int system_handle_ = -1;
  int context_ = -1;
  GridShape shape_{};
  int my_row_ = -1;
  int my_col_ = -1;
};

}  // namespace deepntk::grid
