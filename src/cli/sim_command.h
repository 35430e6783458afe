// `donut sim`: runs the shop in the deterministic simulator (sim/simulation.h) for one seed or a
// sweep of seeds and prints the figures: steps, operations per CPU-second, faults injected by
// kind, the total-queue report. On a violation it prints the seed, the step, the invariant and
// the trace's last events, and stops. Exit 0: every invariant held; 1: one broke; 2: bad usage.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/exit_codes.h"

namespace donut::cli {

void add_sim_command(CLI::App& app, Action& action);

}  // namespace donut::cli
