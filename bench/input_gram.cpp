// The input Gram K0 = X X^T / d of n points (train x train, both triangles at the end) on the
// world's most square grid, three ways, interleaved per repetition so that load hits them alike:
//
//   pdsyrk       X distributed block-cyclically, PDSYRK (lower) and the mirror (PDTRAN): the
//                code before K0 was made grid independent; its sums over d split by the grid.
//   tiles        data::fill_input_gram: each local entry of the lower triangle from the
//                replicated points, a k-order sum per entry (finite::inner_products_packed),
//                and the mirror. Bit-identical on any grid and block size. deepntk's way for
//                d > data::input_gram_direct_max_dimension (512).
//   tiles_full   the same tiles for every local entry, both triangles, and no mirror: the same
//                bits; deepntk's way for d <= 512.
//   block_gemm   serial DGEMM (A^T B) per pair of local blocks on the replicated points, lower
//                blocks only, and the mirror: the same bits on any grid for one block size,
//                not across block sizes (the OpenBLAS kernel's order depends on the shapes).
//
//   mpiexec -n 2 bench_input_gram [--n 4000] [--dim 784] [--block 64] [--reps 3]
//
// CSV on stdout (rank 0): method, n, dim, block, grid, repetition or "median", seconds (the
// slowest rank's, mirror included), mirror_seconds (of those), gflops (n^2 d flops: the lower
// triangle, per wall second of the whole).

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "deepntk/data/distributed_input_kernel.hpp"
#include "deepntk/grid/process_grid.hpp"
#include "deepntk/linalg/pblas.hpp"
#include "deepntk/linalg/serial.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"
#include "deepntk/mpi/environment.hpp"

namespace {

using deepntk::matrix::DistributedMatrix;
using deepntk::matrix::GlobalIndex;
using deepntk::matrix::LocalIndex;

struct Options {
  std::int64_t n = 4000, dim = 784, block = 64;
  int reps = 3;
};

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr, "bench_input_gram: %s\nusage: bench_input_gram [--n N] [--dim D] [--block NB] [--reps R]\n",
               message);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) usage("every option takes a value");
    const std::string value = argv[++i];
    try {
      if (arg == "--n") o.n = std::stoll(value);
      else if (arg == "--dim") o.dim = std::stoll(value);
      else if (arg == "--block") o.block = std::stoll(value);
      else if (arg == "--reps") o.reps = std::stoi(value);
      else usage(("unknown option " + std::string(arg)).c_str());
    } catch (const std::logic_error&) {
      usage(("not a number: " + value).c_str());
    }
  }
  if (o.n < 1 || o.dim < 1 || o.block < 1 || o.reps < 1) usage("every value must be >= 1");
  return o;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}

void pdsyrk_way(const deepntk::data::PointSet& x, const std::shared_ptr<const deepntk::grid::ProcessGrid>& grid,
                std::int64_t block, DistributedMatrix& k0) {
  DistributedMatrix xd(grid, x.count, x.dimension, block);
  xd.fill([&](GlobalIndex i, GlobalIndex k) {
    return x.values[static_cast<std::size_t>(i.value() * x.dimension + k.value())];
  });
  deepntk::linalg::syrk(deepntk::linalg::Triangle::lower, 1.0 / static_cast<double>(x.dimension), xd, 0.0, k0);
}

void block_gemm_way(const deepntk::data::PointSet& x, std::int64_t block, DistributedMatrix& k0) {
  const std::int64_t ld = std::max<std::int64_t>(1, k0.local_rows()), d = x.dimension;
  for (std::int64_t c0 = 0; c0 < k0.local_cols(); c0 += block) {
    const std::int64_t nc = std::min(block, k0.local_cols() - c0);
    const std::int64_t j = k0.global_col(LocalIndex(c0)).value();
    for (std::int64_t r0 = 0; r0 < k0.local_rows(); r0 += block) {
      const std::int64_t nr = std::min(block, k0.local_rows() - r0);
      const std::int64_t i = k0.global_row(LocalIndex(r0)).value();
      if (i + nr - 1 < j) continue;
      double* c = k0.local().data() + r0 + c0 * ld;
      deepntk::linalg::serial::gemm_tn(nr, nc, d, x.values.data() + i * d, d, x.values.data() + j * d, d, 0.0, c, ld);
      for (std::int64_t q = 0; q < nc; ++q)
        for (std::int64_t p = 0; p < nr; ++p) c[p + q * ld] /= static_cast<double>(d);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  deepntk::mpi::Environment env(argc, argv);
  const Options opt = parse(argc, argv);
  const auto grid = std::make_shared<const deepntk::grid::ProcessGrid>(MPI_COMM_WORLD);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);

  deepntk::data::PointSet x{opt.n, opt.dim, {}};
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  x.values.resize(static_cast<std::size_t>(opt.n * opt.dim));
  for (double& v : x.values) v = normal(rng);

  const double flops = static_cast<double>(opt.n) * static_cast<double>(opt.n) * static_cast<double>(opt.dim);
  const std::string shape = std::to_string(grid->shape().rows) + "x" + std::to_string(grid->shape().cols);
  const char* methods[] = {"pdsyrk", "tiles", "block_gemm", "tiles_full"};
  constexpr int method_count = 4;
  std::vector<double> seconds[method_count], mirror[method_count];
  if (rank == 0) std::printf("method,n,dim,block,grid,repetition,seconds,mirror_seconds,gflops\n");
  for (int r = 0; r < opt.reps; ++r) {
    for (int m = 0; m < method_count; ++m) {
      DistributedMatrix k0(grid, opt.n, opt.n, opt.block);
      MPI_Barrier(MPI_COMM_WORLD);
      const auto t0 = std::chrono::steady_clock::now();
      if (m == 0) pdsyrk_way(x, grid, opt.block, k0);
      if (m == 1) deepntk::data::fill_input_gram(k0, x, x, true);
      if (m == 2) block_gemm_way(x, opt.block, k0);
      if (m == 3) deepntk::data::fill_input_gram(k0, x, x, false);
      const auto t1 = std::chrono::steady_clock::now();
      if (m != 3) deepntk::linalg::mirror_triangle(deepntk::linalg::Triangle::lower, k0);
      const auto t2 = std::chrono::steady_clock::now();
      double s[2] = {std::chrono::duration<double>(t2 - t0).count(), std::chrono::duration<double>(t2 - t1).count()};
      MPI_Allreduce(MPI_IN_PLACE, s, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
      seconds[m].push_back(s[0]);
      mirror[m].push_back(s[1]);
      if (rank == 0)
        std::printf("%s,%lld,%lld,%lld,%s,%d,%.4f,%.4f,%.2f\n", methods[m], static_cast<long long>(opt.n),
                    static_cast<long long>(opt.dim), static_cast<long long>(opt.block), shape.c_str(), r + 1, s[0],
                    s[1], flops / s[0] * 1e-9);
    }
  }
  for (int m = 0; m < method_count; ++m) {
    const double s = median(seconds[m]);
    if (rank == 0)
      std::printf("%s,%lld,%lld,%lld,%s,median,%.4f,%.4f,%.2f\n", methods[m], static_cast<long long>(opt.n),
                  static_cast<long long>(opt.dim), static_cast<long long>(opt.block), shape.c_str(), s,
                  median(mirror[m]), flops / s * 1e-9);
  }
  return 0;
}
