#include "deepntk/data/subset.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

#include "deepntk/data/random_stream.hpp"

namespace deepntk::data {

namespace {

// The first `count` entries of `items` become a uniformly random `count`-subset (partial
// Fisher-Yates); returns them.
std::vector<std::int64_t> draw(std::vector<std::int64_t> items, std::int64_t count, RandomStream& stream) {
  for (std::int64_t i = 0; i < count; ++i) {
    const auto remaining = static_cast<std::uint64_t>(items.size()) - static_cast<std::uint64_t>(i);
    const auto j = static_cast<std::size_t>(i) + static_cast<std::size_t>(stream.below(remaining));
    std::swap(items[static_cast<std::size_t>(i)], items[j]);
  }
  items.resize(static_cast<std::size_t>(count));
  return items;
}

// The same draw over the items 0 .. pool_size-1 without holding them: a position not yet swapped
// holds its own index, so only the swapped ones are stored. Memory follows `count`, not the pool
// (a file may claim 2^31 rows of which a run takes 1000), and the rows drawn are exactly those
// of draw() on the full list.
std::vector<std::int64_t> draw_from_range(std::int64_t pool_size, std::int64_t count, RandomStream& stream) {
  std::unordered_map<std::int64_t, std::int64_t> swapped;
  const auto at = [&](std::int64_t i) {
    const auto found = swapped.find(i);
    return found == swapped.end() ? i : found->second;
  };
  std::vector<std::int64_t> rows(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    const auto remaining = static_cast<std::uint64_t>(pool_size) - static_cast<std::uint64_t>(i);
    const auto j = i + static_cast<std::int64_t>(stream.below(remaining));
    const std::int64_t chosen = at(j);
    swapped[j] = at(i);
    rows[static_cast<std::size_t>(i)] = chosen;
  }
  return rows;
}

}  // namespace

std::vector<std::int64_t> choose_rows(std::int64_t pool_size, std::int64_t count, SubsetRule rule, std::uint64_t seed,
                                      std::span<const std::int64_t> labels, std::int64_t classes,
                                      const std::string& name) {
  if (count > pool_size) {
    throw std::invalid_argument(fmt::format("{} has {} rows but {} are asked for; ask for at most {}", name,
                                            pool_size, count, pool_size));
  }
  RandomStream stream(seed);
  std::vector<std::int64_t> rows;
  switch (rule) {
    case SubsetRule::first:
      rows.resize(static_cast<std::size_t>(count));
      std::iota(rows.begin(), rows.end(), std::int64_t{0});
      break;
    case SubsetRule::random:
      rows = draw_from_range(pool_size, count, stream);
      break;
    case SubsetRule::balanced: {
      if (classes < 1 || static_cast<std::int64_t>(labels.size()) != pool_size) {
        throw std::invalid_argument(fmt::format("{}: a class-balanced subset needs a class label for every row", name));
      }
      std::vector<std::vector<std::int64_t>> members(static_cast<std::size_t>(classes));
      for (std::int64_t i = 0; i < pool_size; ++i) members[static_cast<std::size_t>(labels[static_cast<std::size_t>(i)])].push_back(i);
      for (std::int64_t c = 0; c < classes; ++c) {
        const std::int64_t wanted = count / classes + (c < count % classes ? 1 : 0);
        auto& of_class = members[static_cast<std::size_t>(c)];
        if (wanted > static_cast<std::int64_t>(of_class.size())) {
          throw std::invalid_argument(fmt::format(
              "{}: a balanced subset of {} rows needs {} of class {}, but there are only {}; ask for fewer points or "
              "use data.subset = \"random\"",
              name, count, wanted, c, of_class.size()));
        }
        const auto chosen = draw(std::move(of_class), wanted, stream);
        rows.insert(rows.end(), chosen.begin(), chosen.end());
      }
      break;
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace deepntk::data
