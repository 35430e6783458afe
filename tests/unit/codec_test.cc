// JSON codecs: events, arrivals, the Legacy Factory contract, the admin API read back by its
// client, strict field access.
#include <gtest/gtest.h>

#include "codec/admin_json.h"
#include "codec/attributes_json.h"
#include "codec/events_json.h"
#include "codec/factory_json.h"
#include "codec/json_fields.h"
#include "codec/json_text.h"
#include "codec/sales_json.h"

namespace donut::codec {
namespace {

const TimePoint kNow = from_unix_ms(1'764'000'000'123);

TEST(EventsJson, EveryEventRoundTrips) {
  std::vector<domain::Event> events = {
      domain::StockEmpty{"e1", "CP-1", "r1", 10, 3, kNow},
      domain::RestockRequested{"e2", "CP-1", "r1", 10, kNow},
      domain::StockArrived{"e3", "CP-1", "r1", "q1", 10, 12, kNow},
  };
  for (const auto& event : events) {
    auto decoded = decode_event(encode_event(event));
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(domain::event_type(*decoded), domain::event_type(event));
    EXPECT_EQ(encode_event(*decoded), encode_event(event));
  }
}

TEST(EventsJson, RefusesBrokenMessages) {
  EXPECT_FALSE(decode_event("not json"));
  EXPECT_FALSE(decode_event("[]"));
  EXPECT_FALSE(decode_event(R"({"type":"stock.exploded"})"));
  EXPECT_FALSE(decode_event(R"({"type":"stock.empty","event_id":"e","product_id":"p"})"));
  EXPECT_FALSE(decode_event(
      R"({"type":"stock.empty","event_id":"e","product_id":"p","restock_id":"r","restock_quantity":"10","occurred_at_ms":1})"));
  // Unknown fields are tolerated in internal messages (newer producers).
  EXPECT_TRUE(decode_event(
      R"({"type":"stock.empty","event_id":"e","product_id":"p","restock_id":"r","restock_quantity":10,"occurred_at_ms":1,"extra":true})"));
}

TEST(ArrivalJson, RoundTrips) {
  domain::Arrival a{"q1", "r1", "CP-1", 7, "FF-1", kNow};
  auto decoded = decode_arrival(encode_arrival(a));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->request_id, "q1");
  EXPECT_EQ(decoded->quantity, 7);
  EXPECT_EQ(decoded->received_at, kNow);
}

TEST(FactoryJson, UsesTheLegacyFieldNames) {
  ports::ManufactureRequest r;
  r.product_id = "CP-502101";
  r.quantity = 10;
  r.factory_id = "FF-500293";
  r.requester = "donut-states";
  r.request_id = "01J";
  r.callback_url = "http://127.0.0.1:8080/v1/stock-arrivals";
  const auto text = encode_manufacture_request(r);
  for (const char* field :
       {"\"MessageGroupId\":\"stock-arrival-group\"", "\"MessageAttributeProductId\":\"CP-502101\"",
        "\"MessageAttributeProductCnt\":10", "\"MessageAttributeFactoryId\":\"FF-500293\"",
        "\"MessageAttributeRequester\":\"donut-states\"",
        "\"CallbackUrl\":\"http://127.0.0.1:8080/v1/stock-arrivals\""}) {
    EXPECT_NE(text.find(field), std::string::npos) << field << " in " << text;
  }
  auto back = decode_manufacture_request(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->request_id, "01J");
}

TEST(FactoryJson, CallbackAcceptsACountAsStringAndRefusesNonsense) {
  auto c = decode_factory_callback(
      R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductCnt":"12"})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->quantity, 12);
  EXPECT_TRUE(c->request_id.empty());
  EXPECT_FALSE(decode_factory_callback(
      R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductCnt":"12abc"})"));
  EXPECT_FALSE(decode_factory_callback(
      R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductCnt":-1})"));
  EXPECT_FALSE(decode_factory_callback(R"({"MessageAttributeProductCnt":1})"));
  EXPECT_FALSE(decode_manufacture_request(
      R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductCnt":1,"CallbackUrl":"x","Evil":1})"));
  EXPECT_FALSE(decode_manufacture_request(
      R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductCnt":1,"CallbackUrl":"x"})"))
      << "a request names itself, so its callback can be applied once";
  EXPECT_FALSE(decode_manufacture_request(
      R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductCnt":1,"CallbackUrl":"x",)"
      R"("MessageAttributeRequestId":""})"));
}

// Whatever a string holds, the text written for it parses back to the same string.
TEST(JsonText, StringsRoundTripThroughAJsonParser) {
  const std::vector<std::string> values = {"",
                                           "CP-502104",
                                           "a \"quoted\" \\ value",
                                           std::string("nul\0byte", 8),
                                           "tab\tnew\nline\rcarriage\x01\x1f\x7f",
                                           "caf\xc3\xa9 \xe2\x82\xac",
                                           "</script>"};
  for (const auto& value : values) {
    std::string text;
    append_json_string(text, value);
    const auto parsed = boost::json::parse(text);
    ASSERT_TRUE(parsed.is_string()) << text;
    EXPECT_EQ(std::string(parsed.get_string()), value) << text;
  }
  std::string numbers = "[";
  append_json_int(numbers, INT64_MIN);
  numbers += ",";
  append_json_int(numbers, 0);
  numbers += ",";
  append_json_int(numbers, INT64_MAX);
  EXPECT_EQ(boost::json::parse(numbers + "]"),
            boost::json::parse("[-9223372036854775808,0,9223372036854775807]"));
}

// The answers to an order, written by hand, are the objects the API documents.
TEST(SalesJson, OrderAnswersAreTheDocumentedObjects) {
  domain::OrderOutcome sold;
  sold.order_id = "01JORDER";
  sold.product_id = "CP-1";
  sold.quantity = 2;
  sold.stock_left = 0;
  sold.decided_at = from_unix_ms(1'440'938'160'042);
  EXPECT_EQ(boost::json::parse(sold_order_json(sold)),
            boost::json::parse(R"({"order_id":"01JORDER","product_id":"CP-1","quantity":2,)"
                               R"("stock_left":0,"created_at":"2015-08-30T12:36:00.042Z"})"));
  sold.restock_id = "01JRESTOCK";
  EXPECT_EQ(boost::json::parse(sold_order_json(sold)).at("restock_id"), "01JRESTOCK");

  domain::OrderOutcome refused;
  refused.status = domain::OrderStatus::out_of_stock;
  refused.product_id = "CP-\"1";
  refused.stock_left = 1;
  EXPECT_EQ(boost::json::parse(refused_order_json(refused)),
            boost::json::parse(R"({"error":{"code":"out_of_stock",)"
                               R"("message":"not enough stock for this order"},)"
                               R"("product_id":"CP-\"1","stock_left":1,"restock_id":null})"));
  refused.restock_id = "01JRESTOCK";
  const auto answer = boost::json::parse(refused_order_json(refused));
  EXPECT_EQ(answer.at("restock_id"), "01JRESTOCK");
  EXPECT_EQ(answer.at("error").at("message"),
            "not enough stock for this order; a restock has been requested");
}

TEST(JsonFields, IntegersAreStrict) {
  auto v = parse_json(R"({"a":1,"b":1.0,"c":"1","d":18446744073709551615,"e":null})");
  ASSERT_TRUE(v);
  const auto& o = v->get_object();
  EXPECT_EQ(*required_int(o, "a"), 1);
  EXPECT_FALSE(required_int(o, "b"));
  EXPECT_FALSE(required_int(o, "c"));
  EXPECT_FALSE(required_int(o, "d"));
  EXPECT_FALSE(required_int(o, "missing"));
  EXPECT_EQ(*optional_int(o, "e", 7), 7);
  EXPECT_FALSE(only_fields(o, {"a"}));
}

TEST(JsonFields, DepthIsLimited) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  auto v = parse_json(deep);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::invalid_argument);
}

TEST(AttributesJson, RoundTrips) {
  ports::Attributes a{{"type", "stock.empty"}, {"x", "y"}};
  EXPECT_EQ(*decode_attributes(encode_attributes(a)), a);
  EXPECT_FALSE(decode_attributes(R"({"type":1})"));
}

// What `donut surge` reads of the admin API is what the server writes, field by field.
TEST(AdminJson, TheClientReadsBackTheFiguresTheServerWrites) {
  ports::ProductStats p;
  p.product_id = "CP-1";
  int64_t n = 0;
  for (int64_t* count :
       {&p.stock, &p.orders, &p.units_sold, &p.arrivals, &p.units_arrived, &p.restocks_open,
        &p.restocks_requested, &p.restocks_arrived, &p.restocks_superseded}) {
    *count = ++n;  // each field its own value, so a swap shows
  }
  ports::WarehouseStats stats;
  stats.products = {p};
  auto read = decode_product_stats(warehouse_stats_json(stats, std::nullopt));
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->size(), 1u);
  const auto& got = read->front();
  EXPECT_EQ(got.product_id, "CP-1");
  EXPECT_EQ(std::vector<int64_t>({got.stock, got.orders, got.units_sold, got.arrivals,
                                  got.units_arrived, got.restocks_open, got.restocks_requested,
                                  got.restocks_arrived, got.restocks_superseded}),
            std::vector<int64_t>({1, 2, 3, 4, 5, 6, 7, 8, 9}));

  auto queue = decode_queue_stats(queue_stats_json({"factory-requests", 3, 2, 1, "dlq"}));
  ASSERT_TRUE(queue) << queue.error().message;
  EXPECT_EQ(queue->queue, "factory-requests");
  EXPECT_EQ(queue->visible + queue->in_flight + queue->delayed, 6);
  EXPECT_EQ(queue->dead_letter_queue, "dlq");
}

TEST(AdminJson, TheClientRefusesMalformedFigures) {
  EXPECT_FALSE(decode_product_stats("<html>"));
  EXPECT_FALSE(decode_product_stats(R"({"products":7})"));
  EXPECT_FALSE(decode_product_stats(R"({"products":[{"product_id":"CP-1","stock":1}]})"));
  EXPECT_FALSE(decode_queue_stats(R"({"queue":"q","visible":"3","in_flight":0,"delayed":0})"));
  EXPECT_TRUE(decode_product_stats(R"({"products":[],"added_later":true})"))
      << "fields a newer server adds are ignored";
}

}  // namespace
}  // namespace donut::codec
