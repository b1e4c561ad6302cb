# The git revision goes into every result file, so it must be current at build time, not
# at configure time: a custom target rewrites the generated source whenever it changes.
set(DEEPNTK_REVISION_SOURCE "${CMAKE_CURRENT_BINARY_DIR}/generated/revision.cpp")
add_custom_target(deepntk_revision
  COMMAND "${CMAKE_COMMAND}" -DSOURCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}"
          -DOUTPUT="${DEEPNTK_REVISION_SOURCE}" -DVERSION="${PROJECT_VERSION}"
          -P "${CMAKE_CURRENT_SOURCE_DIR}/cmake/WriteRevision.cmake"
  BYPRODUCTS "${DEEPNTK_REVISION_SOURCE}"
  COMMENT "Recording git revision")
