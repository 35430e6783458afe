#include "app/trace_attributes.h"

#include "common/trace.h"

namespace donut::app {

void add_trace_attributes(ports::Attributes& attributes, std::string_view restock_id,
                          std::string_view product_id) {
  if (!product_id.empty()) attributes.insert_or_assign("product_id", std::string(product_id));
  if (restock_id.empty()) return;
  attributes.insert_or_assign("restock_id", std::string(restock_id));
  attributes.insert_or_assign("traceparent", trace::traceparent(trace::trace_id_for(restock_id)));
}

std::string trace_id_of(const ports::ReceivedMessage& message, std::string_view restock_id) {
  if (auto it = message.attributes.find("traceparent"); it != message.attributes.end()) {
    if (auto id = trace::trace_id_of(it->second)) return *id;
  }
  return restock_id.empty() ? std::string() : trace::trace_id_for(restock_id);
}

}  // namespace donut::app
