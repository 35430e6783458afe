// Lambda event mappings onto the same handlers the local host uses:
// - API Gateway HTTP API (payload format 2.0) events become http::Request, and the
//   http::Response goes back as {"statusCode","headers","body"}; so the Sales API and the
//   arrival intake run unchanged behind API Gateway.
// - SQS events become ports::ReceivedMessage batches for a BatchHandler; the messages it did not
//   finish are reported as {"batchItemFailures":[{"itemIdentifier": messageId}]} (the event
//   source mapping must have ReportBatchItemFailures), so only those are retried.
// Malformed events are `invalid_argument`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "app/queue_consumer.h"
#include "common/error.h"
#include "http/message.h"
#include "ports/broker.h"

namespace donut::lambda {

Result<http::Request> decode_http_api_event(std::string_view event);
std::string encode_http_api_response(const http::Response& response);

Result<std::vector<ports::ReceivedMessage>> decode_sqs_event(std::string_view event);
std::string encode_batch_response(const std::vector<ports::ReceivedMessage>& messages,
                                  const std::vector<app::MessageResult>& results);

}  // namespace donut::lambda
