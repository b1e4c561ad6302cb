// The memory and work model behind `deepntk plan` (see include/deepntk/app/plan.hpp). Every
// count below names the code it mirrors, so a change there shows where to change it here.

#include "deepntk/app/plan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <numeric>

#include <fmt/format.h>

#include "deepntk/core/checked_arithmetic.hpp"
#include "deepntk/core/counted.hpp"
#include "deepntk/app/block_size.hpp"
#include "deepntk/app/network_spec_from_config.hpp"
#include "deepntk/data/distributed_input_kernel.hpp"
#include "deepntk/finite/monte_carlo_sweep.hpp"
#include "deepntk/kernels/depth_schedule.hpp"
#include "deepntk/linalg/eigen_workspace.hpp"
#include "deepntk/matrix/block_cyclic.hpp"
#include "deepntk/matrix/lower_triangle_count.hpp"

namespace deepntk::app {
namespace {

constexpr std::int64_t bytes_per_double = 8;
constexpr std::int64_t bytes_per_int = 4;

// Every count below is a product of numbers the user controls (n_train up to 2^31 - 1, the
// block size, the grid): all of it goes through the checked helpers, so a count too large for
// 64 bits ends the plan with one message (make_plan) instead of a wrapped, fitting-looking size.
constexpr const char* memory_count = "the plan's memory count per rank";
std::int64_t mul(std::int64_t a, std::int64_t b) { return checked_multiply(a, b, memory_count); }
std::int64_t add(std::int64_t a, std::int64_t b) { return checked_add(a, b, memory_count); }

// The fix for a per-rank size too large: a smaller share per rank. More ranks only help if the
// block size gives them data (one block of n_train leaves all of it on one rank).
constexpr const char* smaller_share_fix =
    "use more ranks, each holding a smaller share (leave parallel.block_size unset, or set it small enough that "
    "every rank gets a block), or fewer points";

// Resident memory of a deepntk process right after MPI_Init, before the run allocates
// anything: Open MPI, OpenBLAS (its buffers), HDF5, libstdc++. Measured on the development
// machine (Open MPI 4.1, OpenBLAS 0.3.21, one BLAS thread): `deepntk run` on 8 points peaks at
// 31-33 MiB of ru_maxrss per rank, singleton and under mpiexec -n 2; rounded up to leave room
// for MPI stacks with more transports.
constexpr std::int64_t runtime_bytes = 40LL << 20;

// Depth-sweep throughput, pair-layer updates per CPU second on one core: the C++ medians of
// docs/performance.md (n = 1024, table "Results at n = 1024"). resnet with alpha = L^-G uses
// the 1/sqrt(L) rates (the same per-depth-pass code path); shortcut with h > 1 the h = 1 rates
// (an upper estimate: heads are then rarer).
double sweep_rate(const NetworkConfig& network) {
  const bool relu = network.activation == Activation::relu;
  switch (network.architecture) {
    case Architecture::mlp: return relu ? 8.3e7 : 1.36e7;
    case Architecture::resnet:
      if (network.alpha.rule == AlphaRule::constant) return relu ? 5.6e7 : 1.55e7;
      return relu ? 7.2e7 : 2.01e7;
    case Architecture::shortcut: return relu ? 4.9e7 : 1.15e7;
  }
  return 1e7;
}

// PDSYEVD, effective flop rate per rank for the (10/3) n^3 flops of the tridiagonal reduction
// and the back-transformation (the divide-and-conquer step in between is counted in the rate,
// not the flops). Measured here: `deepntk run` with n = 1024, depths [1, 3], one rank: 4
// eigendecompositions and the products after them in 5.3 s, about 4e9 flop/s. Two ranks on the
// loaded 2-core machine reached only ~1e9 per rank (n = 2048): communication and shared cores.
constexpr double eigen_flop_rate = 4.0e9;
// BLAS-3 work (Cholesky, PDSYMM, PDGEMM): about the single-core DGEMM rate of
// docs/performance.md (41 GFLOP/s through serial::gemm), halved for ScaLAPACK's smaller blocks
// and communication.
constexpr double blas3_flop_rate = 2.0e10;
// The Monte-Carlo kernels' accumulation (per layer two GEMMs of inner width m per tile and a
// Hadamard update): about a quarter of the DGEMM rate for m = 16 and 64 x 64 tiles (small
// products; bench/ measures it, docs/performance.md).
constexpr double gram_flop_rate = 1.0e10;

// Local extents of the rank at grid position (0, 0), the largest of the grid.
struct Local {
  std::int64_t rows = 0, cols = 0;
  [[nodiscard]] std::int64_t entries() const { return mul(rows, cols); }
};

Local local_at_origin(std::int64_t rows, std::int64_t cols, std::int64_t block, grid::GridShape grid) {
  const matrix::BlockCyclic1D r(rows, block, grid.rows), c(cols, block, grid.cols);
  return {r.local_extent(0), c.local_extent(0)};
}

// What the sizes of one rank are, and what the configuration switches on.
struct Model {
  grid::GridShape grid;
  std::int64_t block = 0;
  PlanShape shape;
  Local train, test, y_train, y_test;
  int pair_arrays = 0;       // per-pair state arrays of the sweep between layers
  bool keeps_input_gap = false;
  bool eigen = false;        // an eigendecomposition per kernel and depth
  bool quality = false;      // decomposition_quality after it
  bool basis = false;        // eigenvectors kept for the regression
  bool values_only = false;  // analysis.spectrum = "values": PDSYEVR without vectors
  bool solves = false;       // Cholesky solves (single-lambda ridge, predictor weights)
  bool solve_beside_basis = false;  // a predictor-weight solve while the basis is kept
  bool fallback_eigen = false;  // a failing solve may run another eigendecomposition
  std::int64_t eigen_work_doubles = 0;
  std::int64_t eigen_work_ints = 0;
  linalg::Workspace values_work;  // PDSYEVR without vectors, all eigenvalues
  // Finite width (network.width > 0): the Monte-Carlo producer instead of the sweep state.
  bool finite = false;
  std::int64_t batch_points = 0;     // points the rank's networks see (its rows and columns)
  std::int64_t monte_carlo_bytes = 0;  // finite::MonteCarloSweep::memory_bytes
};

// PDSYEVD's workspace at grid position (0, 0): what linalg/eigen.cpp allocates there.
void eigen_workspace(Model& m) {
  const auto w = linalg::pdsyevd_workspace(m.shape.n_train, m.block, m.train.rows, m.train.cols, m.grid.cols);
  m.eigen_work_doubles = w.doubles;
  m.eigen_work_ints = w.ints;
  m.values_work =
      linalg::pdsyevr_workspace(m.shape.n_train, m.block, m.shape.n_train, false, m.grid.rows, m.grid.cols);
}

// Points that are both a local row and a local column of the n x n train kernel at grid
// position (0, 0): the global blocks I with I = 0 mod rows and I = 0 mod cols, i.e. the
// multiples of lcm(rows, cols). Counted, not listed (O(1) in n).
std::int64_t shared_points_at_origin(std::int64_t n, std::int64_t block, grid::GridShape grid) {
  const std::int64_t blocks = (n + block - 1) / block;
  const std::int64_t period = std::lcm<std::int64_t>(grid.rows, grid.cols);
  const std::int64_t shared = (blocks + period - 1) / period;
  std::int64_t points = mul(shared, block);
  if (blocks > 0 && (blocks - 1) % period == 0) points -= blocks * block - n;  // the last block is short
  return points;
}

Model make_model(const RunConfig& config, const PlanShape& shape, grid::GridShape grid, std::size_t depth_count) {
  Model m;
  m.grid = grid;
  m.block = choose_block_size(config.parallel.block_size, shape.n_train, shape.dim, grid).size;
  m.shape = shape;
  const std::int64_t n = shape.n_train, mt = shape.n_test, d = shape.dim, k = shape.target_columns;
  m.train = local_at_origin(n, n, m.block, grid);
  m.test = local_at_origin(mt, n, m.block, grid);
  m.y_train = local_at_origin(n, k, m.block, grid);
  m.y_test = local_at_origin(mt, k, m.block, grid);

  // kernels/depth_sweep.cpp, Impl::Block: g and n always; dq for erf when points of unequal
  // K0 meet (assumed: sphere points have K0 equal only up to rounding, docs/performance.md);
  // side for erf without bias; eight head sums for shortcut; the input gaps kept for passes
  // that restart from the inputs (resnet with alpha depending on L, several depths).
  const auto& net = config.network;
  m.pair_arrays = 2;
  if (net.activation == Activation::erf) m.pair_arrays += net.sb2 == 0.0 ? 2 : 1;
  if (net.architecture == Architecture::shortcut) m.pair_arrays += 8;
  m.keeps_input_gap =
      net.architecture == Architecture::resnet && net.alpha.rule != AlphaRule::constant && depth_count > 1;

  // app/kernel_analysis.cpp, analyze().
  const auto& ac = config.analysis;
  const bool targets = k > 0;
  const bool regression = targets && mt > 0 && !(ac.ridge.empty() && ac.times.empty());
  const bool weights = ac.diagnostics && mt > 0;
  const bool weights_with_regression = weights && regression && !ac.ridge.empty();
  const bool spectrum = config.output.eigenvalues;
  m.basis = regression && (ac.ridge.size() > 1 || !ac.times.empty());
  // PDSYEVD (or PDSYEVR top-k, which still wants an n x n eigenvector array): copy, Z, workspace.
  m.eigen = m.basis || ac.eigenvectors || (spectrum && ac.spectrum != SpectrumMethod::values);
  m.values_only = !m.eigen && spectrum && ac.spectrum == SpectrumMethod::values;
  m.quality = m.eigen;
  const bool single_solve = regression && !m.basis && !ac.ridge.empty();
  const bool separate_weights = weights && !weights_with_regression;
  m.solves = single_solve || separate_weights;
  m.solve_beside_basis = separate_weights && m.basis;
  m.fallback_eigen = m.solves && ac.fallback == FallbackKind::spectral;
  eigen_workspace(m);

  // finite/monte_carlo_sweep.cpp: the batch holds the points of the rank's local rows and
  // columns of the train kernel and of its test rows (at most; shared points count once).
  m.finite = !net.infinite_width();
  if (m.finite) {
    // Shared points are counted in both rows and columns, so the difference cannot overflow.
    m.batch_points = add(add(m.train.rows, m.train.cols) - shared_points_at_origin(n, m.block, grid), m.test.rows);
    const auto schedule = kernels::DepthSchedule::parse(config.depth.schedule);
    m.monte_carlo_bytes = finite::MonteCarloSweep::memory_bytes(finite_spec_from_config(net), d, schedule.max_depth(),
                                                                m.batch_points, add(m.train.entries(), m.test.entries()));
  }
  return m;
}

std::int64_t doubles(std::int64_t count) { return mul(count, bytes_per_double); }

std::int64_t sum_bytes(const std::vector<MemoryItem>& items) {
  std::int64_t sum = 0;
  for (const auto& i : items) sum = add(sum, i.bytes);
  return sum;
}

// Held from start to end (run_pipeline.cpp): the dataset on every rank (points, targets),
// the targets distributed, per-point vectors (K0 diagonals, ids, replicated kernel
// diagonals: about eight numbers per point).
std::vector<MemoryItem> resident_items(const Model& m) {
  const std::int64_t n = m.shape.n_train, mt = m.shape.n_test;
  std::vector<MemoryItem> resident{
      {"runtime (MPI, BLAS, HDF5 libraries)", runtime_bytes},
      {"input points, replicated on every rank", doubles(mul(add(n, mt), m.shape.dim))},
  };
  if (m.shape.target_columns > 0) {
    resident.push_back({"targets, replicated and distributed",
                        doubles(add(mul(add(n, mt), m.shape.target_columns),
                                    add(m.y_train.entries(), m.y_test.entries())))});
  }
  resident.push_back({"per-point vectors (diagonals, ids)", doubles(mul(8, add(n, mt)))});
  return resident;
}

std::vector<MemoryPhase> memory_phases(const Model& m, const RunConfig& config) {
  const std::int64_t pairs = add(m.train.entries(), m.test.entries());  // local pairs, both blocks
  const std::int64_t kernel_bytes = doubles(pairs);                      // one double per local pair
  const std::vector<MemoryItem> resident = resident_items(m);

  // Alive from the input Gram to the end: InputKernels (K0 and the gaps) stays in scope.
  const MemoryItem input_kernels{"input Gram K0, train and test (distributed)", kernel_bytes};
  const MemoryItem input_gaps{"input gaps 1 - rho_0 per local pair", kernel_bytes};
  const MemoryItem pair_state =
      m.finite ? MemoryItem{fmt::format("Monte-Carlo state: per-entry sums of the networks, activations of {} points",
                                        m.batch_points),
                            m.monte_carlo_bytes}
               : MemoryItem{fmt::format("sweep state, {} arrays per pair", m.pair_arrays + (m.keeps_input_gap ? 1 : 0)),
                            mul(m.pair_arrays + (m.keeps_input_gap ? 1 : 0), kernel_bytes)};
  // The Monte-Carlo producer's output arrays are part of its state (monte_carlo_bytes).
  const MemoryItem recorded = m.finite ? MemoryItem{"(the Monte-Carlo output is counted in its state)", 0}
                                       : MemoryItem{"sweep output at a recorded depth (NNGP, NTK, gap)", mul(3, kernel_bytes)};
  const MemoryItem matrices{"kernel matrices train and test (distributed)", kernel_bytes};

  std::vector<MemoryPhase> phases;
  const auto phase = [&](std::string name, std::vector<MemoryItem> extra) {
    MemoryPhase p{std::move(name), resident};
    p.items.insert(p.items.end(), extra.begin(), extra.end());
    phases.push_back(std::move(p));
  };

  std::vector<MemoryItem> input_gram{
      {"packed point tiles of the K0 entries", doubles(mul(data::input_gram_tile_points, m.shape.dim))}};
  if (data::input_gram_mirrors(m.shape.dim)) {
    input_gram.push_back({"transposed copy for the mirror of K0 (PDTRAN)", doubles(m.train.entries())});
  }
  input_gram.push_back(input_kernels);
  input_gram.push_back(input_gaps);
  phase("input Gram", std::move(input_gram));
  std::vector<MemoryItem> setup{input_kernels, input_gaps, pair_state};
  if (!m.keeps_input_gap) setup.push_back({"sweep's copy of the input gaps (freed after set-up)", kernel_bytes});
  phase("depth sweep set-up", setup);
  phase("depth loop: sweep, kernels, HDF5 writes",
        {input_kernels, input_gaps, pair_state, recorded, matrices,
         {"HDF5 write buffer (one local matrix, row-major)", doubles(m.train.entries())}});
  if (m.finite && config.montecarlo.compare) {
    // app/finite_width_report.cpp: standard errors, spreads and two analytic references as
    // distributed matrices, and while a reference is computed, an exact sweep of the train
    // block (its state and output).
    const std::int64_t train_bytes = doubles(m.train.entries());
    phase("finite width: analytic reference at a recorded depth",
          {input_kernels, input_gaps, pair_state, recorded, matrices,
           {"standard errors, spreads, references (distributed)", add(mul(4, train_bytes), doubles(m.test.entries()))},
           {fmt::format("exact sweep of the train block, {} arrays per pair", m.pair_arrays + 3),
            mul(m.pair_arrays + 3, train_bytes)}});
  }

  // A checkpoint (app/checkpoint.cpp; every checkpoint.every_seconds, and on SIGTERM/SIGUSR1):
  // save_state() copies every per-pair array, and each is written through one distributed
  // matrix at a time (checkpoint_state.cpp) with its HDF5 buffer.
  // The Monte-Carlo state: ten per-pair arrays (finite/monte_carlo_sweep.cpp, save_state).
  const int saved_arrays = m.finite ? 10 : m.pair_arrays + (m.keeps_input_gap ? 1 : 0);
  phase("checkpoint write (between depths)",
        {input_kernels, input_gaps, pair_state, recorded, matrices,
         {fmt::format("copy of the {} state ({} arrays per pair)", m.finite ? "Monte-Carlo" : "sweep", saved_arrays),
          mul(saved_arrays, kernel_bytes)},
         {"one state array as a distributed matrix, and its HDF5 buffer", mul(2, kernel_bytes)}});

  // The analysis at one recorded depth: its most expensive step (kernel_analysis.cpp).
  const std::int64_t t = doubles(m.train.entries());
  const std::int64_t work =
      add(doubles(m.eigen_work_doubles), mul(m.eigen_work_ints, bytes_per_int));
  std::vector<MemoryItem> best;
  std::int64_t best_bytes = -1;
  std::string best_step;
  const auto consider = [&](std::string step, std::vector<MemoryItem> items) {
    const std::int64_t total = sum_bytes(items);
    if (total > best_bytes) best_bytes = total, best = std::move(items), best_step = std::move(step);
  };
  const MemoryItem copy{"matrix copy for PDSYEVD / PDPOTRF", t};
  const MemoryItem vectors{"eigenvectors Z", t};
  const MemoryItem workspace{"PDSYEVD workspace", work};
  const MemoryItem basis{"eigenvectors kept for the regression", t};
  if (m.eigen) consider("PDSYEVD", {copy, vectors, workspace});
  // PDSYEVR without vectors: the copy and a workspace of O(n nb).
  if (m.values_only) {
    consider("PDSYEVR, eigenvalues only",
             {copy, {"PDSYEVR workspace",
                     add(doubles(m.values_work.doubles), mul(m.values_work.ints, bytes_per_int))}});
  }
  if (m.quality) consider("decomposition check", {vectors, {"residual K V - V Lambda and V^T V - I", 2 * t}});
  if (config.analysis.eigenvectors) consider("eigenvector output", {vectors, {"HDF5 write buffer", t}});
  if (m.solves) {
    std::vector<MemoryItem> solve;
    if (m.solve_beside_basis) solve.push_back(basis);
    if (m.fallback_eigen) {
      solve.insert(solve.end(), {copy, vectors, workspace});
    } else {
      solve.push_back({"Cholesky factor", t});
    }
    consider(m.fallback_eigen ? "a solve falling back to PDSYEVD" : "Cholesky solve", solve);
  }
  if (!best.empty()) {
    std::vector<MemoryItem> analysis{input_kernels, input_gaps, pair_state, recorded, matrices};
    analysis.insert(analysis.end(), best.begin(), best.end());
    phase("analysis at a recorded depth (worst step: " + best_step + ")", analysis);
  }
  return phases;
}

// Pairs the sweep computes on the rank at (0, 0): the lower triangle (with the diagonal) of
// its local train block, and its whole test block. Counted, not listed: O(1) memory in n.
std::int64_t computed_pairs(const Model& m) {
  return add(matrix::lower_triangle_count_at_origin(m.shape.n_train, m.block, m.grid.rows, m.grid.cols),
             m.test.entries());
}

grid::GridShape grid_for(const RunConfig& config, int ranks) {
  if (ranks < 1) throw std::invalid_argument("plan: the number of ranks must be >= 1");
  if (config.parallel.automatic_grid()) return grid::most_square_shape(ranks);
  const grid::GridShape g{static_cast<int>(config.parallel.grid[0]), static_cast<int>(config.parallel.grid[1])};
  if (g.cells() > ranks) {
    throw ConfigError(fmt::format("parallel.grid = [{}, {}] needs {} MPI ranks, the plan is for {}; plan with "
                                  "--ranks {} or set parallel.grid = [0, 0]",
                                  g.rows, g.cols, g.cells(), ranks, g.cells()));
  }
  return g;
}

std::string describe_grid(grid::GridShape g) { return fmt::format("{}x{}", g.rows, g.cols); }

}  // namespace

std::int64_t MemoryPhase::bytes() const { return sum_bytes(items); }

std::int64_t Plan::peak_bytes() const { return peak_phase().bytes(); }

const MemoryPhase& Plan::peak_phase() const {
  if (phases.empty()) throw std::logic_error("plan without phases");
  return *std::max_element(phases.begin(), phases.end(),
                           [](const MemoryPhase& a, const MemoryPhase& b) { return a.bytes() < b.bytes(); });
}

double Plan::estimated_seconds() const {
  double s = 0;
  for (const auto& w : work) s += w.seconds;
  return s;
}

std::int64_t runtime_baseline_bytes() { return runtime_bytes; }

PlanShape plan_shape(const RunConfig& config, std::int64_t dimension) {
  PlanShape s;
  s.n_train = config.data.n_train;
  s.n_test = config.data.n_test;
  s.dim = dimension > 0 ? dimension : config.data.dim;
  // One-hot targets have a column per class (10 when the count is inferred: Fashion-MNIST,
  // CIFAR-10); values one column (real targets with several outputs are rare and small next to
  // the kernels either way).
  s.target_columns = config.data.targets == TargetKind::none     ? 0
                     : config.data.targets == TargetKind::onehot ? (config.data.classes > 0 ? config.data.classes : 10)
                                                                 : 1;
  return s;
}

namespace {
Plan plan_of(const RunConfig& config, const PlanShape& shape, int ranks) {
  const auto schedule = kernels::DepthSchedule::parse(config.depth.schedule);
  Plan plan;
  plan.ranks = ranks;
  plan.grid = grid_for(config, ranks);
  plan.shape = shape;
  plan.recorded_depths = static_cast<std::int64_t>(schedule.size());
  const Model m = make_model(config, shape, plan.grid, schedule.size());
  plan.block_size = m.block;
  plan.phases = memory_phases(m, config);
  // ScaLAPACK takes LWORK as a 32-bit integer: a larger workspace would end the run at its first
  // analysis, after the whole sweep (linalg/eigen.cpp narrows it there).
  constexpr std::int64_t lwork_max = std::numeric_limits<int>::max();
  const bool pdsyevd_too_large = (m.eigen || m.fallback_eigen) && m.eigen_work_doubles > lwork_max;
  const bool pdsyevr_too_large = m.values_only && m.values_work.doubles > lwork_max;
  if (pdsyevd_too_large || pdsyevr_too_large) {
    plan.integer_limit = fmt::format(
        "{}'s workspace on the busiest rank is {} doubles for n_train = {} on {}, more than ScaLAPACK's "
        "32-bit LWORK allows ({}): the run would fail at its first analysis; {}, or turn off the analyses that "
        "need it (the analysis phase of `deepntk plan` names the step)",
        pdsyevd_too_large ? "PDSYEVD" : "PDSYEVR", pdsyevd_too_large ? m.eigen_work_doubles : m.values_work.doubles,
        shape.n_train, counted(ranks, "rank"), lwork_max, smaller_share_fix);
  }

  // Work on the busiest rank. Layer steps: kernels/depth_sweep.cpp (work_total).
  const bool per_depth_passes =
      config.network.architecture == Architecture::resnet && config.network.alpha.rule != AlphaRule::constant;
  plan.layer_steps = 0;
  if (!config.network.infinite_width()) {
    plan.networks_per_depth = config.montecarlo.samples;
    plan.width = config.network.width;
    // finite/monte_carlo_sweep.cpp (work_total): every network layer of every depth.
    for (auto d : schedule.depths()) plan.layer_steps += d * config.montecarlo.samples;
  } else if (per_depth_passes) {
    for (auto d : schedule.depths()) plan.layer_steps += d;
  } else {
    plan.layer_steps = schedule.max_depth();
  }
  const double updates = static_cast<double>(computed_pairs(m)) * static_cast<double>(plan.layer_steps);
  if (m.finite) {
    // Per network layer and pair: two GEMM inner products of width m and a Hadamard update
    // (4 m + 4 flops, finite/gradient_gram.cpp); per point: forward and backward, 4 m^2.
    // Every recorded depth runs its own networks: samples x (sum of depths) network layers.
    double network_layers = 0;
    for (auto depth : schedule.depths()) network_layers += static_cast<double>(depth);
    network_layers *= static_cast<double>(config.montecarlo.samples);
    const double width = static_cast<double>(config.network.width);
    const double flops = network_layers * (static_cast<double>(computed_pairs(m)) * (4 * width + 4) +
                                           static_cast<double>(m.batch_points) * 4 * width * width);
    plan.work.push_back({"Monte-Carlo kernels (networks' gradient Grams)", flops, "flop", flops / gram_flop_rate});
    if (config.montecarlo.compare) {
      double reference_steps = 0;
      for (auto depth : schedule.depths()) reference_steps += static_cast<double>(depth);
      const double reference = static_cast<double>(m.train.entries()) * reference_steps;
      plan.work.push_back(
          {"analytic references", reference, "pair-layer updates", reference / sweep_rate(config.network)});
    }
  } else {
    plan.work.push_back({"depth sweep", updates, "pair-layer updates", updates / sweep_rate(config.network)});
  }

  const double n = static_cast<double>(shape.n_train), mt = static_cast<double>(shape.n_test);
  const double k = static_cast<double>(std::max<std::int64_t>(shape.target_columns, 1));
  const double analyses = static_cast<double>(config.depth.kinds.size()) * static_cast<double>(plan.recorded_depths);
  const double cells = static_cast<double>(plan.grid.cells());
  if (m.eigen || m.values_only) {
    // Without vectors only the reduction, (4/3) n^3, remains.
    const double flops = analyses * (m.eigen ? 10.0 / 3.0 : 4.0 / 3.0) * n * n * n / cells;
    plan.work.push_back({m.eigen ? "eigendecompositions (PDSYEVD)" : "eigenvalues (PDSYEVR)", flops, "flop",
                         flops / eigen_flop_rate});
  }
  double blas3 = 0;
  if (m.quality) blas3 += 4 * n * n * n;  // PDSYMM and PDGEMM with n x n eigenvectors
  if (m.solves) blas3 += n * n * n / 3 + 2 * n * n * k + 2 * mt * n * k;  // PDPOTRF, solve, Kt alpha
  if (m.basis) {
    const double lambdas = static_cast<double>(config.analysis.ridge.size() + config.analysis.times.size());
    blas3 += 2 * n * n * k + lambdas * (2 * n * n * k + 2 * mt * n * k);  // V^T Y, V z, Kt alpha per lambda
  }
  if (blas3 > 0) {
    const double flops = analyses * blas3 / cells;
    plan.work.push_back({"solves and products (PDPOTRF, PDSYMM, PDGEMM)", flops, "flop", flops / blas3_flop_rate});
  }
  return plan;
}
}  // namespace

Plan make_plan(const RunConfig& config, const PlanShape& shape, int ranks) {
  try {
    return plan_of(config, shape, ranks);
  } catch (const SizeOverflow& e) {
    // The same exception type, so the run's plan check refuses it too, with the sizes and the fix.
    throw SizeOverflow(
        fmt::format("{}, for n_train = {} on {}; {}", e.what(), shape.n_train, counted(ranks, "rank"), smaller_share_fix));
  }
}

namespace {
Model model_for(const RunConfig& config, const PlanShape& shape, int ranks) {
  const auto schedule = kernels::DepthSchedule::parse(config.depth.schedule);
  return make_model(config, shape, grid_for(config, ranks), schedule.size());
}
}  // namespace

std::int64_t peak_bytes_per_rank(const RunConfig& config, const PlanShape& shape, int ranks) {
  const Model m = model_for(config, shape, ranks);
  std::int64_t peak = 0;
  for (const auto& p : memory_phases(m, config)) peak = std::max(peak, p.bytes());
  return peak;
}

std::optional<std::string> refusal(const RunConfig& config, const Plan& plan, const AvailableMemory& available) {
  if (plan.integer_limit) return plan.integer_limit;
  if (!available.bytes_per_rank) return std::nullopt;
  const std::int64_t limit = *available.bytes_per_rank;
  const std::int64_t peak = plan.peak_bytes();
  if (peak <= limit) return std::nullopt;
  const std::string head =
      fmt::format("the run needs about {} per rank on {} ({} grid) but {} per rank is available ({})",
                  format_bytes(peak), counted(plan.ranks, "rank"), describe_grid(plan.grid),
                  format_bytes(limit), available.source);

  // More ranks at the same memory per rank (e.g. on more nodes), with the automatic grid.
  RunConfig automatic = config;
  automatic.parallel.grid = {0, 0};
  constexpr int most_ranks = 1 << 20;
  int ranks = plan.ranks + 1;
  const auto fits = [&](int r) {
    try {
      return peak_bytes_per_rank(automatic, plan.shape, r) <= limit;
    } catch (const SizeOverflow&) {
      return false;  // its counts exceed the integers the run uses: it cannot run there either
    }
  };
  while (ranks <= most_ranks) {
    if (fits(ranks)) {
      return fmt::format("{}; it would fit on {} ranks ({} grid, about {} per rank): run it with mpiexec -n {} "
                         "(see `deepntk plan --ranks {}`), or set parallel.memory_per_rank if more memory is available",
                         head, ranks, describe_grid(grid::most_square_shape(ranks)),
                         format_bytes(peak_bytes_per_rank(automatic, plan.shape, ranks)), ranks, ranks);
    }
    ranks = ranks < 65536 ? ranks + 1 : ranks * 2;
  }
  // Only what every rank holds in full makes a run impossible on any number of ranks; for the
  // largest n_train the distributed part still does not fit on the most ranks searched.
  const std::int64_t replicated = sum_bytes(resident_items(model_for(automatic, plan.shape, most_ranks)));
  if (replicated > limit) {
    return fmt::format("{}; it cannot fit on any number of ranks: what every rank holds in full (runtime, replicated "
                       "points and targets) already needs about {}; use fewer points or a machine with more memory "
                       "per rank",
                       head, format_bytes(replicated));
  }
  return fmt::format("{}; it does not fit even on {} ranks (about {} per rank there); use fewer points or a machine "
                     "with more memory per rank",
                     head, most_ranks, format_bytes(peak_bytes_per_rank(automatic, plan.shape, most_ranks)));
}

std::string format_bytes(std::int64_t bytes) { return format_bytes(static_cast<double>(bytes)); }

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  double value = bytes;
  int unit = 0;
  while (std::fabs(value) >= 1024.0 && unit < 8) value /= 1024.0, ++unit;
  if (unit == 0) return fmt::format("{:.0f} B", bytes);
  return fmt::format("{:.{}f} {}", value, value < 10 ? 2 : value < 100 ? 1 : 0, units[unit]);
}

namespace {
std::string format_duration(double seconds) {
  if (seconds < 1) return "< 1 s";
  if (seconds < 120) return fmt::format("{:.0f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.1f} min", seconds / 60);
  if (seconds < 3 * 86400) return fmt::format("{:.1f} h", seconds / 3600);
  return fmt::format("{:.1f} days", seconds / 86400);
}
}  // namespace

std::string format_plan(const Plan& plan, const AvailableMemory& available) {
  const auto& s = plan.shape;
  std::string out = fmt::format(
      "deepntk plan: {} train + {} test points of dimension {}, {} ({})\n"
      "  {} on a {} grid, block size {}; per-rank figures are for grid position (0, 0), which holds "
      "the most\n\n",
      s.n_train, s.n_test, s.dim, counted(plan.recorded_depths, "recorded depth"),
      plan.networks_per_depth > 0 ? fmt::format("{} networks of width {} each, {} in all", plan.networks_per_depth,
                                                plan.width, counted(plan.layer_steps, "network layer"))
                                  : counted(plan.layer_steps, "layer step"),
      counted(plan.ranks, "rank"), describe_grid(plan.grid), plan.block_size);

  out += "Memory per rank (an estimate of what is alive at the worst moment of each phase)\n";
  // Items every phase holds (runtime, replicated data) are shown once, above the phases.
  const auto in_every_phase = [&](const MemoryItem& item) {
    return std::all_of(plan.phases.begin(), plan.phases.end(), [&](const MemoryPhase& p) {
      return std::any_of(p.items.begin(), p.items.end(),
                         [&](const MemoryItem& i) { return i.what == item.what && i.bytes == item.bytes; });
    });
  };
  std::int64_t common = 0;
  out += "  held throughout\n";
  for (const auto& item : plan.phases.front().items) {
    if (!in_every_phase(item)) continue;
    common += item.bytes;
    out += fmt::format("      {:<58} {:>10}\n", item.what, format_bytes(item.bytes));
  }
  const MemoryPhase& peak = plan.peak_phase();
  for (const auto& phase : plan.phases) {
    out += fmt::format("  {:<62} {:>10}{}\n", phase.name, format_bytes(phase.bytes()),
                       &phase == &peak ? "  <- peak" : "");
    out += fmt::format("      {:<58} {:>10}\n", "held throughout (above)", format_bytes(common));
    for (const auto& item : phase.items) {
      if (!in_every_phase(item)) out += fmt::format("      {:<58} {:>10}\n", item.what, format_bytes(item.bytes));
    }
  }
  out += fmt::format("  peak {} per rank, in: {}; {} in all ranks\n", format_bytes(plan.peak_bytes()), peak.name,
                     format_bytes(static_cast<double>(plan.peak_bytes()) * plan.ranks));  // may exceed 64 bits
  if (available.bytes_per_rank) {
    const bool fits = plan.peak_bytes() <= *available.bytes_per_rank;
    out += fmt::format("  available {} per rank ({}): {}\n", format_bytes(*available.bytes_per_rank), available.source,
                       fits ? "fits" : "DOES NOT FIT");
  } else {
    out += fmt::format("  available memory per rank unknown ({}); set parallel.memory_per_rank\n", available.source);
  }

  out += "\nWork (an estimate for one idle core per rank, from rates measured on the development machine,\n"
         "docs/performance.md; real times vary with the machine and its load)\n";
  for (const auto& w : plan.work) {
    out += fmt::format("  {:<48} {:>10.3g} {:<20} {:>10}\n", w.what, w.amount, w.unit, format_duration(w.seconds));
  }
  out += fmt::format("  estimated total {}\n", format_duration(plan.estimated_seconds()));
  return out;
}

}  // namespace deepntk::app
