// DepthSchedule parsing and validation; NetworkSpec validation; ResidualScale.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "deepntk/kernels/depth_schedule.hpp"
#include "deepntk/kernels/network.hpp"

using namespace deepntk::kernels;

namespace {

std::vector<std::int64_t> depths_of(const DepthSchedule& s) { return {s.depths().begin(), s.depths().end()}; }

// The exception's message, or "" if none was thrown.
template <class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(depth_schedule)

BOOST_AUTO_TEST_CASE(explicit_lists_are_sorted_and_deduplicated) {
  const DepthSchedule s({10, 1, 10, 5});
  BOOST_TEST(depths_of(s) == (std::vector<std::int64_t>{1, 5, 10}), boost::test_tools::per_element());
  BOOST_TEST(s.max_depth() == 10);
  BOOST_TEST(s.size() == 3u);
}

BOOST_AUTO_TEST_CASE(comma_lists_parse) {
  BOOST_TEST(depths_of(DepthSchedule::parse("1,2,5,10")) == (std::vector<std::int64_t>{1, 2, 5, 10}),
             boost::test_tools::per_element());
  BOOST_TEST(depths_of(DepthSchedule::parse(" 3 , 1_000 ,1e6 ")) == (std::vector<std::int64_t>{3, 1000, 1000000}),
             boost::test_tools::per_element());
  BOOST_TEST(depths_of(DepthSchedule::parse("7")) == (std::vector<std::int64_t>{7}), boost::test_tools::per_element());
  BOOST_TEST(depths_of(DepthSchedule::parse("2.5e3")) == (std::vector<std::int64_t>{2500}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(log_spacing_keeps_both_ends_and_is_integral) {
  const DepthSchedule s = DepthSchedule::parse("log:1:1e6:25");
  const auto d = depths_of(s);
  BOOST_TEST(d.front() == 1);
  BOOST_TEST(d.back() == 1000000);
  BOOST_TEST(d.size() <= 25u);
  BOOST_TEST(d.size() >= 20u);  // only the first few steps can collide after rounding
  for (std::size_t k = 1; k < d.size(); ++k) BOOST_TEST(d[k] > d[k - 1]);
  // evenly spaced in log: the middle point of 25 is 10^3
  BOOST_TEST(std::count(d.begin(), d.end(), 1000) == 1);
  // a short range collapses to the distinct integers
  BOOST_TEST(depths_of(DepthSchedule::parse("log:1:3:10")) == (std::vector<std::int64_t>{1, 2, 3}),
             boost::test_tools::per_element());
  BOOST_TEST(depths_of(DepthSchedule::parse("log:5:5:1")) == (std::vector<std::int64_t>{5}), boost::test_tools::per_element());
  BOOST_TEST(depths_of(DepthSchedule::log_spaced(10, 1000, 3)) == (std::vector<std::int64_t>{10, 100, 1000}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bad_inputs_are_rejected_with_reasons) {
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse(""); }), "empty"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse("1,,3"); }), "empty depth"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse("1,x"); }), "'x' is not a number"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse("0,5"); }), "depth 0 is outside"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse("-3"); }), "outside"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse("10.5"); }), "not an integer"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse("1e13"); }), "out of range"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse("log:1:100"); }), "log:START:STOP:COUNT"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse("log:100:1:5"); }), "STOP must be >= START"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse("log:1:100:1"); }), "COUNT must be >= 2"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse("log:1:100:0"); }), "COUNT must be >= 1"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse("log:0:100:5"); }), "outside"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule(std::vector<std::int64_t>{}); }), "no depths"));
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule(std::vector<std::int64_t>{3, -1}); }), "depth -1"));
  // the message quotes the offending text
  BOOST_TEST(contains(message_of([] { (void)DepthSchedule::parse("1,2,banana"); }), "\"1,2,banana\""));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(network_spec)

BOOST_AUTO_TEST_CASE(defaults_are_valid) { BOOST_CHECK_NO_THROW(NetworkSpec{}.validate()); }

BOOST_AUTO_TEST_CASE(bad_fields_are_named) {
  NetworkSpec s;
  s.sw2 = 0.0;
  BOOST_TEST(contains(message_of([&] { s.validate(); }), "sw2"));
  s.sw2 = std::nan("");
  BOOST_TEST(contains(message_of([&] { s.validate(); }), "sw2"));
  s = NetworkSpec{};
  s.sb2 = -0.1;
  BOOST_TEST(contains(message_of([&] { s.validate(); }), "sb2"));
  s = NetworkSpec{};
  s.readout_every = 0;
  BOOST_TEST(contains(message_of([&] { s.validate(); }), "readout_every"));
  s = NetworkSpec{};
  s.architecture = Architecture::resnet;
  s.residual = {ResidualScale::Rule::constant, -1.0};
  BOOST_TEST(contains(message_of([&] { s.validate(); }), "residual"));
  s.residual = {ResidualScale::Rule::power, std::numeric_limits<double>::infinity()};
  BOOST_TEST(contains(message_of([&] { s.validate(); }), "gamma"));
}

BOOST_AUTO_TEST_CASE(residual_scales) {
  const ResidualScale inv{};
  BOOST_TEST(inv.alpha(100) == 0.1);
  BOOST_TEST(inv.alpha_squared(7) == 1.0 / 7.0);
  BOOST_TEST(inv.depends_on_depth());
  const ResidualScale c{ResidualScale::Rule::constant, 0.3};
  BOOST_TEST(c.alpha(5) == 0.3);
  BOOST_TEST(c.alpha_squared(5) == 0.3 * 0.3);
  BOOST_TEST(!c.depends_on_depth());
  const ResidualScale p{ResidualScale::Rule::power, 0.25};
  BOOST_TEST(p.alpha(16) == 0.5, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(p.alpha_squared(16) == 0.25, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(p.depends_on_depth());
  const ResidualScale flat{ResidualScale::Rule::power, 0.0};
  BOOST_TEST(!flat.depends_on_depth());
  BOOST_CHECK_THROW((void)inv.alpha(0), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
