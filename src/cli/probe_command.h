// `donut probe`: asks a role's health route and exits 0 when it answers 2xx. The container
// image's health check (it has no shell and no curl): by default it asks
// http://127.0.0.1:$DONUT_HEALTH_PORT/healthz, the probe listener the image turns on for every
// role. Exit codes: 0 healthy, 1 any other answer (printed), 3 no answer in time.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/exit_codes.h"

namespace donut::cli {

void add_probe_command(CLI::App& app, Action& action);

}  // namespace donut::cli
