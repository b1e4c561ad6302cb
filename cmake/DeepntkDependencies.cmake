# Every external dependency of deepntk, found in one place.
# On Debian/Ubuntu: scripts/install-deps.sh installs all of them.
# On a cluster: load the modules (MPI, ScaLAPACK, parallel HDF5, Boost) and, where a
# library is not found on its own, point CMake at it:
#   -DDEEPNTK_SCALAPACK_LIBRARIES="/path/libscalapack.so;..."   (MKL, Cray libsci, ...)
#   -DHDF5_ROOT=/path/to/parallel/hdf5   -DCMAKE_PREFIX_PATH=/path/to/prefix

# MPI: the deprecated MPI-2 C++ bindings warn under -Wextra; deepntk uses the C API only.
set(MPI_CXX_SKIP_MPICXX ON)
find_package(MPI REQUIRED COMPONENTS C CXX)

find_package(BLAS REQUIRED)
find_package(LAPACK REQUIRED)

# ScaLAPACK (BLACS included). Debian's scalapack-config.cmake points at a non-existent
# path, so pkg-config comes first, then a plain library search, and a cache variable wins
# over both so cluster users can name MKL or libsci explicitly.
set(DEEPNTK_SCALAPACK_LIBRARIES "" CACHE STRING
    "ScaLAPACK (and BLACS) libraries to link; empty = search pkg-config, then the library path")
if(DEEPNTK_SCALAPACK_LIBRARIES)
  set(_deepntk_scalapack_libs ${DEEPNTK_SCALAPACK_LIBRARIES})
  message(STATUS "ScaLAPACK: user-provided ${_deepntk_scalapack_libs}")
else()
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_search_module(PC_SCALAPACK QUIET scalapack-openmpi scalapack-mpi scalapack)
  endif()
  if(PC_SCALAPACK_FOUND)
    set(_deepntk_scalapack_libs ${PC_SCALAPACK_LINK_LIBRARIES})
    message(STATUS "ScaLAPACK: pkg-config module ${PC_SCALAPACK_MODULE_NAME}")
  else()
    find_library(DEEPNTK_SCALAPACK_LIBRARY NAMES scalapack-openmpi scalapack-mpi scalapack
                 HINTS ENV SCALAPACK_ROOT ENV SCALAPACK_DIR PATH_SUFFIXES lib lib64)
    if(NOT DEEPNTK_SCALAPACK_LIBRARY)
      message(FATAL_ERROR
        "ScaLAPACK not found. On Debian/Ubuntu: apt-get install libscalapack-openmpi-dev. "
        "Elsewhere: load your ScaLAPACK module, set SCALAPACK_ROOT, or pass "
        "-DDEEPNTK_SCALAPACK_LIBRARIES=\"<libraries>\" (e.g. MKL's scalapack + blacs).")
    endif()
    set(_deepntk_scalapack_libs ${DEEPNTK_SCALAPACK_LIBRARY})
    message(STATUS "ScaLAPACK: ${DEEPNTK_SCALAPACK_LIBRARY}")
  endif()
endif()
add_library(deepntk_scalapack INTERFACE)
target_link_libraries(deepntk_scalapack INTERFACE ${_deepntk_scalapack_libs} LAPACK::LAPACK BLAS::BLAS MPI::MPI_C)

# Parallel HDF5, C API (the C++ API is not supported with parallel HDF5).
set(HDF5_PREFER_PARALLEL ON)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "HDF5 was found at ${HDF5_INCLUDE_DIRS} but it is not built with MPI-IO (parallel). "
    "deepntk writes one file collectively from all ranks and needs parallel HDF5. "
    "On Debian/Ubuntu: apt-get install libhdf5-openmpi-dev. On a cluster: load the "
    "parallel HDF5 module (often hdf5-parallel or phdf5) or pass -DHDF5_ROOT=<prefix>.")
endif()
add_library(deepntk_hdf5 INTERFACE)
target_include_directories(deepntk_hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS} ${HDF5_INCLUDE_DIRS})
target_compile_definitions(deepntk_hdf5 INTERFACE ${HDF5_C_DEFINITIONS} ${HDF5_DEFINITIONS})
target_link_libraries(deepntk_hdf5 INTERFACE ${HDF5_C_LIBRARIES} MPI::MPI_C)

find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(fmt REQUIRED)
