// The domain core: the selling rule, the restock policy, restock claims and validation.
#include <gtest/gtest.h>

#include "common/logging.h"
#include "common/trace.h"
#include "domain/events.h"
#include "domain/order.h"
#include "domain/restock.h"
#include "domain/sales.h"
#include "domain/validation.h"

namespace donut::domain {
namespace {

const TimePoint kNow = from_unix_ms(1'764'000'000'000);

constexpr ReorderRule kAtZero{0, 10};

TEST(SellingRule, SellsWhenEnoughAndNeverGoesNegative) {
  StockState state{5, 10, "", {}};
  RestockPolicy policy;
  auto d = apply_sale(state, 3, kAtZero, policy, kNow);
  EXPECT_TRUE(d.sold);
  EXPECT_EQ(d.stock_left, 2);
  EXPECT_FALSE(d.open_restock);
  d = apply_sale(state, 3, kAtZero, policy, kNow);
  EXPECT_FALSE(d.sold);
  EXPECT_EQ(state.stock, 2);
  EXPECT_TRUE(d.open_restock) << "a refused order opens a restock";
}

TEST(SellingRule, EmptyingTheShelfOpensARestockOnce) {
  StockState state{2, 10, "", {}};
  RestockPolicy policy;
  auto d = apply_sale(state, 2, kAtZero, policy, kNow);
  EXPECT_TRUE(d.sold);
  EXPECT_TRUE(d.open_restock);
  record_restock_opened(state, "r1", kNow);
  d = apply_sale(state, 1, kAtZero, policy, kNow + Millis(1));
  EXPECT_FALSE(d.sold);
  EXPECT_FALSE(d.open_restock) << "one open restock per product";
}

TEST(SellingRule, ASaleAtOrBelowTheReorderPointOpensARestockBeforeTheShelfIsEmpty) {
  StockState state{10, 5, "", {}};
  RestockPolicy policy;
  const ReorderRule rule{4, 8};
  auto d = apply_sale(state, 5, rule, policy, kNow);
  EXPECT_TRUE(d.sold);
  EXPECT_FALSE(d.open_restock) << "5 left, above the reorder point";
  d = apply_sale(state, 1, rule, policy, kNow);
  EXPECT_TRUE(d.sold);
  EXPECT_EQ(d.stock_left, 4);
  EXPECT_TRUE(d.open_restock) << "4 left: at the reorder point";
}

TEST(RestockPolicy, StaleRestockIsReplacedAndZeroQuantityDisables) {
  RestockPolicy policy;
  StockState state{0, 10, "r1", kNow};
  EXPECT_FALSE(policy.may_open(state, kNow + std::chrono::minutes(59)));
  EXPECT_TRUE(policy.may_open(state, kNow + std::chrono::hours(1)));
  StockState off{0, 0, "", {}};
  EXPECT_FALSE(policy.may_open(off, kNow));
}

TEST(Names, AValueOutsideTheEnumHasAName) {
  EXPECT_EQ(to_string(static_cast<OrderStatus>(99)), "unknown");
  EXPECT_EQ(to_string(static_cast<RestockState>(99)), "open");
  EXPECT_EQ(to_string(OrderStatus::key_reused), "key_reused");
}

TEST(RestockClaim, Verdicts) {
  Restock r;
  r.id = "r1";
  r.state = RestockState::open;
  EXPECT_EQ(decide_claim(r, "a", kNow).verdict, ClaimVerdict::granted);
  r.claimed_by = "a";
  r.claim_expires_at = kNow + Millis(100);
  EXPECT_EQ(decide_claim(r, "a", kNow).verdict, ClaimVerdict::granted) << "renewal by the owner";
  auto busy = decide_claim(r, "b", kNow);
  EXPECT_EQ(busy.verdict, ClaimVerdict::busy);
  EXPECT_EQ(busy.busy_until, r.claim_expires_at);
  EXPECT_EQ(decide_claim(r, "b", kNow + Millis(100)).verdict, ClaimVerdict::granted) << "expired";
  r.state = RestockState::requested;
  EXPECT_EQ(decide_claim(r, "b", kNow).verdict, ClaimVerdict::already_done);
  r.state = RestockState::arrived;
  EXPECT_EQ(decide_claim(r, "b", kNow).verdict, ClaimVerdict::already_done);
  r.state = RestockState::superseded;
  EXPECT_EQ(decide_claim(r, "b", kNow).verdict, ClaimVerdict::superseded);
}

TEST(RestockState, NamesRoundTrip) {
  for (auto s : {RestockState::open, RestockState::requested, RestockState::arrived,
                 RestockState::superseded}) {
    EXPECT_EQ(parse_restock_state(to_string(s)), s);
  }
  EXPECT_FALSE(parse_restock_state("bogus"));
}

TEST(Validation, ProductIds) {
  EXPECT_TRUE(validate_product_id("CP-502101"));
  EXPECT_TRUE(validate_product_id("a.b_c-1"));
  EXPECT_FALSE(validate_product_id(""));
  EXPECT_FALSE(validate_product_id(std::string(65, 'a')));
  EXPECT_FALSE(validate_product_id("x' OR 1=1 --"));
  EXPECT_FALSE(validate_product_id("naïve"));
  EXPECT_EQ(validate_product_id("a b").error().code, ErrorCode::invalid_argument);
}

TEST(Validation, Quantities) {
  EXPECT_TRUE(validate_quantity(1, 1000));
  EXPECT_TRUE(validate_quantity(1000, 1000));
  EXPECT_FALSE(validate_quantity(0, 1000));
  EXPECT_FALSE(validate_quantity(-5, 1000));
  EXPECT_FALSE(validate_quantity(1001, 1000));
  EXPECT_FALSE(validate_quantity(INT64_MAX, 1000));
}

TEST(Validation, IdempotencyKeysAndStockLevels) {
  EXPECT_TRUE(validate_idempotency_key("order-123"));
  EXPECT_FALSE(validate_idempotency_key(""));
  EXPECT_FALSE(validate_idempotency_key("has space"));
  EXPECT_FALSE(validate_idempotency_key(std::string(129, 'k')));
  EXPECT_TRUE(validate_stock_level(0));
  EXPECT_FALSE(validate_stock_level(-1));
}

TEST(Events, TypeAndIdentity) {
  Event e = StockEmpty{"e1", "CP-1", "r1", 10, 0, kNow};
  EXPECT_EQ(event_type(e), "stock.empty");
  EXPECT_EQ(event_id(e), "e1");
  EXPECT_EQ(event_product_id(e), "CP-1");
  EXPECT_EQ(event_type(Event(RestockRequested{})), "restock.requested");
  EXPECT_EQ(event_type(Event(StockArrived{})), "stock.arrived");
}

TEST(Time, Rfc3339ReadsBackWhatItWrites) {
  for (TimePoint t : {kNow, kNow + Millis(7), from_unix_ms(0), from_unix_ms(4'102'444'799'999)}) {
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t) << format_rfc3339(t);
  }
  EXPECT_EQ(parse_rfc3339("2026-02-28T23:59:59.999Z"), from_unix_ms(1'772'323'199'999));
  for (const char* bad :
       {"", "2026-02-30T00:00:00.000Z", "2026-01-01T24:00:00.000Z", "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00.000+01:00", "2026-01-01 00:00:00.000Z", "2026-01-01T00:00:00.000Zx"}) {
    EXPECT_EQ(parse_rfc3339(bad), std::nullopt) << bad;
  }
}

}  // namespace

// W3C Trace Context (https://www.w3.org/TR/trace-context/#traceparent-header).
TEST(Trace, ARestockAlwaysHasTheSameTraceAndAWellFormedTraceparent) {
  const auto id = trace::trace_id_for("01JDV6M0F4Q6Y5X3K8W2N9R7TC");
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id, trace::trace_id_for("01JDV6M0F4Q6Y5X3K8W2N9R7TC"));
  EXPECT_NE(id, trace::trace_id_for("01JDV6M0F4Q6Y5X3K8W2N9R7TD"));
  const auto header = trace::traceparent(id);
  EXPECT_EQ(trace::trace_id_of(header), id);
  EXPECT_NE(trace::traceparent(id), header) << "a new parent id each time";
  // The specification's example, and what it says is invalid.
  EXPECT_EQ(trace::trace_id_of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  for (const char* bad : {"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", ""}) {
    EXPECT_FALSE(trace::trace_id_of(bad)) << bad;
  }
}

TEST(Logging, JsonLinesCarryTheScopesIdsAndEscapeTheMessage) {
  EXPECT_EQ(json_log_line("t", "info", "7", "plain"),
            R"({"time":"t","level":"info","thread":"7","msg":"plain"})");
  {
    LogScope outer{{"restock_id", "r1"}, {"order_id", ""}};
    LogScope inner{{"trace_id", "abc"}};
    EXPECT_EQ(json_log_line("t", "warn", "7", "say \"hi\"\n\x01"),
              R"({"time":"t","level":"warn","thread":"7","msg":"say \"hi\"\n\u0001",)"
              R"("restock_id":"r1","trace_id":"abc"})");
  }
  EXPECT_TRUE(log_fields().empty()) << "scopes end with their block";
}

}  // namespace donut::domain
