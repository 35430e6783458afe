// `donut restocks [--product P] [--limit N] [--json]`: each restock's life on one screen, from
// the warehouse's timeline (ports/store.h): the order that emptied the shelf, each event queued
// and published, each delivery and the factory's answer, the arrival, the e-mails. Times are
// shown from the stock-out on, so the lead time reads down the page.
#pragma once

#include <cstdio>
#include <string>

#include "ports/store.h"

namespace donut::cli {

// Prints to `out`; returns the process exit code (0, or 3 when the warehouse cannot be read,
// with the message on stderr).
int print_restocks(ports::Store& store, const std::string& product, int limit, bool json,
                   std::FILE* out);

}  // namespace donut::cli
