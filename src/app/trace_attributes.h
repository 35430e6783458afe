// The ids that follow a restock through the pipeline: every message about a restock carries
// `restock_id`, `product_id` and a W3C `traceparent` (common/trace.h) as message attributes,
// on every broker (AMQP headers on RabbitMQ, MessageAttributes on SNS and SQS, columns of the
// embedded queue); the restock worker passes the traceparent on to the factory. Handlers open a
// LogScope with them, so JSON logs of every role name the same restock and trace.
#pragma once

#include <string>
#include <string_view>

#include "ports/broker.h"

namespace donut::app {

void add_trace_attributes(ports::Attributes& attributes, std::string_view restock_id,
                          std::string_view product_id);

// The trace id of a received message: its traceparent's, else the one its restock id gives.
std::string trace_id_of(const ports::ReceivedMessage& message, std::string_view restock_id);

}  // namespace donut::app
