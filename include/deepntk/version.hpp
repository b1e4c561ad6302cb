#pragma once

namespace deepntk {

/// The release version of deepntk (from CMake's project()).
const char* version() noexcept;

/// `git describe --always --dirty` of the source tree at build time, or "unknown".
const char* git_revision() noexcept;

}  // namespace deepntk
