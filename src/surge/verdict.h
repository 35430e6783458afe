// The verdict of a `donut surge` (surge.h): the totals and stock-out episodes from what the
// load saw, then the invariants checked against the warehouse's figures before and after
// (surge.h lists them). Pure: the run reads the figures and the order rows, this decides.
#pragma once

#include <cstdint>
#include <iosfwd>

#include "ports/store.h"
#include "surge/report.h"
#include "surge/surge.h"

namespace donut::surge {

// What the run gathered for the verdict besides the report.
struct Evidence {
  ports::ProductStats before, after;  // the surge's product in GET /admin/stats
  int64_t negative_answers = 0;       // 201 answers whose stock_left was below zero
  int64_t answered_ids = 0;           // order ids read from the 201 answers
  int64_t missing_rows = 0;           // of those, read back as 404
  int64_t unreadable_rows = 0;        // of those, not read back at all
};

// Every restock the product ever opened, whatever became of it.
int64_t restocks_opened(const ports::ProductStats& p);

// Totals, rates, stock-out episodes (stock at 0 until it is positive again) and the seconds of
// the load spent at 0 from the timeline and the samples; the largest restock from the list.
void summarize(SurgeReport& report);
// Appends each broken invariant to `report.failures`; sets `report.unjudged` when the order
// rows could not be read back.
void judge(SurgeReport& report, const SurgeOptions& options, const Evidence& evidence);

void print_report(const SurgeReport& report, std::ostream& out);

}  // namespace donut::surge
