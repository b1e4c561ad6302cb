#pragma once
// Global and local matrix indices as distinct types: a block-cyclic code that mixes them up
// computes garbage silently, so here mixing them is a compile error. Both are 0-based.

#include <compare>
#include <cstdint>

namespace deepntk::matrix {

template <class Tag>
class Index {
 public:
  constexpr Index() = default;
  constexpr explicit Index(std::int64_t value) : value_(value) {}
  [[nodiscard]] constexpr std::int64_t value() const noexcept { return value_; }
  constexpr auto operator<=>(const Index&) const = default;

 private:
  std::int64_t value_ = 0;
};

struct GlobalTag {};
struct LocalTag {};
using GlobalIndex = Index<GlobalTag>;  // position in the whole matrix
using LocalIndex = Index<LocalTag>;    // position in one rank's local storage

}  // namespace deepntk::matrix
