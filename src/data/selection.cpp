#include "deepntk/data/selection.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "deepntk/core/checked_arithmetic.hpp"

namespace deepntk::data {

namespace {

PointSet take_rows(const ExamplePool& pool, const std::vector<std::int64_t>& rows) {
  PointSet points{static_cast<std::int64_t>(rows.size()), pool.dimension,
                  std::vector<double>(checked_cast<std::size_t>(
                      checked_multiply(static_cast<std::int64_t>(rows.size()), pool.dimension, pool.name + " rows"),
                      "the selected points"))};
  if (pool.copy_rows) {
    pool.copy_rows(rows, points.values);
    return points;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    pool.copy_row(rows[i], std::span<double>(points.values).subspan(i * static_cast<std::size_t>(pool.dimension),
                                                                      static_cast<std::size_t>(pool.dimension)));
  }
  return points;
}

PointSet take_target_rows(const PointSet& targets, const std::vector<std::int64_t>& rows) {
  PointSet out{static_cast<std::int64_t>(rows.size()), targets.dimension, {}};
  for (auto row : rows) {
    const auto y = targets.point(row);
    out.values.insert(out.values.end(), y.begin(), y.end());
  }
  return out;
}

PointSet label_rows(const ExamplePool& pool, const std::vector<std::int64_t>& rows) {
  PointSet out{static_cast<std::int64_t>(rows.size()), 1, {}};
  for (auto row : rows) out.values.push_back(static_cast<double>(pool.labels[static_cast<std::size_t>(row)]));
  return out;
}

void check_pool(const ExamplePool& pool) {
  if (pool.count == 0) throw std::invalid_argument(fmt::format("{} is empty (0 rows); it needs at least one point", pool.name));
  if (pool.dimension < 1) throw std::invalid_argument(fmt::format("{} has no features (0 columns)", pool.name));
  if (!pool.labels.empty() && static_cast<std::int64_t>(pool.labels.size()) != pool.count) {
    throw std::invalid_argument(fmt::format("{} has {} rows but {} labels; they need one label per row", pool.name,
                                            pool.count, pool.labels.size()));
  }
  if (pool.targets && pool.targets->count != pool.count) {
    throw std::invalid_argument(fmt::format("{} has {} rows but its targets have {}; they need one row per point",
                                            pool.name, pool.count, pool.targets->count));
  }
}

void check_labels(const ExamplePool& pool, std::int64_t classes) {
  for (std::size_t i = 0; i < pool.labels.size(); ++i) {
    const std::int64_t label = pool.labels[i];
    if (label < 0 || label >= classes) {
      throw std::invalid_argument(fmt::format(
          "{}: label {} of row {} is out of range; class labels must be 0 .. {} ({} classes{})", pool.name, label, i,
          classes - 1, classes, label < 0 ? "" : "; set data.classes to change the number"));
    }
  }
}

std::int64_t class_count(const DataPools& pools, const Selection& selection) {
  if (selection.classes > 0) return selection.classes;
  if (pools.classes > 0) return pools.classes;
  std::int64_t largest = 0;
  for (auto label : pools.train.labels) largest = std::max(largest, label);
  if (pools.test) {
    for (auto label : pools.test->labels) largest = std::max(largest, label);
  }
  return largest + 1;
}

}  // namespace

Dataset select_dataset(const DataPools& pools, const Selection& selection) {
  check_pool(pools.train);
  const bool with_test = selection.n_test != 0 && pools.test.has_value();
  if (with_test) {
    check_pool(*pools.test);
    if (pools.test->dimension != pools.train.dimension) {
      throw std::invalid_argument(fmt::format("{} has {} columns but {} has {}; train and test points must have the "
                                              "same dimension",
                                              pools.test->name, pools.test->dimension, pools.train.name,
                                              pools.train.dimension));
    }
  }
  const bool labeled = !pools.train.labels.empty();
  const std::int64_t classes = labeled ? class_count(pools, selection) : 0;
  if (labeled) {
    check_labels(pools.train, classes);
    if (with_test) check_labels(*pools.test, classes);
  }
  if (selection.rule == SubsetRule::balanced && !labeled) {
    throw std::invalid_argument(fmt::format("{}: data.subset = \"balanced\" needs class labels (data.targets = "
                                            "\"onehot\")",
                                            pools.train.name));
  }

  Dataset dataset;
  const auto wanted = [](std::int64_t n, const ExamplePool& pool) { return n == all_rows ? pool.count : n; };
  const auto train_rows = choose_rows(pools.train.count, wanted(selection.n_train, pools.train), selection.rule,
                                      selection.seed,
                                      pools.train.labels, classes, pools.train.name);
  dataset.train = take_rows(pools.train, train_rows);
  dataset.train_index = train_rows;
  dataset.test = PointSet{0, pools.train.dimension, {}};
  if (with_test) {
    const auto test_rows = choose_rows(pools.test->count, wanted(selection.n_test, *pools.test), selection.rule,
                                       selection.seed + 1,
                                       pools.test->labels, classes, pools.test->name);
    dataset.test = take_rows(*pools.test, test_rows);
    dataset.test_index = test_rows;
    if (selection.labels && !pools.test->labels.empty()) dataset.y_test = label_rows(*pools.test, test_rows);
    if (selection.targets && pools.test->targets) dataset.y_test = take_target_rows(*pools.test->targets, test_rows);
  }
  if (selection.labels) {
    if (!labeled) throw std::invalid_argument(fmt::format("{}: one-hot targets need class labels", pools.train.name));
    dataset.y_train = label_rows(pools.train, train_rows);
    dataset.classes = classes;
    if (classes < 2) {
      throw std::invalid_argument(fmt::format("{}: the labels name a single class; one-hot targets need at least 2",
                                              pools.train.name));
    }
  } else if (selection.targets && pools.train.targets) {
    dataset.y_train = take_target_rows(*pools.train.targets, train_rows);
    if (dataset.y_test && dataset.y_test->dimension != dataset.y_train->dimension) {
      throw std::invalid_argument(fmt::format("{}: the test targets have {} outputs but the train targets have {}",
                                              pools.train.name, dataset.y_test->dimension, dataset.y_train->dimension));
    }
  }
  if (!selection.labels && !(selection.targets && pools.train.targets)) dataset.y_test.reset();
  switch (selection.rule) {
    case SubsetRule::first: dataset.subset = "first rows"; break;
    case SubsetRule::random: dataset.subset = fmt::format("random, seed {}", selection.seed); break;
    case SubsetRule::balanced: dataset.subset = fmt::format("class-balanced, seed {}", selection.seed); break;
  }
  return dataset;
}

}  // namespace deepntk::data
