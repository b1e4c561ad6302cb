#include "deepntk/grid/process_grid.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "deepntk/linalg/scalapack_api.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::grid {

GridShape most_square_shape(int ranks) {
  if (ranks < 1) throw std::invalid_argument("a process grid needs at least one rank");
  int rows = static_cast<int>(std::sqrt(static_cast<double>(ranks)));
  while (rows > 1 && ranks % rows != 0) --rows;
  return {rows, ranks / rows};
}

ProcessGrid::ProcessGrid(MPI_Comm comm, std::optional<GridShape> shape) : comm_(comm) {
  int size = 0;
  int rank = 0;
  mpi::check(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  mpi::check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  shape_ = shape.value_or(most_square_shape(size));
  if (shape_.rows < 1 || shape_.cols < 1) {
    throw std::invalid_argument("process grid " + describe() + " is invalid: rows and columns must be >= 1");
  }
  if (shape_.cells() > size) {
    throw std::invalid_argument("process grid " + describe() + " needs " + std::to_string(shape_.cells()) +
                                " MPI ranks but the run has " + std::to_string(size) +
                                "; start more ranks or set parallel.grid = [0, 0] for automatic");
  }
  system_handle_ = Csys2blacs_handle(comm);
  context_ = system_handle_;
  Cblacs_gridinit(&context_, "Row", shape_.rows, shape_.cols);
  if (rank < shape_.cells()) {
    int rows = 0;
    int cols = 0;
    Cblacs_gridinfo(context_, &rows, &cols, &my_row_, &my_col_);
    if (rows != shape_.rows || cols != shape_.cols || my_row_ != rank / shape_.cols || my_col_ != rank % shape_.cols) {
      throw std::runtime_error("BLACS built a grid different from the requested " + describe());
    }
  } else {
    // BLACS gives ranks outside the grid an invalid context (-1).
    context_ = -1;
    my_row_ = my_col_ = -1;
  }
}

ProcessGrid::~ProcessGrid() { release(); }

ProcessGrid::ProcessGrid(ProcessGrid&& other) noexcept
    : comm_(std::exchange(other.comm_, MPI_COMM_NULL)),
      system_handle_(std::exchange(other.system_handle_, -1)),
      context_(std::exchange(other.context_, -1)),
      shape_(other.shape_),
      my_row_(std::exchange(other.my_row_, -1)),
      my_col_(std::exchange(other.my_col_, -1)) {}

ProcessGrid& ProcessGrid::operator=(ProcessGrid&& other) noexcept {
  if (this != &other) {
    release();
    comm_ = std::exchange(other.comm_, MPI_COMM_NULL);
    system_handle_ = std::exchange(other.system_handle_, -1);
    context_ = std::exchange(other.context_, -1);
    shape_ = other.shape_;
    my_row_ = std::exchange(other.my_row_, -1);
    my_col_ = std::exchange(other.my_col_, -1);
  }
  return *this;
}

void ProcessGrid::release() noexcept {
  if (context_ >= 0) Cblacs_gridexit(context_);
  if (system_handle_ >= 0) Cfree_blacs_system_handle(system_handle_);
  context_ = -1;
  system_handle_ = -1;
}

std::string ProcessGrid::describe() const {
  return std::to_string(shape_.rows) + "x" + std::to_string(shape_.cols);
}

}  // namespace deepntk::grid
