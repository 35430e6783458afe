// The Lambda host: runs the Runtime API loop with one of the application's handlers.
//
// An `InvocationHandler` turns an event into the response body, or an Error (reported through
// the Runtime API's invocation error, so Lambda retries per its own policy). Two adapters build
// handlers from the code the local host also uses: an http::Router behind API Gateway, and a
// BatchHandler behind an SQS event source mapping.
#pragma once

#include <functional>
#include <string>

#include "app/queue_consumer.h"
#include "hosts/lambda/runtime_api.h"
#include "http/router.h"

namespace donut::lambda {

using InvocationHandler = std::function<Result<std::string>(const Invocation&)>;

InvocationHandler http_api_handler(const http::Router& router);
// Puts a failed message back after `delay` (its handler's retry_after), where the host can;
// without it a failed message returns after the queue's visibility timeout.
using RetryDelay = std::function<void(const ports::ReceivedMessage& message, Millis delay)>;

// Lambda stops a function at its deadline (Lambda-Runtime-Deadline-Ms) and SQS then retries the
// whole batch. So the batch is handled one message at a time, and a message is only started
// while at least `message_budget` is left before the deadline (the longest one message may
// take: a factory call, say); the rest are reported as failures and only they come back.
InvocationHandler sqs_handler(app::BatchHandler handler, RetryDelay retry_delay = {},
                              Millis message_budget = std::chrono::seconds(2));

// Serves invocations until `max_invocations` (0: forever) or until the Runtime API fails.
Status run(RuntimeApi& api, const InvocationHandler& handler, int max_invocations = 0);

}  // namespace donut::lambda
