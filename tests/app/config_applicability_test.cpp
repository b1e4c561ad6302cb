// Keys the configuration sets but the run ignores: one warning each, none for keys at their
// defaults (the effective configuration writes every key).

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "deepntk/app/config.hpp"
#include "deepntk/app/config_applicability.hpp"

namespace app = deepntk::app;

namespace {

app::ConfigNotes notes_of(const std::vector<std::string>& overrides) {
  app::ConfigNotes notes;
  (void)app::load_config(std::nullopt, overrides, &notes);
  return notes;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(defaults_and_keys_that_apply_are_quiet) {
  BOOST_TEST(app::inapplicable_key_warnings(app::RunConfig{}).empty());
  BOOST_TEST(notes_of({"network.architecture=resnet", "network.alpha=0.5"}).empty());
  BOOST_TEST(notes_of({"network.architecture=shortcut", "network.readout_every=2", "depth.schedule=[2,4]"}).empty());
  BOOST_TEST(notes_of({"data.source=sine", "data.noise=0.1", "data.preprocessing=bias"}).empty());
  BOOST_TEST(notes_of({"analysis.spectrum=top", "analysis.top_k=3"}).empty());
}

BOOST_AUTO_TEST_CASE(alpha_for_an_mlp_is_named_once_with_the_fix) {
  const auto notes = notes_of({"network.alpha=0.5"});
  BOOST_TEST_REQUIRE(notes.size() == 1u);
  BOOST_TEST(contains(notes[0], "warning: network.alpha = 0.5 is ignored"), notes[0]);
  BOOST_TEST(contains(notes[0], "network.architecture is \"resnet\", and it is \"mlp\""), notes[0]);
  BOOST_TEST(contains(notes[0], "remove it"), notes[0]);
  BOOST_TEST(notes[0].find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_ignored_key_gets_its_warning) {
  const auto notes = notes_of({"network.readout_every=3", "data.noise=0.5", "data.interval=[0,1]", "data.path=x.h5",
                               "data.subset=random", "data.center_targets=true", "analysis.top_k=4"});
  BOOST_TEST(notes.size() == 7u);
  for (const char* key : {"network.readout_every = 3", "data.noise = 0.5", "data.interval = [0.0, 1.0]",
                          "data.path = \"x.h5\"", "data.subset = \"random\"", "data.center_targets = true",
                          "analysis.top_k = 4"}) {
    bool named = false;
    for (const auto& note : notes) named = named || contains(note, std::string("warning: ") + key);
    BOOST_TEST(named, key);
  }
  // A file source ignores data.dim (d is the file's); cifar10 batches hold their own labels.
  const auto cifar = notes_of({"data.source=cifar10", "data.path=dir", "data.targets=onehot", "data.dim=5",
                               "data.y_train=labels.bin"});
  BOOST_TEST(cifar.size() == 2u);
}
