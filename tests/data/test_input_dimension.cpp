// app::input_dimension, which `deepntk plan` can use before any data is loaded: the same d as
// the loaded dataset would have.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "deepntk/app/load_dataset.hpp"

namespace fs = std::filesystem;
using namespace deepntk::app;

BOOST_AUTO_TEST_CASE(dimension_per_source_with_bias_steps) {
  DataConfig c;
  c.dim = 17;
  BOOST_TEST(input_dimension(c) == 17);
  c.source = DataSource::sine;
  c.preprocessing = {PreprocessingStep::standardize, PreprocessingStep::bias};
  BOOST_TEST(input_dimension(c) == 2);
  c.source = DataSource::cifar10;
  c.preprocessing = {};
  BOOST_TEST(input_dimension(c) == 3072);

  // An IDX images file of 3 images of 4 x 5 pixels (header only matters, but it must be whole).
  const auto dir = fs::temp_directory_path() / ("deepntk-dimension-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "train-images-idx3-ubyte", std::ios::binary);
    const unsigned char header[16] = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5};
    out.write(reinterpret_cast<const char*>(header), 16);
    out.write(std::string(60, '\1').data(), 60);
  }
  c.source = DataSource::idx;
  c.path = dir.string();
  c.preprocessing = {PreprocessingStep::bias, PreprocessingStep::sphere};
  BOOST_TEST(input_dimension(c) == 21);
  fs::remove_all(dir);
}
