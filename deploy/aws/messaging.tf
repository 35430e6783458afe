# topic stock-events -> factory-requests (stock.empty only) and notifications (every event);
# the arrival intake sends to stock-arrivals. Every queue has a dead-letter queue.
locals {
  queues = {
    factory_requests = "factory-requests"
    notifications    = "notifications"
    stock_arrivals   = "stock-arrivals"
  }
}

resource "aws_sns_topic" "stock_events" {
  name              = "${var.name}-stock-events"
  kms_master_key_id = "alias/aws/sns"
}

# The relay function keeps arrivals at least as long as a message can live: these two retentions
# and the work queue's again (app::kSqsMinimumArrivalWindow, 23 days).
resource "aws_sqs_queue" "dead_letter" {
  for_each                  = local.queues
  name                      = "${var.name}-${each.value}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "work" {
  for_each                   = local.queues
  name                       = "${var.name}-${each.value}"
  visibility_timeout_seconds = var.lambda_timeout_seconds * 6
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter[each.key].arn
    maxReceiveCount     = var.max_receive_count
  })
}

resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  for_each  = local.queues
  queue_url = aws_sqs_queue.dead_letter[each.key].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.work[each.key].arn]
  })
}

resource "aws_sns_topic_subscription" "factory_requests" {
  topic_arn            = aws_sns_topic.stock_events.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.work["factory_requests"].arn
  raw_message_delivery = true
  filter_policy        = jsonencode({ type = ["stock.empty"] })
}

resource "aws_sns_topic_subscription" "notifications" {
  topic_arn            = aws_sns_topic.stock_events.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.work["notifications"].arn
  raw_message_delivery = true
}

data "aws_iam_policy_document" "topic_to_queue" {
  for_each = { factory_requests = true, notifications = true }
  statement {
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.work[each.key].arn]
    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.stock_events.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "topic_to_queue" {
  for_each  = data.aws_iam_policy_document.topic_to_queue
  queue_url = aws_sqs_queue.work[each.key].id
  policy    = each.value.json
}

# An address already verified in this account (by hand, or by another deployment) cannot be
# created again: import it first (`terraform import aws_sesv2_email_identity.sender <address>`,
# docs/AWS.md). Destroy deletes the identities, so destroy-then-apply needs nothing.
resource "aws_sesv2_email_identity" "sender" {
  email_identity = var.mail_sender
}

# A new account's SES is in the sandbox: it delivers only to verified addresses, so the
# recipient of the notifications is verified too (SES mails it a link). Not needed once the
# account has production access; harmless then.
resource "aws_sesv2_email_identity" "recipient" {
  count          = var.alarm_email == var.mail_sender ? 0 : 1
  email_identity = var.alarm_email
}
