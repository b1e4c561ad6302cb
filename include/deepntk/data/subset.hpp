#pragma once
// Which rows of a pool a run uses: the first n, n at random, or n balanced over the classes.
// The choice depends only on the pool, n and the seed (data/random_stream.hpp), never on the
// number of ranks, and the chosen rows are returned in increasing order (as in the source).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace deepntk::data {

enum class SubsetRule { first, random, balanced };

/// `count` distinct rows of 0 .. pool_size-1, increasing. balanced: floor(count / classes)
/// rows of every class and one more of each of the first count % classes classes, each class's
/// rows drawn at random; needs one label in 0 .. classes-1 per row. Throws std::invalid_argument
/// (naming `name`, the pool) when the pool or a class has too few rows.
[[nodiscard]] std::vector<std::int64_t> choose_rows(std::int64_t pool_size, std::int64_t count, SubsetRule rule,
                                                    std::uint64_t seed, std::span<const std::int64_t> labels,
                                                    std::int64_t classes, const std::string& name);

}  // namespace deepntk::data
