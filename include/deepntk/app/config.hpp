#pragma once
// The run configuration: a plain struct with one member per configuration key, and the
// functions that fill it from TOML (file, string, `--set key=value` overrides), check it,
// and write it back as TOML.
//
// The keys, their types, defaults, allowed values and meanings are described in ONE schema
// table (src/app/config_schema.cpp, exposed by describe_keys() in config_schema.hpp). Parsing,
// validation messages, "did you mean" suggestions, to_toml() and docs/configuration.md all
// follow that table. Defaults live in the member initializers below and nowhere else.
//
// No MPI here: rank 0 parses, then broadcasts to_toml(config), and the other ranks call
// parse_config_string() on it; parse_config_string(to_toml(c)) == c exactly.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "deepntk/finite/finite_network.hpp"
#include "deepntk/kernels/network.hpp"

namespace deepntk::app {

/// Every configuration problem: one line naming the key, where it came from
/// ("file.toml:12:7", "--set"), what was given and what is allowed.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---- Enumerated values --------------------------------------------------------------------
// Each list below is the single place its values are named: adding a value (e.g. `X(idx)` to
// the data sources) is a one-line change; the enum, parsing, messages and the schema's list
// of allowed values all follow. Order = enumerator order.
#define DEEPNTK_DATA_SOURCES(X) X(sphere) X(hdf5) X(sine) X(idx) X(cifar10)
#define DEEPNTK_SUBSET_RULES(X) X(first) X(random) X(balanced)
#define DEEPNTK_PREPROCESSING_STEPS(X) X(center) X(standardize) X(bias) X(sphere)
// DEEPNTK_ARCHITECTURES and DEEPNTK_ACTIVATIONS live with the kernels that implement them
// (kernels/network.hpp); the configuration uses the kernels' enums.
#define DEEPNTK_KERNEL_KINDS(X) X(nngp) X(ntk)
#define DEEPNTK_TARGET_KINDS(X) X(none) X(values) X(onehot)
#define DEEPNTK_RIDGE_SCALES(X) X(relative) X(absolute)
#define DEEPNTK_FALLBACKS(X) X(spectral) X(jitter) X(none)
#define DEEPNTK_SPECTRUM_METHODS(X) X(all) X(values) X(top)

#define DEEPNTK_ENUMERATOR(name) name,
#define DEEPNTK_ENUM_NAME(name) std::string_view{#name},

enum class DataSource { DEEPNTK_DATA_SOURCES(DEEPNTK_ENUMERATOR) };
enum class SubsetRule { DEEPNTK_SUBSET_RULES(DEEPNTK_ENUMERATOR) };
enum class PreprocessingStep { DEEPNTK_PREPROCESSING_STEPS(DEEPNTK_ENUMERATOR) };
using Architecture = kernels::Architecture;
using Activation = kernels::Activation;
enum class KernelKind { DEEPNTK_KERNEL_KINDS(DEEPNTK_ENUMERATOR) };
enum class TargetKind { DEEPNTK_TARGET_KINDS(DEEPNTK_ENUMERATOR) };
enum class RidgeScale { DEEPNTK_RIDGE_SCALES(DEEPNTK_ENUMERATOR) };
enum class FallbackKind { DEEPNTK_FALLBACKS(DEEPNTK_ENUMERATOR) };
enum class SpectrumMethod { DEEPNTK_SPECTRUM_METHODS(DEEPNTK_ENUMERATOR) };

/// enum_names<E>::values[i] is the configuration spelling of the enumerator with value i.
template <class E>
struct enum_names;
template <>
struct enum_names<DataSource> {
  static constexpr std::array values{DEEPNTK_DATA_SOURCES(DEEPNTK_ENUM_NAME)};
};
template <>
struct enum_names<SubsetRule> {
  static constexpr std::array values{DEEPNTK_SUBSET_RULES(DEEPNTK_ENUM_NAME)};
};
template <>
struct enum_names<PreprocessingStep> {
  static constexpr std::array values{DEEPNTK_PREPROCESSING_STEPS(DEEPNTK_ENUM_NAME)};
};
template <>
struct enum_names<Architecture> {
  static constexpr std::array values{DEEPNTK_ARCHITECTURES(DEEPNTK_ENUM_NAME)};
};
template <>
struct enum_names<Activation> {
  static constexpr std::array values{DEEPNTK_ACTIVATIONS(DEEPNTK_ENUM_NAME)};
};
template <>
struct enum_names<finite::Parameterization> {
  static constexpr std::array values{DEEPNTK_PARAMETERIZATIONS(DEEPNTK_ENUM_NAME)};
};
template <>
struct enum_names<KernelKind> {
  static constexpr std::array values{DEEPNTK_KERNEL_KINDS(DEEPNTK_ENUM_NAME)};
};
template <>
struct enum_names<TargetKind> {
  static constexpr std::array values{DEEPNTK_TARGET_KINDS(DEEPNTK_ENUM_NAME)};
};
template <>
struct enum_names<RidgeScale> {
  static constexpr std::array values{DEEPNTK_RIDGE_SCALES(DEEPNTK_ENUM_NAME)};
};
template <>
struct enum_names<FallbackKind> {
  static constexpr std::array values{DEEPNTK_FALLBACKS(DEEPNTK_ENUM_NAME)};
};
template <>
struct enum_names<SpectrumMethod> {
  static constexpr std::array values{DEEPNTK_SPECTRUM_METHODS(DEEPNTK_ENUM_NAME)};
};

#undef DEEPNTK_ENUMERATOR
#undef DEEPNTK_ENUM_NAME

/// The configuration spelling of an enumerator ("sphere", "resnet", "ntk", ...).
template <class E>
  requires std::is_enum_v<E>
constexpr std::string_view to_string(E value) noexcept {
  return enum_names<E>::values[static_cast<std::size_t>(value)];
}

/// The enumerator spelled `name` exactly, if any.
template <class E>
  requires std::is_enum_v<E>
constexpr std::optional<E> enum_from_string(std::string_view name) noexcept {
  const auto& names = enum_names<E>::values;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

// ---- Residual branch scale -----------------------------------------------------------------

/// The `network.alpha` key, parsed: the kernels' residual scale (defined once, in
/// kernels/network.hpp). Rules: inverse_sqrt_depth (config "1/sqrt(L)", value 0.5), constant
/// (a number > 0, value = α), power ("L^-0.25", value = γ in α = L^(−γ)).
using BranchScale = kernels::ResidualScale;
using AlphaRule = kernels::ResidualScale::Rule;

/// "1/sqrt(L)", "L^-0.25" or "0.5": the configuration spelling of a branch scale.
[[nodiscard]] std::string to_string(const BranchScale& alpha);

// ---- The configuration ---------------------------------------------------------------------

struct DataConfig {
  /// n_train / n_test = "all": every row of a file source.
  static constexpr std::int64_t all_rows = -1;

  DataSource source = DataSource::sphere;
  /// The defaults are the generated sources'; for a file source (hdf5, idx, cifar10) a count the
  /// configuration does not set becomes all_rows when it is read (config.cpp), so a 12-row file
  /// is used whole and a 60000-row file is not cut to 1024 without a word.
  std::int64_t n_train = 1024;
  std::int64_t n_test = 256;
  std::int64_t dim = 128;
  std::uint64_t seed = 20251122;
  std::string path;  ///< input file (hdf5)
  std::string x_train = "x_train";
  std::string y_train = "y_train";
  std::string x_test = "x_test";
  std::string y_test = "y_test";
  /// values: real targets (sphere: the teacher of data/sphere.hpp; hdf5: y_train / y_test as
  /// stored, if present; sine: sin(x)); onehot: integer class labels (hdf5, idx, cifar10); none:
  /// kernels only.
  TargetKind targets = TargetKind::values;
  bool center_targets = false;  ///< onehot: 1 - 1/C and -1/C instead of 1 and 0
  /// Which rows of a file source are used (data/subset.hpp); generated data use all points.
  SubsetRule subset = SubsetRule::first;
  /// Applied in order, statistics from the train points (data/preprocessing.hpp); [] = none.
  std::vector<PreprocessingStep> preprocessing{};
  std::int64_t classes = 0;  ///< class labels 0 .. classes-1; 0 = the format's count or 1 + largest label
  double noise = 0.0;        ///< sine: standard deviation of the Gaussian noise on train targets
  std::array<double, 2> interval{-3.141592653589793, 3.141592653589793};  ///< sine: [a, b]

  bool operator==(const DataConfig&) const = default;
};

struct NetworkConfig {
  Architecture architecture = Architecture::mlp;
  Activation activation = Activation::relu;
  double sw2 = 2.0;
  double sb2 = 0.0;
  BranchScale alpha{};
  std::int64_t readout_every = 1;  ///< h: a read-out head every h layers (shortcut only)
  /// How the shortcut network's K heads make the output: c(K) Σ_k head_k, c = 1/sqrt(K), 1 or 1/K.
  finite::HeadCombination heads = finite::HeadCombination::inverse_sqrt_count;
  /// Units per hidden layer; 0 = infinite (the analytic kernels), else the Monte-Carlo kernels
  /// of random networks of this width ([montecarlo]).
  std::int64_t width = 0;
  finite::Parameterization parameterization = finite::Parameterization::ntk;  ///< finite width only

  [[nodiscard]] bool infinite_width() const noexcept { return width == 0; }

  bool operator==(const NetworkConfig&) const = default;
};

/// Finite width: each of the networks trained by gradient descent at every recorded depth.
struct TrainingConfig {
  std::int64_t steps = 0;        ///< full-batch gradient-descent steps; 0 = no training
  double learning_rate = 0.5;    ///< η of θ ← θ − η M ∇L, L = 1/(2n) Σ (F − y)²
  std::int64_t records = 11;     ///< steps at which losses and the kernel change are recorded (log-spaced)

  bool operator==(const TrainingConfig&) const = default;
};

/// Finite width: the random networks averaged at every recorded depth.
struct MonteCarloConfig {
  std::int64_t samples = 16;  ///< networks per recorded depth (>= 2: the mean has a standard error)
  std::uint64_t seed = 1;     ///< network s is drawn from (seed, s): the same on any rank count
  /// Networks s whose parameters are written into the result at every recorded depth
  /// (app/network_export.hpp), ascending, each < samples; empty: none.
  std::vector<std::int64_t> export_networks;
  /// Compare with the analytic kernels of the same network at every depth (an exact sweep of
  /// the train kernel: about as costly as a dozen networks of width 16).
  bool compare = true;

  bool operator==(const MonteCarloConfig&) const = default;
};

struct DepthConfig {
  /// Canonical schedule text for kernels::DepthSchedule::parse: either a comma-separated,
  /// strictly increasing list of depths ("1,2,5") or "log:START:STOP:COUNT", integers only,
  /// no spaces. Already validated (every depth in [1, max_depth]).
  std::string schedule = "1,2,5,10,20,50,100,200,500,1000";
  std::vector<KernelKind> kinds{KernelKind::nngp, KernelKind::ntk};

  /// The largest depth any schedule may name.
  static constexpr std::int64_t max_depth = 100'000'000;

  bool operator==(const DepthConfig&) const = default;
};

struct ParallelConfig {
  /// {rows, cols} of the BLACS process grid; {0, 0} = the most square shape for the rank count.
  std::array<std::int64_t, 2> grid{0, 0};
  /// 0 = automatic (app/block_size.hpp: 64 unless n_train is too small to give every rank a block).
  std::int64_t block_size = 0;
  /// Memory one rank may use, e.g. "4GiB"; "" = detect (SLURM, /proc/meminfo). `deepntk run`
  /// refuses a configuration whose plan does not fit (app/plan.hpp).
  std::string memory_per_rank;

  [[nodiscard]] bool automatic_grid() const noexcept { return grid[0] == 0 && grid[1] == 0; }

  bool operator==(const ParallelConfig&) const = default;
};

/// output.kernels: the recorded depths whose train and test kernel matrices are written
/// (they dominate the file: n x n per depth and kind). Diagonals, spectra, regression and
/// diagnostics are written at every depth regardless.
struct KernelDepths {
  bool every = true;                   ///< true: every recorded depth; false: only `listed`
  std::vector<std::int64_t> listed{};  ///< strictly increasing; [] with every = false: none

  [[nodiscard]] static KernelDepths all() { return {}; }
  [[nodiscard]] static KernelDepths none() { return {false, {}}; }
  [[nodiscard]] static KernelDepths only(std::vector<std::int64_t> depths) { return {false, std::move(depths)}; }

  [[nodiscard]] bool includes(std::int64_t depth) const {
    for (std::int64_t listed_depth : listed) {
      if (listed_depth == depth) return true;
    }
    return every;
  }

  bool operator==(const KernelDepths&) const = default;
};

struct OutputConfig {
  std::string path = "deepntk-result.h5";
  KernelDepths kernels{};   ///< which depths get the n x n kernel matrices
  bool eigenvalues = true;  ///< write the spectra
  bool gaps = false;        ///< write 1 - normalized NNGP per pair (accurate at great depth)

  bool operator==(const OutputConfig&) const = default;
};

struct AnalysisConfig {
  /// Ridge parameters; one Cholesky solve when there is one and no times, else one
  /// eigendecomposition for all of them (docs/analysis.md).
  std::vector<double> ridge{0.0, 1e-6, 1e-3};
  RidgeScale ridge_scale = RidgeScale::relative;
  std::vector<double> times{};  ///< gradient-flow times (true kernel units); empty: none
  FallbackKind fallback = FallbackKind::spectral;
  bool diagnostics = true;
  bool eigenvectors = false;  ///< write V (n x n) of every train kernel; forces PDSYEVD
  /// How the spectrum is computed when output.eigenvalues is on: all eigenpairs (PDSYEVD),
  /// eigenvalues only or the top_k largest eigenpairs (PDSYEVR). A full decomposition that
  /// the regression needs anyway is reused whatever this says.
  SpectrumMethod spectrum = SpectrumMethod::all;
  std::int64_t top_k = 10;

  bool operator==(const AnalysisConfig&) const = default;
};

/// When the depth sweep saves its state (docs/checkpoints.md). Signals (SIGTERM, SIGUSR1)
/// always checkpoint.
struct CheckpointConfig {
  std::int64_t every_layers = 0;  ///< layer steps between checkpoints; 0 = not by layers
  double every_seconds = 600;     ///< wall seconds between checkpoints; 0 = not by time
  std::string path;               ///< directory; "" = <output.path>.checkpoint

  bool operator==(const CheckpointConfig&) const = default;
};

struct RunConfig {
  DataConfig data;
  NetworkConfig network;
  MonteCarloConfig montecarlo;
  TrainingConfig training;
  DepthConfig depth;
  ParallelConfig parallel;
  OutputConfig output;
  AnalysisConfig analysis;
  CheckpointConfig checkpoint;

  bool operator==(const RunConfig&) const = default;
};

// ---- Reading -------------------------------------------------------------------------------

/// Parses a TOML document. Keys not given keep their defaults. `origin` names the document
/// in messages (a file name, "<broadcast>"). Fully validated.
[[nodiscard]] RunConfig parse_config_string(std::string_view document,
                                            std::string_view origin = "<string>");

/// Reads and parses a TOML file. Fully validated.
[[nodiscard]] RunConfig parse_config_file(const std::filesystem::path& file);

/// Applies one `key=value` override, e.g. "network.sw2=1.5", "depth.schedule=[1,10,100]",
/// "network.architecture=resnet". The value is TOML value syntax; text that is not valid
/// TOML is taken as a bare string. Validates the key's own value; call validate() once all
/// overrides are in (checks that involve several keys).
void apply_override(RunConfig& config, std::string_view assignment);

/// What a user should read about a configuration that is valid: one line each, starting with
/// "note: " or "warning: ", to be printed once (by rank 0).
using ConfigNotes = std::vector<std::string>;

/// Defaults, then the file (if any), then the overrides in order, then validate().
/// When an override of depth.schedule drops depths that the file's output.kernels lists (and
/// the file's own schedule records), the list follows the schedule and a note names the dropped
/// depths; a list the file itself gets wrong is still an error. Keys the configuration ignores
/// (config_applicability.hpp) get a warning. Both go to `notes` when given.
[[nodiscard]] RunConfig load_config(const std::optional<std::filesystem::path>& file,
                                    std::span<const std::string> overrides = {}, ConfigNotes* notes = nullptr);

/// Checks every key and the rules that involve several keys (e.g. data.source = "hdf5"
/// needs data.path). Throws ConfigError naming the key.
void validate(const RunConfig& config);

// ---- Writing -------------------------------------------------------------------------------

struct TomlStyle {
  bool comments = false;  ///< a comment line (meaning, allowed values) above every key
};

/// The full effective configuration, every key, in schema order. Exact round trip:
/// parse_config_string(to_toml(c)) == c for every valid c.
[[nodiscard]] std::string to_toml(const RunConfig& config, TomlStyle style = {});

}  // namespace deepntk::app
