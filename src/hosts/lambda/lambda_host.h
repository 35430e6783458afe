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

// API Gateway's events, dispatched to `router`. A body longer than `body_limit` is answered 413
// before any route reads it, as the local HTTP server does (http/server.h): API Gateway and
// Lambda would let megabytes through.
InvocationHandler http_api_handler(const http::Router& router, std::size_t body_limit = 16 * 1024);
// Puts a failed message back after `delay` (its handler's retry_after), where the host can;
// without it a failed message returns after the queue's visibility timeout.
using RetryDelay = std::function<void(const ports::ReceivedMessage& message, Millis delay)>;

// Lambda stops a function at its deadline (Lambda-Runtime-Deadline-Ms) and SQS then retries the
// whole batch. So the batch is handled one message at a time, and a message is only started
// while at least `message_budget` is left before the deadline (what one message needs to be
// worth starting: a factory call long enough to be answered, say); the rest are reported as
// failures and only they come back. A started message cannot overrun: its remote calls are cut
// to the time left (see kAnswerMargin).
InvocationHandler sqs_handler(app::BatchHandler handler, RetryDelay retry_delay = {},
                              Millis message_budget = std::chrono::seconds(2));

// Work an invocation does after its answer was sent (Lambda returns a synchronous answer to its
// caller as soon as the runtime posts it; the environment stays busy, and the invocation's
// deadline still applies, until the runtime asks for the next one).
using AfterResponse = std::function<void(const Invocation&)>;

// Time kept before an invocation's deadline for what follows the last remote call: the store's
// last step, the answer to the Runtime API. Remote calls made while an invocation is handled
// (AWS, the factory) are bounded by the deadline less this (common/deadline.h).
inline constexpr Millis kAnswerMargin{1500};

// Serves invocations until `max_invocations` (0: forever) or until the Runtime API fails.
Status run(RuntimeApi& api, const InvocationHandler& handler, int max_invocations = 0,
           const AfterResponse& after_response = {});

}  // namespace donut::lambda
