# Test registration. Serial unit tests run once; MPI tests run at every requested rank
# count under mpiexec, labelled RANK_<n>, each with a TIMEOUT (a rank that throws can leave
# the others waiting in a collective; the timeout turns that hang into a failure).

find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)

# Environment every MPI test runs with: root-safe, oversubscribed, single node, one BLAS
# thread per rank, and yielding ranks (4 ranks on 2 cores are >100x slower otherwise).
set(DEEPNTK_MPI_TEST_ENVIRONMENT
  OMPI_ALLOW_RUN_AS_ROOT=1
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  OMPI_MCA_rmaps_base_oversubscribe=1
  OMPI_MCA_btl=self,vader
  OMPI_MCA_mpi_yield_when_idle=1
  OPENBLAS_NUM_THREADS=1
  OMP_NUM_THREADS=1)

# deepntk_add_unit_test(<name> SOURCES ... [LIBRARIES ...] [TIMEOUT s] [LABELS ...])
function(deepntk_add_unit_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBRARIES;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE deepntk_core deepntk_unit_test_main ${T_LIBRARIES} deepntk_warnings)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "unit;${T_LABELS}"
                       ENVIRONMENT "OPENBLAS_NUM_THREADS=1;OMP_NUM_THREADS=1")
endfunction()

# deepntk_add_mpi_test(<name> SOURCES ... [RANKS 1 2 4] [LIBRARIES ...] [TIMEOUT s]
#                      [ARGS ...] [FIXTURES_SETUP f] [FIXTURES_REQUIRED f])
# Registers <name>.ranks<n> for each rank count.
function(deepntk_add_mpi_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;RANKS;LIBRARIES;ARGS;LABELS" ${ARGN})
  if(NOT T_RANKS)
    set(T_RANKS 1 2 4)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 180)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE deepntk_core deepntk_mpi_test_main ${T_LIBRARIES} deepntk_warnings)
  foreach(n IN LISTS T_RANKS)
    deepntk_register_mpi_command(${name}.ranks${n} ${n} ${T_TIMEOUT} "mpi;${T_LABELS}"
                                 $<TARGET_FILE:${name}> ${T_ARGS})
  endforeach()
endfunction()

# deepntk_register_mpi_command(<test-name> <ranks> <timeout> <labels> <command...>)
# Runs any command under mpiexec with the test environment.
function(deepntk_register_mpi_command test ranks timeout labels)
  add_test(NAME ${test}
           COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${ranks} ${MPIEXEC_PREFLAGS}
                   ${ARGN} ${MPIEXEC_POSTFLAGS})
  set_tests_properties(${test} PROPERTIES TIMEOUT ${timeout}
                       LABELS "RANK_${ranks};${labels}" PROCESSORS ${ranks}
                       ENVIRONMENT "${DEEPNTK_MPI_TEST_ENVIRONMENT}")
endfunction()
