#pragma once
// The deepntk binary spawned as a user runs it (under mpiexec, or alone), for the command-line
// tests. The including test target defines DEEPNTK_EXECUTABLE, DEEPNTK_MPIEXEC and
// DEEPNTK_SCRATCH (its own scratch directory).

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace deepntk::cli_test {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A path in the test's scratch directory, which is created here (on a new build it does not
/// exist yet).
inline std::filesystem::path scratch(const std::string& name) {
  const std::filesystem::path path = std::filesystem::path(DEEPNTK_SCRATCH) / name;
  std::filesystem::create_directories(path.parent_path());
  return path;
}

/// A path in the scratch directory with nothing there: no file an earlier run of the test left,
/// nor its checkpoint directory (<path>.checkpoint, the default).
inline std::string fresh_output(const std::string& name) {
  const std::filesystem::path path = scratch(name);
  std::filesystem::remove(path);
  std::filesystem::remove_all(path.string() + ".checkpoint");
  return path.string();
}

/// Runs `deepntk ARGUMENTS` on `ranks` ranks under mpiexec; ranks = 0: the binary alone (a
/// singleton MPI process, as a user runs plan and info).
inline Outcome run_deepntk(int ranks, const std::string& arguments) {
  const auto out = scratch("stdout.txt"), err = scratch("stderr.txt");
  const std::string launcher = ranks > 0 ? std::string(DEEPNTK_MPIEXEC) + " -n " + std::to_string(ranks) + " " : "";
  const std::string command =
      launcher + DEEPNTK_EXECUTABLE + " " + arguments + " > " + out.string() + " 2> " + err.string();
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

/// How often `what` occurs in `text` (e.g. error lines: exactly one is the contract).
inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace deepntk::cli_test
