#pragma once
// The `deepntk` command line, parsed into a plain struct. Nothing here prints or exits:
// --help, --version and usage errors arrive as a CommandLineExit the caller reports.
//
//   deepntk run [CONFIG.toml] [--set key=value ...] [--output PATH] [--force] [--verbose|--quiet]
//   deepntk plan [CONFIG.toml] [--set key=value ...] [--ranks N]
//   deepntk info RESULT.h5
//   deepntk --version
//   deepntk --help            (deepntk run --help for the run options)

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "deepntk/app/config.hpp"

namespace deepntk::app {

enum class Subcommand {
  run,
  plan,  ///< memory per rank and estimated work, before anything is allocated (app/plan.hpp)
  info,  ///< a readable summary of a result file (app/info.hpp)
};

struct ParsedCommand {
  Subcommand subcommand = Subcommand::run;
  std::optional<std::string> config_path;  ///< the positional CONFIG.toml, if given
  std::vector<std::string> overrides;      ///< every --set, "key=value", in command-line order
  std::optional<std::string> output_path;  ///< --output PATH
  bool force = false;                      ///< --force: overwrite an existing result file
  bool fresh = false;                      ///< --fresh: discard a checkpoint, start from layer 0
  bool verbose = false;                    ///< --verbose: print the effective configuration, more detail
  bool quiet = false;                      ///< --quiet: errors only (excludes --verbose)
  std::optional<int> plan_ranks;           ///< plan --ranks N: plan for N ranks (default: the ranks running)
  std::string result_path;                 ///< info RESULT.h5
};

/// Parsing stopped without a command to run: --help, --version, or a usage error.
/// Print output() to stdout when exit_code() == 0, else to stderr; then return exit_code()
/// (0 for --help/--version, 1 for a usage error).
class CommandLineExit : public std::exception {
 public:
  CommandLineExit(int exit_code, std::string output)
      : exit_code_(exit_code), output_(std::move(output)) {}

  [[nodiscard]] int exit_code() const noexcept { return exit_code_; }
  [[nodiscard]] const std::string& output() const noexcept { return output_; }
  [[nodiscard]] bool is_error() const noexcept { return exit_code_ != 0; }
  [[nodiscard]] const char* what() const noexcept override { return output_.c_str(); }

 private:
  int exit_code_;
  std::string output_;
};

/// Parses argv (argv[0] is the program name). Throws CommandLineExit for --help, --version
/// and usage errors; never prints, never exits. Does not touch the file system.
[[nodiscard]] ParsedCommand parse_command_line(int argc, const char* const* argv);

/// The text `deepntk --version` prints: version and git revision.
[[nodiscard]] std::string version_text();

/// The configuration a parsed `run` asks for: defaults, then CONFIG.toml if given, then every
/// --set in order, then --output; validated. Throws ConfigError. Notes and warnings about it
/// (load_config) go to `notes` when given.
[[nodiscard]] RunConfig resolve_config(const ParsedCommand& command, ConfigNotes* notes = nullptr);

/// Prints each note as one line "deepntk: NOTE" on stderr (call on rank 0 only). Also with
/// --quiet: a note says that the run does something other than what was written.
void print_config_notes(const ConfigNotes& notes);

}  // namespace deepntk::app
