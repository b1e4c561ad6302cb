# Fuzz builds: -DDEEPNTK_FUZZ=ON (clang only) builds the libFuzzer targets of tests/fuzz/
# (scripts/run-fuzz.sh configures such a tree, builds the targets and runs each for a time
# budget). The whole library is instrumented for coverage (fuzzer-no-link) and, through
# DeepntkSanitizers.cmake, for ASan + UBSan, so a memory error or undefined behaviour on a
# fuzzed input is a crash libFuzzer saves, not a silent wrong result.
option(DEEPNTK_FUZZ "Build the libFuzzer targets in tests/fuzz (needs clang)" OFF)
set(DEEPNTK_FUZZ_SECONDS 60 CACHE STRING "Time budget of each fuzz.<target> ctest test, in seconds")

if(DEEPNTK_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DEEPNTK_FUZZ=ON needs clang (libFuzzer is part of clang; on Debian: "
                        "apt-get install clang libclang-rt-dev), e.g. "
                        "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++; this is ${CMAKE_CXX_COMPILER_ID}")
  endif()
  if(NOT DEEPNTK_SANITIZE)
    set(DEEPNTK_SANITIZE "address,undefined" CACHE STRING "" FORCE)
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
