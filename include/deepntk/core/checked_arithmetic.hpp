#pragma once
// Overflow-checked size arithmetic: the one place where products and sums of numbers a user
// controls (matrix orders, block sizes, grid shapes, file header dimensions, element counts)
// are formed. Each helper either returns the exact result or throws SizeOverflow naming what
// was being computed, so a huge or corrupt value ends in one clear message instead of a
// wrapped-around size, a giant allocation or undefined behaviour.

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace deepntk {

/// A size computation whose exact result does not fit its type. Derives from
/// std::invalid_argument because it always comes from a value the user (or a file) supplied.
class SizeOverflow : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

namespace detail {
[[noreturn]] inline void throw_size_overflow(std::string_view what) {
  throw SizeOverflow(std::string(what) + " is too large: the size does not fit a machine integer");
}
}  // namespace detail

/// a * b, or SizeOverflow("<what> is too large ...").
template <std::integral T>
constexpr T checked_multiply(T a, T b, std::string_view what) {
  T out{};
  if (__builtin_mul_overflow(a, b, &out)) detail::throw_size_overflow(what);
  return out;
}

/// a + b, or SizeOverflow.
template <std::integral T>
constexpr T checked_add(T a, T b, std::string_view what) {
  T out{};
  if (__builtin_add_overflow(a, b, &out)) detail::throw_size_overflow(what);
  return out;
}

/// The product of all factors (1 for none), or SizeOverflow.
template <std::integral T>
constexpr T checked_product(std::initializer_list<T> factors, std::string_view what) {
  T out = 1;
  for (const T f : factors) out = checked_multiply(out, f, what);
  return out;
}

/// `value` converted to To exactly (no narrowing, no sign change), or SizeOverflow.
template <std::integral To, std::integral From>
constexpr To checked_cast(From value, std::string_view what) {
  if (!std::in_range<To>(value)) {
    throw SizeOverflow(std::string(what) + " = " + std::to_string(value) + " does not fit its " +
                       std::to_string(sizeof(To) * 8) + "-bit integer type");
  }
  return static_cast<To>(value);
}

}  // namespace deepntk
