// Boost.Test main for MPI tests: owns MPI for the whole run, keeps the summary report to
// rank 0 (every rank still prints its own failures, prefixed by its rank), and turns the
// per-rank result into one exit code per rank so mpiexec fails if any rank failed.
#define BOOST_TEST_NO_MAIN
#define BOOST_TEST_ALTERNATIVE_INIT_API
#include <boost/test/results_reporter.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/test/unit_test_log.hpp>

#include <fstream>
#include <iostream>

#include "deepntk/mpi/environment.hpp"

namespace {
std::ofstream null_stream;  // unopened: discards everything written to it

bool init_unit_test() {
  boost::unit_test::framework::master_test_suite().p_name.value = "deepntk MPI tests";
  return true;
}
}  // namespace

int main(int argc, char* argv[]) {
  deepntk::mpi::Environment environment(argc, argv);
  const int rank = deepntk::mpi::Environment::world_rank();
  if (rank != 0) boost::unit_test::results_reporter::set_stream(null_stream);
  std::cout << std::unitbuf;
  return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
