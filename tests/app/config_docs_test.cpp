// The documentation and example configurations agree with the schema.

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "deepntk/app/config.hpp"
#include "deepntk/app/config_schema.hpp"

namespace app = deepntk::app;

namespace {

const std::filesystem::path source_dir{DEEPNTK_SOURCE_DIR};

std::string read(const std::filesystem::path& file) {
  std::ifstream in(file);
  BOOST_TEST_REQUIRE(static_cast<bool>(in), "cannot read " << file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config_docs)

BOOST_AUTO_TEST_CASE(configuration_md_has_a_row_for_every_key_with_its_default) {
  const auto lines = lines_of(read(source_dir / "docs" / "configuration.md"));
  for (const auto& key : app::describe_keys()) {
    BOOST_TEST_CONTEXT(key.key) {
      // The table row: | `section.name` | type | `default` | allowed | meaning |
      const std::string cell = "| `" + key.key + "` |";
      const std::string* row = nullptr;
      for (const auto& line : lines) {
        if (line.starts_with(cell)) {
          BOOST_TEST(row == nullptr, "one row per key");
          row = &line;
        }
      }
      BOOST_TEST_REQUIRE(row != nullptr, "docs/configuration.md has no table row starting with " << cell);
      BOOST_TEST(row->find("`" + key.default_value + "`") != std::string::npos,
                 "the row of " << key.key << " shows the default `" << key.default_value << "`");
    }
  }
}

BOOST_AUTO_TEST_CASE(configuration_md_names_every_allowed_word) {
  const std::string docs = read(source_dir / "docs" / "configuration.md");
  const auto all_named = [&](const auto& names) {
    for (auto name : names) {
      std::string quoted(1, '`');
      quoted.append(name);
      quoted += '`';
      BOOST_TEST(docs.find(quoted) != std::string::npos, name << " is documented");
    }
  };
  all_named(app::enum_names<app::DataSource>::values);
  all_named(app::enum_names<app::Architecture>::values);
  all_named(app::enum_names<app::Activation>::values);
  all_named(app::enum_names<app::KernelKind>::values);
  all_named(app::enum_names<app::TargetKind>::values);
  all_named(app::enum_names<app::RidgeScale>::values);
  all_named(app::enum_names<app::FallbackKind>::values);
  for (const auto& section : app::describe_sections()) {
    BOOST_TEST(docs.find("[" + section.name + "]") != std::string::npos, section.name);
  }
}

BOOST_AUTO_TEST_CASE(default_example_is_the_defaults_with_every_key) {
  const auto file = source_dir / "examples" / "default.toml";
  BOOST_TEST((app::parse_config_file(file) == app::RunConfig{}));
  const auto lines = lines_of(read(file));
  for (const auto& key : app::describe_keys()) {
    bool found = false;
    for (const auto& line : lines) found = found || line.starts_with(key.name + " = ");
    BOOST_TEST(found, key.key << " is written out in examples/default.toml");
  }
}

// The example's comments are the schema's own text (what `deepntk run --verbose` prints), so they
// cannot go stale by hand: after the schema changes, copy the file this test writes over it.
BOOST_AUTO_TEST_CASE(default_example_comments_are_the_schema_text) {
  const auto file = source_dir / "examples" / "default.toml";
  const std::string text = read(file);
  std::string generated = app::to_toml(app::RunConfig{}, {.comments = true});
  generated.erase(0, generated.find('\n') + 1);  // its title line; the example has its own preamble
  // The preamble: the file's first paragraph (how to use it), comment lines only.
  const std::string preamble = text.substr(0, text.find("\n\n") + 1);
  bool comments_only = true;
  for (const auto& line : lines_of(preamble)) comments_only = comments_only && line.starts_with("#");
  BOOST_TEST(comments_only, "examples/default.toml starts with a paragraph of comment lines");
  if (text != preamble + generated) {
    const std::filesystem::path expected = std::filesystem::absolute("default.toml.expected");
    std::ofstream(expected) << preamble << generated;
    BOOST_TEST(false, "examples/default.toml differs from the schema's text: cp " << expected.string() << " "
                                                                                << file.string());
  }
}

BOOST_AUTO_TEST_CASE(resnet_deep_example) {
  const app::RunConfig c = app::parse_config_file(source_dir / "examples" / "resnet-deep.toml");
  BOOST_TEST((c.network.architecture == app::Architecture::resnet));
  BOOST_TEST(c.data.n_train == 256);
  BOOST_TEST(c.depth.schedule.starts_with("log:1:1000000:"));
}

BOOST_AUTO_TEST_CASE(every_example_parses) {
  for (const auto& entry : std::filesystem::directory_iterator(source_dir / "examples")) {
    if (entry.path().extension() != ".toml") continue;
    BOOST_TEST_CONTEXT(entry.path()) { BOOST_CHECK_NO_THROW((void)app::parse_config_file(entry.path())); }
  }
}

BOOST_AUTO_TEST_SUITE_END()
