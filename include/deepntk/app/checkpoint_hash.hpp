#pragma once
// The fingerprint of everything that determines a run's result, stored in its checkpoint so
// that a resume never mixes the state of one computation with another.
//
// It covers the effective configuration except the keys that do not change the numbers
// (output.path, [parallel], [checkpoint]), the input data as loaded (every value of x_train,
// x_test, y_train, y_test, and the class count), the program version and the sweep-state
// format. The grid and rank count are left out on purpose: a run may resume on another.

#include <string>

#include "deepntk/app/config.hpp"
#include "deepntk/data/point_set.hpp"

namespace deepntk::app {

/// 16 hex digits (64-bit FNV-1a). Local, no MPI: every rank computes the same value.
[[nodiscard]] std::string result_fingerprint(const RunConfig& config, const data::Dataset& dataset);

/// The part of the configuration that enters the fingerprint, as TOML (for messages/tests).
[[nodiscard]] std::string result_determining_configuration(const RunConfig& config);

}  // namespace deepntk::app
