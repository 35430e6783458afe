#include "hosts/lambda/lambda_host.h"

#include <future>
#include <optional>

#include <spdlog/spdlog.h>

#include "common/deadline.h"
#include "hosts/lambda/events.h"

namespace donut::lambda {

InvocationHandler http_api_handler(const http::Router& router, std::size_t body_limit) {
  return [&router, body_limit](const Invocation& invocation) -> Result<std::string> {
    auto request = decode_http_api_event(invocation.event);
    if (!request) return encode_http_api_response(http::error_response(request.error()));
    if (request->body.size() > body_limit) {
      return encode_http_api_response(http::error_response(
          413, "too_large",
          "request body is larger than " + std::to_string(body_limit) + " bytes"));
    }
    // Routes may answer from another thread (the order writer); wait for the answer here.
    std::promise<http::Response> answer;
    auto answered = answer.get_future();
    router.dispatch(std::move(*request),
                    [&answer](http::Response r) { answer.set_value(std::move(r)); });
    return encode_http_api_response(answered.get());
  };
}

InvocationHandler sqs_handler(app::BatchHandler handler, RetryDelay retry_delay,
                              Millis message_budget) {
  return [handler = std::move(handler), retry_delay = std::move(retry_delay),
          message_budget](const Invocation& invocation) -> Result<std::string> {
    DONUT_ASSIGN_OR_RETURN(auto messages, decode_sqs_event(invocation.event));
    std::vector<app::MessageResult> results;
    results.reserve(messages.size());
    std::size_t left_over = 0;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      // run() set the invocation's deadline (less the answer's margin) for this thread.
      if (bounded_by_deadline(message_budget) < message_budget) {
        // Not started: back in a second for the next invocation, not after the queue's
        // visibility timeout (where the host can change it).
        results.push_back(app::MessageResult::retry(std::chrono::seconds(1)));
        ++left_over;
        continue;
      }
      auto one = handler(std::span(messages).subspan(i, 1), {});
      results.push_back(one.empty() ? app::MessageResult::retry(Millis(0)) : one.front());
    }
    if (left_over > 0) {
      spdlog::warn("{} of {} messages left for redelivery: the invocation's deadline is near",
                   left_over, messages.size());
    }
    if (retry_delay) {
      for (std::size_t i = 0; i < messages.size() && i < results.size(); ++i) {
        if (!results[i].done && results[i].retry_after > Millis(0)) {
          retry_delay(messages[i], results[i].retry_after);
        }
      }
    }
    return encode_batch_response(messages, results);
  };
}

Status run(RuntimeApi& api, const InvocationHandler& handler, int max_invocations,
           const AfterResponse& after_response) {
  for (int served = 0; max_invocations == 0 || served < max_invocations; ++served) {
    DONUT_ASSIGN_OR_RETURN(auto invocation, api.next());
    std::optional<DeadlineScope> deadline;
    if (invocation.deadline_ms > 0)
      deadline.emplace(from_unix_ms(invocation.deadline_ms) - kAnswerMargin);
    auto body = handler(invocation);
    if (body) {
      DONUT_RETURN_IF_ERROR(api.respond(invocation.request_id, *body));
      if (after_response) after_response(invocation);
    } else {
      spdlog::error("invocation {} failed: {}", invocation.request_id, body.error().message);
      DONUT_RETURN_IF_ERROR(api.fail(
          invocation.request_id, std::string(to_string(body.error().code)), body.error().message));
    }
  }
  return ok();
}

}  // namespace donut::lambda
