// The broker port on Amazon SNS + SQS: topics are SNS topics, queues are SQS queues, a
// subscription is an SNS -> SQS subscription with raw delivery and a filter policy on the
// `type` attribute, and SQS's own redrive policy moves a message to its dead-letter queue after
// maxReceiveCount receives. The semantics of ports/broker.h are SQS's, so this adapter is thin;
// where SQS differs it is said here:
//
// - Times are whole seconds on SQS: visibility timeouts, delays and long-poll waits are rounded
//   up to the next second (a wait under a second polls for one second).
// - `peek` receives with a short visibility timeout and puts the messages straight back (SQS has
//   no peek); that counts as a receive, which is harmless on a dead-letter queue only: on a
//   queue with a dead-letter queue (a work queue) it is refused, `invalid_argument`, since a few
//   looks would dead-letter its messages unprocessed.
// - `redrive` of everything starts an SQS message move task (StartMessageMoveTask), which moves
//   the messages asynchronously, and returns how many were waiting. A partial redrive, or an
//   endpoint without move tasks (emulators), moves messages one by one: send to the source
//   queue, then delete from the dead-letter queue (a crash in between duplicates, never loses).
// - Names: logical names ("factory-requests") get `name_prefix` ("donut-factory-requests"), so
//   several deployments share an account.
//
// `declare` creates or updates the queues, topics and subscriptions when `manage_resources` is
// set (emulators, test accounts); on a Terraform-managed deployment it only looks up the queue
// URLs and takes topic ARNs from `topic_arns`, so functions need no permission to create.
//
// Thread-safe; the looked-up names are cached under a shared lock.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "adapters/aws/sns_client.h"
#include "adapters/aws/sqs_client.h"
#include "ports/broker.h"

namespace donut::aws {

struct AwsBrokerSettings {
  std::string name_prefix;
  bool manage_resources = true;
  std::map<std::string, std::string, std::less<>> topic_arns;  // logical topic -> ARN
  std::map<std::string, std::string, std::less<>> queue_urls;  // logical queue -> URL (optional)
};

class AwsBroker final : public ports::Broker {
 public:
  AwsBroker(std::shared_ptr<const AwsCaller> caller, AwsBrokerSettings settings);

  Status declare(const ports::Topology& topology) override;
  Status publish(std::string_view topic, const ports::OutgoingMessage& message) override;
  Status send(std::string_view queue, const ports::OutgoingMessage& message) override;
  Result<std::vector<ports::ReceivedMessage>> receive(std::string_view queue,
                                                      const ports::ReceiveOptions& options,
                                                      std::stop_token stop) override;
  Status delete_message(std::string_view queue, std::string_view receipt) override;
  Status delete_messages(std::string_view queue, std::span<const std::string> receipts) override;
  Status change_visibility(std::string_view queue, std::string_view receipt,
                           Millis timeout) override;
  Result<ports::QueueStats> stats(std::string_view queue) override;
  Result<std::vector<ports::ReceivedMessage>> peek(std::string_view queue, int max) override;
  Result<int64_t> redrive(std::string_view dead_letter_queue, int64_t max) override;
  Result<int64_t> purge(std::string_view queue) override;

 private:
  struct QueueInfo {
    std::string url;
    std::string arn;                // empty until something needs it (arn_of)
    std::string dead_letter_queue;  // logical name
  };

  Result<QueueInfo> queue(std::string_view name);
  Result<std::string> topic_arn(std::string_view topic);
  Result<QueueInfo> declare_queue(const ports::QueueSpec& spec);
  Result<std::string> look_up_url(std::string_view logical, bool create);
  Result<std::string> arn_of(const QueueInfo& info);
  Result<std::vector<ports::ReceivedMessage>> receive_once(std::string_view queue,
                                                           const QueueInfo& info,
                                                           const SqsReceive& request,
                                                           std::stop_token stop);
  std::string physical(std::string_view logical) const;
  std::string logical_from_arn(std::string_view arn) const;

  std::shared_ptr<const AwsCaller> caller_;
  SqsClient sqs_;
  SnsClient sns_;
  AwsBrokerSettings settings_;
  std::shared_mutex mutex_;
  std::map<std::string, QueueInfo, std::less<>> queues_;
  std::map<std::string, std::string, std::less<>> topics_;
  std::map<std::string, std::string, std::less<>> source_of_;  // dead-letter queue -> source
};

}  // namespace donut::aws
