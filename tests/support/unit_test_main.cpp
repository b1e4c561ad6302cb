// The Boost.Test main for serial unit tests.
#define BOOST_TEST_MODULE deepntk unit tests
#include <boost/test/unit_test.hpp>
