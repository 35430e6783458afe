// Small helpers the broker contract suites share (embedded, RabbitMQ, SNS/SQS).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "ports/broker.h"

namespace donut::testing {

// A message with a `type` attribute, as the pipeline's events carry.
inline ports::OutgoingMessage typed_message(std::string body, std::string type = "stock.empty") {
  ports::OutgoingMessage m;
  m.body = std::move(body);
  m.attributes.emplace("type", std::move(type));
  return m;
}

// Receives, failing the test (and returning nothing) on an error.
inline std::vector<ports::ReceivedMessage> receive_or_fail(ports::Broker& broker,
                                                           std::string_view queue, Millis wait,
                                                           int max = 10) {
  ports::ReceiveOptions options;
  options.max_messages = max;
  options.wait = wait;
  auto got = broker.receive(queue, options, {});
  EXPECT_TRUE(got) << got.error().message;
  return got ? *got : std::vector<ports::ReceivedMessage>{};
}

}  // namespace donut::testing
