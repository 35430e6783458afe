// The rules of a restock after it opened (domain::plan_mark_requested, domain::plan_arrival,
// domain::plan_held_decision) and the timeline's vocabulary, checked on plain values. The store
// contract suite checks that each engine applies the plan it is given.
#include <regex>
#include <set>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/api_documents.h"
#include "api/web_assets.h"
#include "common/planted_defects.h"
#include "domain/figures.h"
#include "domain/order.h"
#include "domain/restock_plans.h"
#include "domain/timeline.h"
#include "support/counting_ids.h"

namespace donut::domain {
namespace {

const TimePoint kNow = from_unix_ms(1'764'000'000'000);
const TimePoint kEarlier = kNow - std::chrono::minutes(7);

using testing::CountingIds;

RestockRecord restock(RestockState state) {
  RestockRecord r;
  r.restock.id = "r1";
  r.restock.product_id = "glazed";
  r.restock.quantity = 5;
  r.restock.state = state;
  r.restock.opened_at = kEarlier - std::chrono::minutes(1);
  if (state == RestockState::arrived) r.arrived_at = kEarlier;
  return r;
}

Arrival arrival(std::string request_id, int64_t quantity = 5) {
  return {std::move(request_id), "r1", "glazed", quantity, "FF-1", kNow - std::chrono::seconds(2)};
}

ArrivalSnapshot on_shelf(int64_t stock, std::string open_restock_id,
                         std::optional<RestockRecord> r) {
  ArrivalSnapshot s;
  s.product = ArrivalSnapshot::Product{stock, std::move(open_restock_id), {}};
  s.restock = std::move(r);
  return s;
}

// --- running totals ----------------------------------------------------------------------------

TEST(RunningTotals, ALeadTimeFallsInTheFirstBucketItDoesNotExceed) {
  EXPECT_EQ(lead_time_bucket(Millis(0)), 0u);
  EXPECT_EQ(lead_time_bucket(Millis(1000)), 0u) << "at most 1 s";
  EXPECT_EQ(lead_time_bucket(Millis(1001)), 1u);
  EXPECT_EQ(lead_time_bucket(Millis(3'600'000)), 10u);
  EXPECT_EQ(lead_time_bucket(Millis(3'600'001)), std::size(kLeadTimeBounds)) << "above them all";
}

int64_t total(const TotalChanges& changes, std::string_view figure, std::string_view subject) {
  int64_t sum = 0;
  for (const auto& c : changes) {
    if (c.figure == figure && c.subject == subject) sum += c.delta;
  }
  return sum;
}

TEST(RunningTotals, AFirstArrivalMovesItsRestockToArrivedAndCountsItsLeadTime) {
  CountingIds ids;
  const auto snapshot = on_shelf(0, "r1", restock(RestockState::requested));
  const auto plan = plan_arrival(arrival("q1"), snapshot, kNow, ids);
  TotalChanges changes;
  count_arrival(arrival("q1"), snapshot, plan, kNow, changes);
  EXPECT_EQ(total(changes, "arrivals", "glazed"), 1);
  EXPECT_EQ(total(changes, "units_arrived", "glazed"), 5);
  EXPECT_EQ(total(changes, "restocks_requested", "glazed"), -1);
  EXPECT_EQ(total(changes, "restocks_arrived", "glazed"), 1);
  EXPECT_EQ(total(changes, "lead_time_le", "8"), 1) << "8 minutes: within 600 s";
  EXPECT_EQ(total(changes, "lead_time_ms", ""), 8 * 60'000);
}

TEST(RunningTotals, ARepeatedArrivalMovesNoTotal) {
  CountingIds ids;
  auto snapshot = on_shelf(5, "", restock(RestockState::arrived));
  snapshot.request_applied = true;
  const auto plan = plan_arrival(arrival("q1"), snapshot, kNow, ids);
  TotalChanges changes;
  count_arrival(arrival("q1"), snapshot, plan, kNow, changes);
  EXPECT_TRUE(changes.empty());
}

TEST(RunningTotals, AHeldArrivalCountsAsHeldAndWaitingOnly) {
  CountingIds ids;
  const auto snapshot = on_shelf(0, "r1", restock(RestockState::superseded));
  const auto plan = plan_arrival(arrival("q1"), snapshot, kNow, ids);
  TotalChanges changes;
  count_arrival(arrival("q1"), snapshot, plan, kNow, changes);
  EXPECT_EQ(total(changes, "arrivals_held", "glazed"), 1);
  EXPECT_EQ(total(changes, "arrivals_held_waiting", "glazed"), 1);
  EXPECT_EQ(changes.size(), 2u) << "no arrival, no restock state, no lead time";
}

// --- requested ---------------------------------------------------------------------------------

TEST(PlanMarkRequested, AnOpenRestockBecomesRequestedWithOneEvent) {
  CountingIds ids;
  const auto plan = plan_mark_requested(restock(RestockState::open), kNow, ids);
  ASSERT_TRUE(plan.record);
  EXPECT_EQ(plan.state_after, RestockState::requested);
  EXPECT_EQ(plan.requested_at, kNow);
  EXPECT_EQ(plan.event.event_id, "id1");
  EXPECT_EQ(plan.event.restock_id, "r1");
  EXPECT_EQ(plan.event.product_id, "glazed");
  EXPECT_EQ(plan.event.quantity, 5);
  EXPECT_EQ(plan.event.occurred_at, kNow);
}

TEST(PlanMarkRequested, AnArrivedRestockRecordsTheRequestAndStaysArrived) {
  CountingIds ids;
  const auto plan = plan_mark_requested(restock(RestockState::arrived), kNow, ids);
  ASSERT_TRUE(plan.record) << "the factory called back before the worker marked it";
  EXPECT_EQ(plan.state_after, RestockState::arrived);
}

TEST(PlanMarkRequested, OnlyOncePerRestock) {
  CountingIds ids;
  auto requested = restock(RestockState::requested);
  requested.requested_at = kEarlier;
  EXPECT_FALSE(plan_mark_requested(requested, kNow, ids).record);
  auto arrived = restock(RestockState::arrived);
  arrived.requested_at = kEarlier;
  EXPECT_FALSE(plan_mark_requested(arrived, kNow, ids).record);
}

TEST(PlanMarkRequested, NeitherSupersededNorUnknownRestocks) {
  CountingIds ids;
  EXPECT_FALSE(plan_mark_requested(restock(RestockState::superseded), kNow, ids).record);
  EXPECT_FALSE(plan_mark_requested(std::nullopt, kNow, ids).record);
  EXPECT_EQ(ids.next_id(), "id1") << "no id spent on a plan that writes nothing";
}

// --- arrivals ----------------------------------------------------------------------------------

TEST(PlanArrival, TheFirstArrivalAddsStockClosesTheRestockAndSaysSo) {
  CountingIds ids;
  const auto plan = plan_arrival(arrival("req-1"),
                                 on_shelf(0, "r1", restock(RestockState::requested)), kNow, ids);
  EXPECT_EQ(plan.outcome.status, ArrivalStatus::applied);
  EXPECT_EQ(plan.outcome.stock_after, 5);
  EXPECT_TRUE(plan.record_arrival);
  EXPECT_TRUE(plan.add_stock);
  EXPECT_TRUE(plan.clear_open_restock);
  EXPECT_TRUE(plan.close_restock);
  ASSERT_EQ(plan.timeline.size(), 1u);
  EXPECT_EQ(plan.timeline[0].kind, TimelineKind::arrived);
  EXPECT_EQ(plan.timeline[0].detail,
            "5 added (request req-1, factory FF-1, called back at 2025-11-24T15:59:58.000Z); "
            "stock 5");
  ASSERT_TRUE(plan.event);
  EXPECT_EQ(plan.event->request_id, "req-1");
  EXPECT_EQ(plan.event->stock_after, 5);
  EXPECT_EQ(plan.event->occurred_at, kNow);
}

TEST(PlanArrival, ARepeatedRequestIdChangesNothingButTheTimeline) {
  CountingIds ids;
  auto snapshot = on_shelf(5, "", restock(RestockState::arrived));
  snapshot.request_applied = true;
  const auto plan = plan_arrival(arrival("req-1"), snapshot, kNow, ids);
  EXPECT_EQ(plan.outcome.status, ArrivalStatus::duplicate);
  EXPECT_EQ(plan.outcome.stock_after, 5);
  EXPECT_FALSE(plan.record_arrival || plan.add_stock || plan.clear_open_restock ||
               plan.close_restock);
  EXPECT_FALSE(plan.event);
  ASSERT_EQ(plan.timeline.size(), 1u);
  EXPECT_EQ(plan.timeline[0].kind, TimelineKind::duplicate_arrival);
  EXPECT_EQ(plan.timeline[0].detail, "request req-1 was already applied");
}

// An arrival answers a request: one the shop is not waiting for is held for the operator, with
// nothing added, no restock closed, no event, and a timeline entry when there is a restock.
void expect_held(const ArrivalPlan& plan, HeldReason reason, int64_t stock) {
  EXPECT_EQ(plan.outcome.status, ArrivalStatus::held);
  EXPECT_EQ(plan.outcome.stock_after, stock);
  EXPECT_EQ(plan.hold, reason);
  EXPECT_FALSE(plan.record_arrival || plan.add_stock || plan.close_restock ||
               plan.clear_open_restock || plan.lead_time);
  EXPECT_FALSE(plan.event);
}

TEST(PlanArrival, ASecondRequestIdForAnArrivedRestockIsHeld) {
  CountingIds ids;
  const auto plan =
      plan_arrival(arrival("req-2", 3), on_shelf(5, "", restock(RestockState::arrived)), kNow, ids);
  expect_held(plan, HeldReason::already_arrived, 5);
  ASSERT_EQ(plan.timeline.size(), 1u);
  EXPECT_EQ(plan.timeline[0].kind, TimelineKind::held_arrival);
  EXPECT_EQ(plan.timeline[0].detail,
            "3 held for the operator, not added (request req-2, factory FF-1, already_arrived)");
}

// Its arrivals row pruned (request_applied false), the request its restock arrived with is still
// recognised: a duplicate, never a hold whose release would add the units a second time.
TEST(PlanArrival, TheRequestARestockArrivedWithIsADuplicateEvenOnceItsRowIsPruned) {
  CountingIds ids;
  const auto plan =
      plan_arrival(arrival("r1", 5), on_shelf(5, "", restock(RestockState::arrived)), kNow, ids);
  EXPECT_EQ(plan.outcome.status, ArrivalStatus::duplicate);
  EXPECT_EQ(plan.outcome.stock_after, 5);
  EXPECT_FALSE(plan.hold || plan.record_arrival || plan.add_stock || plan.event);
  ASSERT_EQ(plan.timeline.size(), 1u);
  EXPECT_EQ(plan.timeline[0].kind, TimelineKind::duplicate_arrival);
}

TEST(PlanArrival, AnArrivalForASupersededRestockIsHeld) {
  CountingIds ids;
  const auto plan = plan_arrival(arrival("req-1"),
                                 on_shelf(1, "r2", restock(RestockState::superseded)), kNow, ids);
  expect_held(plan, HeldReason::superseded_restock, 1);
  ASSERT_EQ(plan.timeline.size(), 1u);
  EXPECT_EQ(plan.timeline[0].kind, TimelineKind::held_arrival);
}

TEST(PlanArrival, AnArrivalForNoKnownRestockIsHeldWithNoTimeline) {
  CountingIds ids;
  Arrival foreign = arrival("req-9");
  foreign.restock_id.clear();
  const auto plan = plan_arrival(foreign, on_shelf(2, "r1", std::nullopt), kNow, ids);
  expect_held(plan, HeldReason::unknown_restock, 2);
  EXPECT_TRUE(plan.timeline.empty()) << "no restock to write on";
  const auto unknown = plan_arrival(arrival("req-8"), on_shelf(2, "r1", std::nullopt), kNow, ids);
  expect_held(unknown, HeldReason::unknown_restock, 2);
  EXPECT_EQ(ids.next_id(), "id1") << "no id spent on a held arrival";
}

// The factory may call back before the worker marks the restock requested.
TEST(PlanArrival, AnArrivalForAnOpenRestockIsApplied) {
  CountingIds ids;
  const auto plan =
      plan_arrival(arrival("req-1"), on_shelf(0, "r1", restock(RestockState::open)), kNow, ids);
  EXPECT_EQ(plan.outcome.status, ArrivalStatus::applied);
  EXPECT_TRUE(plan.close_restock && plan.clear_open_restock);
  EXPECT_FALSE(plan.hold);
}

TEST(PlanArrival, ARedeliveryOfAHeldRequestIdChangesNothingButTheTimeline) {
  CountingIds ids;
  auto snapshot = on_shelf(5, "", restock(RestockState::arrived));
  snapshot.request_held = true;
  const auto plan = plan_arrival(arrival("req-2"), snapshot, kNow, ids);
  EXPECT_EQ(plan.outcome.status, ArrivalStatus::duplicate);
  EXPECT_FALSE(plan.hold || plan.record_arrival || plan.add_stock);
  ASSERT_EQ(plan.timeline.size(), 1u);
  EXPECT_EQ(plan.timeline[0].detail, "request req-2 was already held for the operator");
}

HeldArrival held(HeldReason reason = HeldReason::already_arrived) {
  return {arrival("req-2", 3), reason, kEarlier, std::nullopt, std::nullopt};
}

TEST(PlanHeldDecision, AReleaseAddsTheStockOnceAndQueuesTheArrival) {
  CountingIds ids;
  const auto plan = plan_held_decision(held(), HeldDecision::released, 5, kNow, ids);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->record);
  EXPECT_TRUE(plan->add_stock);
  EXPECT_EQ(plan->stock_after, 8);
  EXPECT_EQ(plan->after.decision, HeldDecision::released);
  EXPECT_EQ(plan->after.decided_at, kNow);
  ASSERT_TRUE(plan->timeline);
  EXPECT_EQ(plan->timeline->kind, TimelineKind::arrived);
  ASSERT_TRUE(plan->event);
  EXPECT_EQ(plan->event->request_id, "req-2");
  EXPECT_EQ(plan->event->stock_after, 8);

  const auto again = plan_held_decision(plan->after, HeldDecision::released, 8, kNow, ids);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->record || again->add_stock || again->event || again->timeline);
  EXPECT_EQ(again->stock_after, 8);
  EXPECT_EQ(plan_held_decision(plan->after, HeldDecision::discarded, 8, kNow, ids).error().code,
            ErrorCode::conflict);
}

TEST(PlanHeldDecision, ADiscardAddsNothing) {
  CountingIds ids;
  const auto plan =
      plan_held_decision(held(HeldReason::unknown_restock), HeldDecision::discarded, 5, kNow, ids);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->record);
  EXPECT_FALSE(plan->add_stock || plan->event);
  EXPECT_FALSE(plan->timeline) << "no restock to write on";
  EXPECT_EQ(plan->stock_after, 5);
  EXPECT_EQ(plan->after.decision, HeldDecision::discarded);
  EXPECT_EQ(plan_held_decision(plan->after, HeldDecision::released, 5, kNow, ids).error().code,
            ErrorCode::conflict);
}

TEST(PlanHeldDecision, MovesTheHeldFigures) {
  CountingIds ids;
  TotalChanges changes;
  const auto plan = plan_held_decision(held(), HeldDecision::released, 5, kNow, ids);
  count_held_decision(*plan, changes);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].figure, figure::kArrivalsHeldWaiting);
  EXPECT_EQ(changes[0].delta, -1);
  EXPECT_EQ(changes[2].figure, figure::kUnitsArrived);
  EXPECT_EQ(changes[2].delta, 3);
}

TEST(HeldArrivals, ReasonsAndDecisionsParseBack) {
  for (auto reason :
       {HeldReason::unknown_restock, HeldReason::superseded_restock, HeldReason::already_arrived}) {
    EXPECT_EQ(parse_held_reason(to_string(reason)), reason);
  }
  for (auto decision : {HeldDecision::released, HeldDecision::discarded}) {
    EXPECT_EQ(parse_held_decision(to_string(decision)), decision);
  }
  EXPECT_FALSE(parse_held_reason("Released"));
  EXPECT_FALSE(parse_held_decision(""));
}

TEST(PlanArrival, AnUnknownProductIsRefusedWithNothingToWrite) {
  CountingIds ids;
  const auto plan = plan_arrival(arrival("req-1"), ArrivalSnapshot{}, kNow, ids);
  EXPECT_EQ(plan.outcome.status, ArrivalStatus::unknown_product);
  EXPECT_FALSE(plan.record_arrival || plan.add_stock || plan.close_restock);
  EXPECT_TRUE(plan.timeline.empty());
  EXPECT_FALSE(plan.event);
}

TEST(PlanArrival, ThePlantedDefectAppliesARepeatWithoutRecordingItTwice) {
  CountingIds ids;
  auto snapshot = on_shelf(5, "", restock(RestockState::arrived));
  snapshot.request_applied = true;
  planted::plant(planted::Defect::arrival_applied_twice);
  const auto plan = plan_arrival(arrival("req-1"), snapshot, kNow, ids);
  planted::plant(planted::Defect::none);
  EXPECT_EQ(plan.outcome.status, ArrivalStatus::applied);
  EXPECT_EQ(plan.outcome.stock_after, 10);
  EXPECT_FALSE(plan.record_arrival) << "its row exists; only the stock is applied again";
}

// --- vocabularies ------------------------------------------------------------------------------

TEST(TimelineKinds, EachKindHasOneSpellingThatParsesBack) {
  std::set<std::string_view> names;
  for (TimelineKind kind : all_timeline_kinds()) {
    const auto name = to_string(kind);
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(parse_timeline_kind(name), kind) << name;
  }
  EXPECT_EQ(names.size(), 17u);
  EXPECT_FALSE(parse_timeline_kind("Arrived"));
  EXPECT_FALSE(parse_timeline_kind(""));
}

TEST(TimelineKinds, EachFactoryAnswerIsAFactoryKind) {
  for (FactoryAnswer answer : all_factory_answers()) {
    const TimelineKind kind = timeline_kind(answer);
    EXPECT_EQ(to_string(kind), "factory_" + std::string(to_string(answer)));
    EXPECT_EQ(factory_answer(kind), answer);
  }
  EXPECT_FALSE(factory_answer(TimelineKind::mail));
}

// The console (src/web/ops.js, as embedded in the binary) names the kinds it singles out in one
// object, KIND: each must be a kind the warehouse writes, and its factory kinds must be every
// factory answer, so that a kind renamed or added in the domain cannot drift from the page.
TEST(TimelineKinds, TheConsoleKnowsTheDomainsKinds) {
  const std::string page(api::ops_js());
  std::smatch block;
  ASSERT_TRUE(
      std::regex_search(page, block, std::regex(R"(const KIND = Object\.freeze\(\{([^}]*)\}\))")))
      << "ops.js declares its timeline kinds in `const KIND = Object.freeze({...})`";
  const std::string kinds_block = block[1];
  std::set<TimelineKind> factory_kinds;
  std::size_t named = 0;
  const std::regex literal(R"('([a-z_]+)')");
  for (std::sregex_iterator it(kinds_block.begin(), kinds_block.end(), literal), end; it != end;
       ++it) {
    const std::string name = (*it)[1];
    const auto kind = parse_timeline_kind(name);
    ASSERT_TRUE(kind) << "ops.js knows a timeline kind the domain does not: " << name;
    ++named;
    if (factory_answer(*kind)) factory_kinds.insert(*kind);
  }
  EXPECT_GE(named, 2u);
  std::set<TimelineKind> domain_factory_kinds;
  for (FactoryAnswer answer : all_factory_answers()) {
    domain_factory_kinds.insert(timeline_kind(answer));
  }
  EXPECT_EQ(factory_kinds, domain_factory_kinds) << "ops.js lists every factory answer's kind";
  std::smatch prefix;
  ASSERT_TRUE(std::regex_search(page, prefix, std::regex(R"(const FACTORY_PREFIX = '([a-z_]+)')")));
  for (TimelineKind kind : domain_factory_kinds) {
    EXPECT_TRUE(to_string(kind).starts_with(prefix[1].str())) << to_string(kind);
  }
}

// The API document (docs/openapi/donut-states.json, as embedded) lists a timeline entry's kinds:
// exactly the domain's, in their order.
TEST(TimelineKinds, TheApiDocumentListsTheDomainsKinds) {
  const auto document = boost::json::parse(api::shop_openapi_document());
  const auto* kinds =
      document.at_pointer("/components/schemas/RestockEvent/properties/kind/enum").if_array();
  ASSERT_NE(kinds, nullptr);
  std::vector<std::string> documented, domain;
  for (const auto& kind : *kinds) documented.emplace_back(kind.as_string());
  for (TimelineKind kind : all_timeline_kinds()) domain.emplace_back(to_string(kind));
  EXPECT_EQ(documented, domain);
}

TEST(OrderStatuses, EachStatusParsesBack) {
  for (auto status : {OrderStatus::sold, OrderStatus::out_of_stock, OrderStatus::unknown_product,
                      OrderStatus::key_reused}) {
    EXPECT_EQ(parse_order_status(to_string(status)), status);
  }
  EXPECT_FALSE(parse_order_status("SOLD"));
}

}  // namespace
}  // namespace donut::domain
