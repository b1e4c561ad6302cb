#pragma once
// The depths at which kernels are recorded.
//
//   DepthSchedule::parse("1,2,5,10")        -> 1 2 5 10
//   DepthSchedule::parse("log:1:1e6:25")    -> 25 log-spaced depths from 1 to 10^6 (rounded,
//                                              duplicates merged, so possibly fewer than 25)
//   DepthSchedule({10, 1, 10})              -> 1 10   (sorted, duplicates merged)

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace deepntk::kernels {

class DepthSchedule {
 public:
  /// The largest depth a schedule may hold (keeps layer-step counts far from overflow).
  static constexpr std::int64_t max_allowed_depth = 1'000'000'000'000;

  /// Sorts and de-duplicates; throws std::invalid_argument if empty or any depth is outside
  /// [1, max_allowed_depth].
  explicit DepthSchedule(std::vector<std::int64_t> depths);

  /// "d1,d2,..." (integers, optionally written 1e6 or 1_000_000, spaces allowed) or
  /// "log:START:STOP:COUNT": COUNT depths evenly spaced in log L from START to STOP, rounded to
  /// the nearest integer, de-duplicated, always containing START and STOP (COUNT >= 2 unless
  /// START == STOP). Throws std::invalid_argument quoting the text and saying what is expected.
  [[nodiscard]] static DepthSchedule parse(std::string_view text);

  /// Evenly log-spaced depths, as in "log:START:STOP:COUNT".
  [[nodiscard]] static DepthSchedule log_spaced(std::int64_t start, std::int64_t stop, std::int64_t count);

  [[nodiscard]] std::span<const std::int64_t> depths() const noexcept { return depths_; }
  [[nodiscard]] std::int64_t max_depth() const noexcept { return depths_.back(); }
  [[nodiscard]] std::size_t size() const noexcept { return depths_.size(); }

  bool operator==(const DepthSchedule&) const = default;

 private:
  std::vector<std::int64_t> depths_;
};

}  // namespace deepntk::kernels
