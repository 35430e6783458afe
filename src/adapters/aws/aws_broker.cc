#include "adapters/aws/aws_broker.h"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <set>

#include <boost/json.hpp>

namespace donut::aws {
namespace {

namespace json = boost::json;

// SQS counts in whole seconds; round up so a timeout is never shorter than asked.
int whole_seconds(Millis duration, int max) {
  if (duration.count() <= 0) return 0;
  return static_cast<int>(std::min<int64_t>(max, (duration.count() + 999) / 1000));
}

int64_t number_or_zero(const StringMap& attributes, std::string_view name) {
  auto it = attributes.find(name);
  if (it == attributes.end()) return 0;
  int64_t value = 0;
  const std::string& text = it->second;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

std::string filter_policy(const std::vector<std::string>& types) {
  json::array values;
  for (const auto& type : types) values.emplace_back(type);
  return json::serialize(json::object{{"type", std::move(values)}});
}

std::string topic_to_queue_policy(const std::string& queue_arn, const std::string& topic_arn) {
  json::object statement{{"Effect", "Allow"},
                         {"Principal", {{"Service", "sns.amazonaws.com"}}},
                         {"Action", "sqs:SendMessage"},
                         {"Resource", queue_arn},
                         {"Condition", {{"ArnEquals", {{"aws:SourceArn", topic_arn}}}}}};
  return json::serialize(
      json::object{{"Version", "2012-10-17"}, {"Statement", json::array{std::move(statement)}}});
}

}  // namespace

AwsBroker::AwsBroker(std::shared_ptr<const AwsCaller> caller, AwsBrokerSettings settings)
    : caller_(std::move(caller)), sqs_(*caller_), sns_(*caller_), settings_(std::move(settings)) {}

std::string AwsBroker::physical(std::string_view logical) const {
  return settings_.name_prefix + std::string(logical);
}

std::string AwsBroker::logical_from_arn(std::string_view arn) const {
  auto name = arn.substr(arn.rfind(':') + 1);
  if (name.starts_with(settings_.name_prefix)) name.remove_prefix(settings_.name_prefix.size());
  return std::string(name);
}

Result<std::string> AwsBroker::look_up_url(std::string_view logical, bool create) {
  const std::string name = physical(logical);
  auto url = sqs_.get_queue_url(name);
  if (!url && url.error().code == ErrorCode::not_found && create) {
    url = sqs_.create_queue(name, {});
  }
  return url;
}

Result<std::string> AwsBroker::arn_of(const QueueInfo& info) {
  if (!info.arn.empty()) return info.arn;
  const std::string attribute_names[] = {"QueueArn"};
  auto attributes = sqs_.get_queue_attributes(info.url, attribute_names);
  if (!attributes) return attributes.error();
  auto arn = (*attributes)["QueueArn"];
  if (arn.empty())
    return make_error(ErrorCode::unavailable, "SQS queue " + info.url + " has no QueueArn");
  return arn;
}

Result<AwsBroker::QueueInfo> AwsBroker::declare_queue(const ports::QueueSpec& spec) {
  DONUT_ASSIGN_OR_RETURN(auto url, look_up_url(spec.name, settings_.manage_resources));
  QueueInfo info{std::move(url), "", spec.dead_letter_queue};
  DONUT_ASSIGN_OR_RETURN(info.arn, arn_of(info));
  return info;
}

Status AwsBroker::declare(const ports::Topology& topology) {
  std::map<std::string, QueueInfo, std::less<>> declared;
  for (const auto& spec : topology.queues) {
    auto info = declare_queue(spec);
    if (!info) return info.error();
    declared.emplace(spec.name, std::move(*info));
  }
  if (settings_.manage_resources) {
    for (const auto& spec : topology.queues) {
      StringMap attributes{
          {"VisibilityTimeout", std::to_string(whole_seconds(spec.visibility_timeout, 43'200))},
          {"MessageRetentionPeriod",
           std::to_string(std::clamp<int64_t>(spec.retention.count(), 60, 1'209'600))}};
      if (!spec.dead_letter_queue.empty()) {
        auto dlq = declared.find(spec.dead_letter_queue);
        if (dlq == declared.end()) {
          return make_error(ErrorCode::invalid_argument,
                            "queue " + spec.name + " names an undeclared dead-letter queue " +
                                spec.dead_letter_queue);
        }
        attributes["RedrivePolicy"] = json::serialize(json::object{
            {"deadLetterTargetArn", dlq->second.arn}, {"maxReceiveCount", spec.max_receive_count}});
      }
      if (auto status = sqs_.set_queue_attributes(declared.at(spec.name).url, attributes);
          !status) {
        return status;
      }
    }
  }
  std::map<std::string, std::string, std::less<>> topics;
  for (const auto& subscription : topology.subscriptions) {
    auto queue = declared.find(subscription.queue);
    if (queue == declared.end()) {
      return make_error(ErrorCode::invalid_argument,
                        "subscription to an undeclared queue " + subscription.queue);
    }
    if (!settings_.manage_resources) continue;  // Terraform made the subscriptions
    auto arn = sns_.create_topic(physical(subscription.topic));
    if (!arn) return arn.error();
    topics[subscription.topic] = *arn;
    StringMap attributes{{"RawMessageDelivery", "true"}};
    if (!subscription.types.empty()) attributes["FilterPolicy"] = filter_policy(subscription.types);
    if (auto status = sqs_.set_queue_attributes(
            queue->second.url, {{"Policy", topic_to_queue_policy(queue->second.arn, *arn)}});
        !status) {
      return status;
    }
    auto subscribed = sns_.subscribe(*arn, "sqs", queue->second.arn, attributes);
    if (!subscribed) return subscribed.error();
  }

  std::unique_lock lock(mutex_);
  for (auto& [name, info] : declared) {
    if (!info.dead_letter_queue.empty()) source_of_[info.dead_letter_queue] = name;
    queues_[name] = std::move(info);
  }
  for (auto& [name, arn] : topics) topics_[name] = std::move(arn);
  return ok();
}

Result<AwsBroker::QueueInfo> AwsBroker::queue(std::string_view name) {
  {
    std::shared_lock lock(mutex_);
    if (auto it = queues_.find(name); it != queues_.end()) return it->second;
  }
  if (auto it = settings_.queue_urls.find(name); it != settings_.queue_urls.end()) {
    // Configured (Terraform outputs): no lookup call, no permission to look up needed.
    return QueueInfo{it->second, "", ""};
  }
  // Only the URL: the ARN is looked up by the few calls that need it (arn_of).
  DONUT_ASSIGN_OR_RETURN(auto url, look_up_url(name, false));
  std::unique_lock lock(mutex_);
  return queues_.emplace(std::string(name), QueueInfo{std::move(url), "", ""}).first->second;
}

Result<std::string> AwsBroker::topic_arn(std::string_view topic) {
  {
    std::shared_lock lock(mutex_);
    if (auto it = topics_.find(topic); it != topics_.end()) return it->second;
  }
  if (auto it = settings_.topic_arns.find(topic); it != settings_.topic_arns.end()) {
    return it->second;
  }
  if (!settings_.manage_resources) {
    return make_error(ErrorCode::not_found,
                      "no SNS topic ARN configured for " + std::string(topic));
  }
  auto arn = sns_.create_topic(physical(topic));
  if (!arn) return arn.error();
  std::unique_lock lock(mutex_);
  return topics_.emplace(std::string(topic), std::move(*arn)).first->second;
}

Status AwsBroker::publish(std::string_view topic, const ports::OutgoingMessage& message) {
  auto arn = topic_arn(topic);
  if (!arn) return arn.error();
  StringMap attributes(message.attributes.begin(), message.attributes.end());
  auto id = sns_.publish(*arn, message.body, attributes);
  if (!id) return id.error();
  return ok();
}

Status AwsBroker::send(std::string_view queue_name, const ports::OutgoingMessage& message) {
  auto info = queue(queue_name);
  if (!info) return info.error();
  StringMap attributes(message.attributes.begin(), message.attributes.end());
  auto id =
      sqs_.send_message(info->url, message.body, attributes, whole_seconds(message.delay, 900));
  if (!id) return id.error();
  return ok();
}

Result<std::vector<ports::ReceivedMessage>> AwsBroker::receive_once(std::string_view queue_name,
                                                                    const QueueInfo& info,
                                                                    const SqsReceive& request,
                                                                    std::stop_token stop) {
  auto received = sqs_.receive_message(info.url, request, std::move(stop));
  if (!received) return received.error();
  std::string source;
  {
    std::shared_lock lock(mutex_);
    if (auto it = source_of_.find(queue_name); it != source_of_.end()) source = it->second;
  }
  std::vector<ports::ReceivedMessage> messages;
  messages.reserve(received->size());
  for (auto& m : *received) {
    ports::ReceivedMessage message;
    message.message_id = std::move(m.message_id);
    message.receipt = std::move(m.receipt_handle);
    message.body = std::move(m.body);
    message.attributes = ports::Attributes(m.attributes.begin(), m.attributes.end());
    message.receive_count =
        static_cast<int>(number_or_zero(m.system_attributes, "ApproximateReceiveCount"));
    message.sent_at = from_unix_ms(number_or_zero(m.system_attributes, "SentTimestamp"));
    if (auto it = m.system_attributes.find("DeadLetterQueueSourceArn");
        it != m.system_attributes.end()) {
      message.source_queue = logical_from_arn(it->second);
    } else {
      message.source_queue = source;
    }
    messages.push_back(std::move(message));
  }
  return messages;
}

Result<std::vector<ports::ReceivedMessage>> AwsBroker::receive(std::string_view queue_name,
                                                               const ports::ReceiveOptions& options,
                                                               std::stop_token stop) {
  auto info = queue(queue_name);
  if (!info) return info.error();
  SqsReceive request;
  request.max_messages = std::clamp(options.max_messages, 1, 10);
  if (options.visibility_timeout) {
    request.visibility_seconds = whole_seconds(*options.visibility_timeout, 43'200);
  }
  // Long polls longer than SQS's 20 s maximum are several polls.
  const auto deadline = std::chrono::steady_clock::now() + options.wait;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    request.wait_seconds = options.wait.count() > 0 ? std::max(1, whole_seconds(left, 20)) : 0;
    auto messages = receive_once(queue_name, *info, request, stop);
    if (!messages) {
      if (stop.stop_requested()) return std::vector<ports::ReceivedMessage>{};
      return messages.error();
    }
    if (!messages->empty() || stop.stop_requested() || left <= Millis(20'000)) return messages;
  }
}

Status AwsBroker::delete_message(std::string_view queue_name, std::string_view receipt) {
  auto info = queue(queue_name);
  if (!info) return info.error();
  auto status = sqs_.delete_message(info->url, receipt);
  // SQS ignores a stale receipt; some endpoints call it invalid. Either way nothing to delete.
  if (!status && status.error().code == ErrorCode::not_found) return ok();
  return status;
}

Status AwsBroker::delete_messages(std::string_view queue_name,
                                  std::span<const std::string> receipts) {
  auto info = queue(queue_name);
  if (!info) return info.error();
  for (std::size_t start = 0; start < receipts.size(); start += 10) {
    auto chunk = receipts.subspan(start, std::min<std::size_t>(10, receipts.size() - start));
    auto failures = sqs_.delete_message_batch(info->url, chunk);
    if (!failures) return failures.error();
    for (const auto& failure : *failures) {
      if (classify_aws_error(failure.code, 400) == ErrorCode::not_found) continue;
      return make_error(ErrorCode::unavailable,
                        "SQS.DeleteMessageBatch: " + failure.code + ": " + failure.message);
    }
  }
  return ok();
}

Status AwsBroker::change_visibility(std::string_view queue_name, std::string_view receipt,
                                    Millis timeout) {
  auto info = queue(queue_name);
  if (!info) return info.error();
  return sqs_.change_message_visibility(info->url, receipt, whole_seconds(timeout, 43'200));
}

Result<ports::QueueStats> AwsBroker::stats(std::string_view queue_name) {
  auto info = queue(queue_name);
  if (!info) return info.error();
  const std::string names[] = {"ApproximateNumberOfMessages",
                               "ApproximateNumberOfMessagesNotVisible",
                               "ApproximateNumberOfMessagesDelayed"};
  auto attributes = sqs_.get_queue_attributes(info->url, names);
  if (!attributes) return attributes.error();
  ports::QueueStats stats;
  stats.queue = std::string(queue_name);
  stats.visible = number_or_zero(*attributes, names[0]);
  stats.in_flight = number_or_zero(*attributes, names[1]);
  stats.delayed = number_or_zero(*attributes, names[2]);
  stats.dead_letter_queue = info->dead_letter_queue;
  return stats;
}

Result<std::vector<ports::ReceivedMessage>> AwsBroker::peek(std::string_view queue_name, int max) {
  auto info = queue(queue_name);
  if (!info) return info.error();
  if (!info->dead_letter_queue.empty()) {
    // SQS has no look without a receive, and every receive counts toward the redrive policy's
    // maxReceiveCount: a few looks would send a work queue's messages to its dead-letter queue
    // unprocessed. Dead-letter queues have no redrive policy; they may be looked at.
    return make_error(ErrorCode::invalid_argument,
                      std::string(queue_name) +
                          " is a work queue: on SQS a look is a receive, which counts toward "
                          "its dead-letter queue; look at " +
                          info->dead_letter_queue + " instead, or at the queue's counts");
  }
  std::vector<ports::ReceivedMessage> seen;
  std::set<std::string> ids;
  SqsReceive request;
  request.wait_seconds = 1;         // a long poll asks every SQS server, a short one samples
  request.visibility_seconds = 30;  // held while we collect, then put straight back
  while (static_cast<int>(seen.size()) < max) {
    request.max_messages = std::min(10, max - static_cast<int>(seen.size()));
    auto batch = receive_once(queue_name, *info, request, {});
    if (!batch) return batch.error();
    if (batch->empty()) break;
    for (auto& message : *batch) {
      if (ids.insert(message.message_id).second) seen.push_back(std::move(message));
    }
  }
  for (const auto& message : seen) {
    (void)sqs_.change_message_visibility(info->url, message.receipt, 0);
  }
  return seen;
}

Result<int64_t> AwsBroker::redrive(std::string_view dead_letter_queue, int64_t max) {
  auto dlq = queue(dead_letter_queue);
  if (!dlq) return dlq.error();
  std::string source_name;
  {
    std::shared_lock lock(mutex_);
    if (auto it = source_of_.find(dead_letter_queue); it != source_of_.end()) {
      source_name = it->second;
    }
  }
  if (source_name.empty()) return ports::no_source_queue(dead_letter_queue);
  auto depth = stats(dead_letter_queue);
  if (!depth) return depth.error();
  if (depth->visible == 0) return 0;
  if (max >= depth->visible) {
    DONUT_ASSIGN_OR_RETURN(auto arn, arn_of(*dlq));
    auto task = sqs_.start_message_move_task(arn);
    if (!task) return task.error();
    if (*task) return depth->visible;
  }
  auto source = queue(source_name);
  if (!source) return source.error();
  int64_t moved = 0;
  SqsReceive request;
  request.wait_seconds = 1;  // a long poll asks every SQS server, a short one samples
  request.visibility_seconds = 60;
  while (moved < max) {
    request.max_messages = static_cast<int>(std::min<int64_t>(10, max - moved));
    auto batch = sqs_.receive_message(dlq->url, request);
    if (!batch) return batch.error();
    if (batch->empty()) break;
    for (const auto& message : *batch) {
      auto sent = sqs_.send_message(source->url, message.body, message.attributes);
      if (!sent) return sent.error();
      if (auto status = sqs_.delete_message(dlq->url, message.receipt_handle); !status) {
        return status.error();
      }
      ++moved;
    }
  }
  return moved;
}

Result<int64_t> AwsBroker::purge(std::string_view queue_name) {
  auto info = queue(queue_name);
  if (!info) return info.error();
  auto before = stats(queue_name);
  if (!before) return before.error();
  if (auto status = sqs_.purge_queue(info->url); !status) return status.error();
  return before->visible + before->in_flight + before->delayed;
}

}  // namespace donut::aws
