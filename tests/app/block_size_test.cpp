// The automatic block size and the warning for a set one that leaves ranks idle.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "deepntk/app/block_size.hpp"
#include "deepntk/app/config.hpp"
#include "deepntk/app/plan.hpp"

namespace app = deepntk::app;
using deepntk::grid::GridShape;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

BOOST_AUTO_TEST_CASE(automatic_keeps_64_where_every_rank_already_has_a_block) {
  BOOST_TEST(app::choose_block_size(0, 1024, 8, GridShape{1, 2}).size == 64);
  BOOST_TEST(app::choose_block_size(0, 100, 8, GridShape{2, 2}).size == 64);  // 2 blocks for 2 rows and 2 columns
  BOOST_TEST(app::choose_block_size(0, 10, 8, GridShape{1, 1}).size == 10);  // 64, capped at max(n, d)
  BOOST_TEST(!app::choose_block_size(0, 10, 8, GridShape{1, 1}).warning);
}

BOOST_AUTO_TEST_CASE(automatic_shrinks_so_that_no_rank_of_the_grid_idles) {
  BOOST_TEST(app::choose_block_size(0, 64, 8, GridShape{1, 2}).size == 32);  // was one block of 64: a rank idle
  BOOST_TEST(app::choose_block_size(0, 97, 8, GridShape{1, 4}).size == 24);  // 5 blocks for 4 columns
  BOOST_TEST(app::choose_block_size(0, 5, 8, GridShape{2, 2}).size == 2);
  BOOST_TEST(app::choose_block_size(0, 3, 8, GridShape{1, 4}).size == 1);  // fewer points than columns
  BOOST_TEST(!app::choose_block_size(0, 64, 8, GridShape{1, 2}).warning);
}

BOOST_AUTO_TEST_CASE(a_set_size_is_kept_and_warned_about_when_ranks_idle) {
  const auto choice = app::choose_block_size(64, 64, 8, GridShape{1, 2});
  BOOST_TEST(choice.size == 64);
  BOOST_TEST_REQUIRE(choice.warning.has_value());
  BOOST_TEST(contains(*choice.warning, "warning: parallel.block_size = 64 leaves 1 of the 2 ranks of the 1x2 grid"),
             *choice.warning);
  BOOST_TEST(contains(*choice.warning, "set parallel.block_size = 32"), *choice.warning);
  BOOST_TEST(choice.warning->find('\n') == std::string::npos);
  BOOST_TEST(contains(*app::choose_block_size(50, 100, 8, GridShape{3, 3}).warning, "leaves 5 of the 9 ranks"));
  BOOST_TEST(!app::choose_block_size(8, 64, 8, GridShape{1, 2}).warning);
  BOOST_TEST(!app::choose_block_size(64, 1, 8, GridShape{1, 2}).warning);  // no size could help
}

BOOST_AUTO_TEST_CASE(plan_uses_the_same_choice) {
  const auto config = app::load_config(std::nullopt, std::vector<std::string>{"data.n_train=64", "data.n_test=8"});
  BOOST_TEST(app::make_plan(config, app::plan_shape(config), 2).block_size == 32);
  BOOST_TEST(app::make_plan(config, app::plan_shape(config), 1).block_size == 64);
}
