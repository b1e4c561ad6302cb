#include "deepntk/app/load_dataset.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "deepntk/app/result_layout.hpp"
#include "deepntk/core/checked_arithmetic.hpp"
#include "deepntk/data/cifar10.hpp"
#include "deepntk/data/hdf5_input.hpp"
#include "deepntk/data/idx_file.hpp"
#include "deepntk/data/preprocessing.hpp"
#include "deepntk/data/selection.hpp"
#include "deepntk/data/sine.hpp"
#include "deepntk/data/sphere.hpp"
#include "deepntk/io/attributes.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/mpi/agree.hpp"

namespace deepntk::app {

namespace fs = std::filesystem;

namespace {

// A file named in the configuration: relative names are inside the directory data.path.
std::string in_directory(const std::string& directory, const std::string& name) {
  return fs::path(name).is_absolute() ? name : (fs::path(directory) / name).string();
}

// IDX files: the configured name, or (for the default key value) MNIST's standard name, which
// Fashion-MNIST shares, gzipped or not.
std::string idx_file(const DataConfig& config, const std::string& key_value, const std::string& key_default,
                     const std::string& standard) {
  if (key_value != key_default) return in_directory(config.path, key_value);
  const auto plain = in_directory(config.path, standard);
  if (fs::exists(plain)) return plain;
  if (fs::exists(plain + ".gz")) return plain + ".gz";
  throw std::invalid_argument(fmt::format("data.path = \"{}\" holds neither {} nor {}.gz (data.source = \"idx\" "
                                          "expects MNIST's file names there; name other files with data.x_train, "
                                          "data.y_train, data.x_test, data.y_test)",
                                          config.path, standard, standard));
}

data::DataPools idx_pools(const DataConfig& config) {
  const DataConfig defaults;
  if (!fs::is_directory(config.path)) {
    throw std::invalid_argument(fmt::format("data.path = \"{}\" is not a directory; data.source = \"idx\" reads the "
                                            "IDX files in it",
                                            config.path));
  }
  data::DataPools pools;
  pools.origin = config.path;
  pools.train = data::idx_pool(idx_file(config, config.x_train, defaults.x_train, "train-images-idx3-ubyte"),
                               idx_file(config, config.y_train, defaults.y_train, "train-labels-idx1-ubyte"));
  if (config.n_test != 0) {
    pools.test = data::idx_pool(idx_file(config, config.x_test, defaults.x_test, "t10k-images-idx3-ubyte"),
                                idx_file(config, config.y_test, defaults.y_test, "t10k-labels-idx1-ubyte"));
  }
  return pools;
}

// CIFAR-10 batches: data.x_train / data.x_test as comma-separated file names, or (default) the
// standard data_batch_*.bin and test_batch.bin of cifar-10-batches-bin.
std::vector<std::string> cifar_files(const DataConfig& config, const std::string& key_value,
                                     const std::string& key_default, bool train) {
  std::vector<std::string> files;
  if (key_value != key_default) {
    std::string_view rest = key_value;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto name = rest.substr(0, comma);
      if (!name.empty()) files.push_back(in_directory(config.path, std::string(name)));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    return files;
  }
  if (train) {
    for (const auto& entry : fs::directory_iterator(config.path)) {
      const auto name = entry.path().filename().string();
      if (name.starts_with("data_batch_") && name.ends_with(".bin")) files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(in_directory(config.path, "test_batch.bin"));
  }
  if (files.empty() || !fs::exists(files.front())) {
    throw std::invalid_argument(fmt::format(
        "data.path = \"{}\" holds no {}; data.source = \"cifar10\" expects the files of cifar-10-batches-bin there "
        "(or name them with data.{})",
        config.path, train ? "data_batch_*.bin" : "test_batch.bin", train ? "x_train" : "x_test"));
  }
  return files;
}

data::DataPools cifar10_pools(const DataConfig& config) {
  const DataConfig defaults;
  if (!fs::is_directory(config.path)) {
    throw std::invalid_argument(fmt::format("data.path = \"{}\" is not a directory; data.source = \"cifar10\" reads "
                                            "the batch files in it",
                                            config.path));
  }
  data::DataPools pools;
  pools.origin = config.path;
  pools.classes = 10;
  pools.train = data::cifar10_pool(cifar_files(config, config.x_train, defaults.x_train, true));
  if (config.n_test != 0) pools.test = data::cifar10_pool(cifar_files(config, config.x_test, defaults.x_test, false));
  return pools;
}

data::SubsetRule subset_rule(SubsetRule rule) {
  switch (rule) {
    case SubsetRule::first: return data::SubsetRule::first;
    case SubsetRule::random: return data::SubsetRule::random;
    case SubsetRule::balanced: return data::SubsetRule::balanced;
  }
  throw std::logic_error("unhandled data.subset");
}

std::vector<data::PreprocessingStep> preprocessing_steps(const std::vector<PreprocessingStep>& steps) {
  std::vector<data::PreprocessingStep> out;
  for (auto step : steps) {
    switch (step) {
      case PreprocessingStep::center: out.push_back(data::PreprocessingStep::center); break;
      case PreprocessingStep::standardize: out.push_back(data::PreprocessingStep::standardize); break;
      case PreprocessingStep::bias: out.push_back(data::PreprocessingStep::bias); break;
      case PreprocessingStep::sphere: out.push_back(data::PreprocessingStep::sphere); break;
    }
  }
  return out;
}

data::Hdf5Input hdf5_input(const DataConfig& config) {
  data::Hdf5Input input{config.path, config.x_train, config.x_test, config.y_train, config.y_test};
  input.targets = config.targets == TargetKind::none     ? data::TargetMode::none
                  : config.targets == TargetKind::onehot ? data::TargetMode::onehot
                                                         : data::TargetMode::values;
  input.test = config.n_test != 0;
  return input;
}

data::Selection selection_of(const DataConfig& config) {
  static_assert(DataConfig::all_rows == data::all_rows);
  data::Selection selection;
  selection.n_train = config.n_train;
  selection.n_test = config.n_test;
  selection.rule = subset_rule(config.subset);
  selection.seed = config.seed;
  selection.classes = config.classes;
  selection.labels = config.targets == TargetKind::onehot;
  selection.targets = config.targets == TargetKind::values;
  return selection;
}

data::Dataset from_files(const DataConfig& config, const mpi::Communicator& world) {
  data::Dataset dataset;
  if (config.source == DataSource::hdf5) {
    // Rank 0 reads only the chosen rows and broadcasts them.
    dataset = data::read_hdf5_dataset(world, hdf5_input(config), selection_of(config));
  } else {
    // Every rank reads the (small) files itself: no broadcast is needed, and a problem is seen
    // by every rank alike. The pools read only the rows the selection asks for.
    dataset = mpi::agree(world.handle(), [&] {
      const auto pools = config.source == DataSource::idx ? idx_pools(config) : cifar10_pools(config);
      return data::select_dataset(pools, selection_of(config));
    });
  }
  dataset.source = std::string(to_string(config.source));
  return dataset;
}

std::string describe(const DataConfig& config, const data::Dataset& dataset, const std::string& note) {
  std::string text;
  if (dataset.subset == "generated") {
    text = dataset.description;
  } else {
    // Say when a count is every row of the file ("all", the default for file sources).
    const auto all = [](std::int64_t n) { return n == DataConfig::all_rows ? " (all rows)" : ""; };
    text = fmt::format("{}: {} train{} + {} test{} points ({}) from {}", dataset.source, dataset.train.count,
                       all(config.n_train), dataset.test.count, dataset.test.count > 0 ? all(config.n_test) : "",
                       dataset.subset, config.path);
    if (!note.empty()) text += ", " + note;
  }
  text += fmt::format(", dimension {}", dataset.train.dimension);
  if (dataset.classes > 0) {
    text += fmt::format(", {} classes (one-hot{})", dataset.classes, config.center_targets ? ", centered" : "");
  } else if (dataset.y_train && dataset.subset != "generated") {
    text += fmt::format(", {} target(s) per point", dataset.y_train->dimension);
  }
  return text + fmt::format("; preprocessing {}", dataset.preprocessing);
}

}  // namespace

data::Dataset load_dataset(const DataConfig& config, const mpi::Communicator& world) {
  data::Dataset dataset;
  switch (config.source) {
    case DataSource::sphere:
      dataset = mpi::agree(world.handle(), [&] {
        return data::make_sphere_dataset(config.n_train, config.n_test, config.dim, config.seed,
                                         config.targets == TargetKind::values);
      });
      break;
    case DataSource::sine:
      dataset = mpi::agree(world.handle(), [&] {
        auto d = data::make_sine_dataset(config.n_train, config.n_test, config.interval[0], config.interval[1],
                                         config.noise, config.seed);
        if (config.targets == TargetKind::none) d.y_train.reset(), d.y_test.reset();
        return d;
      });
      break;
    case DataSource::hdf5:
    case DataSource::idx:
    case DataSource::cifar10:
      dataset = from_files(config, world);
      break;
  }
  const std::string note = dataset.subset == "generated" ? std::string() : dataset.description;
  mpi::agree(world.handle(), [&] {
    const bool hdf5 = config.source == DataSource::hdf5;
    data::check_finite(dataset.train, hdf5 ? fmt::format("'{}' in {}:", config.x_train, config.path) : "x_train",
                       dataset.train_index);
    data::check_finite(dataset.test, hdf5 ? fmt::format("'{}' in {}:", config.x_test, config.path) : "x_test",
                       dataset.test_index);
    // Targets are checked like inputs: one NaN in y_train makes every prediction and every MSE
    // NaN, and the run would end with exit status 0 and useless numbers. Class labels were
    // checked as integers already; only real-valued targets (hdf5, targets = "values") can hold
    // NaN or Inf.
    if (hdf5 && config.targets == TargetKind::values) {
      if (dataset.y_train) {
        data::check_finite(*dataset.y_train, fmt::format("'{}' in {}:", config.y_train, config.path),
                           dataset.train_index, "targets");
      }
      if (dataset.y_test) {
        data::check_finite(*dataset.y_test, fmt::format("'{}' in {}:", config.y_test, config.path),
                           dataset.test_index, "targets");
      }
    }
    data::preprocess(dataset, preprocessing_steps(config.preprocessing));
  });
  dataset.description = describe(config, dataset, note);
  return dataset;
}

std::int64_t input_dimension(const DataConfig& config) {
  std::int64_t d = 0;
  switch (config.source) {
    case DataSource::sphere: d = config.dim; break;
    case DataSource::sine: d = 1; break;
    case DataSource::hdf5: d = data::read_hdf5_shape(hdf5_input(config)).columns; break;
    case DataSource::cifar10: d = data::cifar10_pixels; break;
    case DataSource::idx:
      d = data::read_idx_header(idx_file(config, config.x_train, DataConfig{}.x_train, "train-images-idx3-ubyte"))
              .row_elements;
      break;
  }
  return d + std::count(config.preprocessing.begin(), config.preprocessing.end(), PreprocessingStep::bias);
}

InputRows input_rows(const DataConfig& config) {
  InputRows rows{config.n_train, config.n_test};
  if (rows.n_train != DataConfig::all_rows && rows.n_test != DataConfig::all_rows) return rows;
  const DataConfig defaults;
  InputRows in_files;
  switch (config.source) {
    case DataSource::sphere:
    case DataSource::sine: return rows;  // "all" is refused for generated data (config.cpp)
    case DataSource::hdf5: {
      const auto shape = data::read_hdf5_shape(hdf5_input(config));
      in_files = {shape.train_rows, shape.test_rows};
      break;
    }
    case DataSource::idx:
      in_files.n_train =
          data::read_idx_header(idx_file(config, config.x_train, defaults.x_train, "train-images-idx3-ubyte")).shape[0];
      if (config.n_test != 0) {
        in_files.n_test =
            data::read_idx_header(idx_file(config, config.x_test, defaults.x_test, "t10k-images-idx3-ubyte")).shape[0];
      }
      break;
    case DataSource::cifar10:
      for (const auto& file : cifar_files(config, config.x_train, defaults.x_train, true)) {
        in_files.n_train = checked_add(in_files.n_train, data::cifar10_records(file), "CIFAR-10 train records");
      }
      if (config.n_test != 0) {
        for (const auto& file : cifar_files(config, config.x_test, defaults.x_test, false)) {
          in_files.n_test = checked_add(in_files.n_test, data::cifar10_records(file), "CIFAR-10 test records");
        }
      }
      break;
  }
  if (rows.n_train == DataConfig::all_rows) rows.n_train = in_files.n_train;
  if (rows.n_test == DataConfig::all_rows) rows.n_test = in_files.n_test;
  return rows;
}

void write_inputs(io::File& file, const data::Dataset& dataset) {
  io::write_array(file, layout::x_train, dataset.train.values, {dataset.train.count, dataset.train.dimension});
  if (dataset.test.count > 0) {
    io::write_array(file, layout::x_test, dataset.test.values, {dataset.test.count, dataset.test.dimension});
  }
  const std::string group = "/data";
  io::write_attribute(file, group, "source", std::string_view(dataset.source));
  io::write_attribute(file, group, "subset", std::string_view(dataset.subset));
  io::write_attribute(file, group, "preprocessing", std::string_view(dataset.preprocessing));
  if (!dataset.train_index.empty()) {
    io::write_vector(file, group + "/train_index", std::span<const std::int64_t>(dataset.train_index));
  }
  if (!dataset.test_index.empty()) {
    io::write_vector(file, group + "/test_index", std::span<const std::int64_t>(dataset.test_index));
  }
  const auto labels_of = [](const data::PointSet& y) { return std::vector<std::int64_t>(y.values.begin(), y.values.end()); };
  if (dataset.classes > 0 && dataset.y_train) {
    const auto labels = labels_of(*dataset.y_train);
    io::write_vector(file, group + "/train_labels", std::span<const std::int64_t>(labels));
    io::write_attribute(file, group, "classes", dataset.classes);
  }
  if (dataset.classes > 0 && dataset.y_test && dataset.test.count > 0) {
    const auto labels = labels_of(*dataset.y_test);
    io::write_vector(file, group + "/test_labels", std::span<const std::int64_t>(labels));
  }
}

}  // namespace deepntk::app
