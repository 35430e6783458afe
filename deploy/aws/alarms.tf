# Someone is told by e-mail when messages start piling up in a dead-letter queue.
# The alert topic is encrypted with a key of its own: CloudWatch publishes an alarm to an
# encrypted topic only if the key's policy lets cloudwatch.amazonaws.com generate data keys and
# decrypt, which the AWS-managed alias/aws/sns key's policy cannot grant (its alarms would
# never arrive). About 1 USD a month.
data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "alerts_key" {
  statement {
    sid = "AccountAdministersTheKey"
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" is this key
  }
  statement {
    sid = "CloudWatchAlarmsPublishToTheAlertTopic"
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
  }
}

resource "aws_kms_key" "alerts" {
  description             = "${var.name}: encrypts the alert topic that CloudWatch alarms publish to"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.alerts_key.json
}

resource "aws_kms_alias" "alerts" {
  name          = "alias/${var.name}-alerts"
  target_key_id = aws_kms_key.alerts.key_id
}

resource "aws_sns_topic" "alerts" {
  name              = "${var.name}-alerts"
  kms_master_key_id = aws_kms_key.alerts.arn
}

resource "aws_sns_topic_subscription" "alerts_email" {
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  for_each            = local.queues
  alarm_name          = "${var.name}-${each.value}-dlq-not-empty"
  alarm_description   = "Messages of ${each.value} failed ${var.max_receive_count} times; see `donut dlq list` and redrive after fixing the cause."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letter[each.key].name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
}
