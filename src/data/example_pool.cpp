#include "deepntk/data/example_pool.hpp"

#include <algorithm>
#include <memory>

namespace deepntk::data {

ExamplePool pool_of(std::string name, PointSet points) {
  ExamplePool pool;
  pool.name = std::move(name);
  pool.count = points.count;
  pool.dimension = points.dimension;
  auto shared = std::make_shared<const PointSet>(std::move(points));
  pool.copy_row = [shared](std::int64_t row, std::span<double> out) {
    const auto x = shared->point(row);
    std::copy(x.begin(), x.end(), out.begin());
  };
  return pool;
}

}  // namespace deepntk::data
