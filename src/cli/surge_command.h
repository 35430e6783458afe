// `donut surge`: replays the flash crowd against a running system and judges the invariants
// (surge/surge.h). Exit 0: every invariant holds; 1: one is broken; 2: the run could not judge.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/exit_codes.h"
#include "hosts/local/local_system.h"

namespace donut::cli {

void add_surge_command(CLI::App& app, const local::LocalConfig& config, Action& action);

}  // namespace donut::cli
