# One function per role, all the same `donut-lambda` binary in a custom runtime, each with its
# own role that may touch only what the role needs.
locals {
  functions = {
    sales           = { description = "Sales API (API Gateway)", uses_database = true }
    arrivals_intake = { description = "Factory callback intake (API Gateway)", uses_database = false }
    restock         = { description = "factory-requests -> Legacy Factory API", uses_database = true }
    arrivals        = { description = "stock-arrivals -> warehouse", uses_database = true }
    notifier        = { description = "notifications -> SES", uses_database = false }
    relay           = { description = "outbox -> SNS, every minute", uses_database = true }
    admin           = { description = "Operator routes /admin/* (API Gateway, bearer token)", uses_database = true }
    migrate         = { description = "Schema migrations and each role's database user (run at apply)", uses_database = true }
  }
  # The settings every function may read (src/hosts/lambda/functions.h); secrets go only to the
  # function that needs them.
  environment = {
    DONUT_DATABASE_HOST   = aws_db_instance.warehouse.address
    DONUT_DATABASE_NAME   = aws_db_instance.warehouse.db_name
    DONUT_TOPIC_ARN       = aws_sns_topic.stock_events.arn
    DONUT_ARRIVALS_QUEUE  = aws_sqs_queue.work["stock_arrivals"].url
    DONUT_AWS_PREFIX      = "${var.name}-"
    DONUT_FACTORY_URL     = var.factory_url
    DONUT_CALLBACK_URL    = "${aws_apigatewayv2_api.http.api_endpoint}/v1/stock-arrivals"
    DONUT_MAIL_FROM       = var.mail_sender
    DONUT_MAIL_TO         = var.alarm_email
    DONUT_MYSQL_POOL_SIZE = local.database_pool_size
    # A pooled connection idle this long is reconnected, not used: MySQL closes it soon after.
    DONUT_MYSQL_MAX_IDLE_SECONDS = local.database_wait_timeout_seconds - 60
  }
  # Settings of one function only: the notifier's environments share SES's send rate.
  function_environment = {
    notifier = { DONUT_MAIL_SENDERS = local.concurrency.notifier }
  }
  # Secret settings live in Secrets Manager; a function is told only where its own one is and
  # reads it at init (src/hosts/lambda/functions.cc, secret_setting), so no secret is visible in
  # the function's configuration.
  secrets = {
    arrivals_intake = { DONUT_CALLBACK_SECRET_ARN = aws_secretsmanager_secret.callback.arn }
    # Signs its manufacture requests with the shared secret, so a checking factory knows them.
    restock = { DONUT_CALLBACK_SECRET_ARN = aws_secretsmanager_secret.callback.arn }
    admin   = { DONUT_ADMIN_TOKEN_ARN = aws_secretsmanager_secret.admin_token.arn }
  }
  # Each function that uses the database connects as its role's own MySQL user, with only the
  # privileges that role uses (src/adapters/mysql/role_users.cc, whose roles these are); the
  # migrate function creates the users and keeps their passwords in their secrets. Only it
  # reads the master secret, and only to migrate and provision.
  database_roles = ["sales", "restock", "arrivals", "relay", "admin"]
  database_settings = merge(
    { for role in local.database_roles : role => {
      DONUT_DATABASE_SECRET = aws_secretsmanager_secret.database_user[role].arn
    } },
    { migrate = {
      DONUT_DATABASE_MASTER_SECRET = aws_db_instance.warehouse.master_user_secret[0].secret_arn
      DONUT_DATABASE_ROLE_SECRETS = jsonencode({ for role in local.database_roles :
      role => aws_secretsmanager_secret.database_user[role].arn })
  } })
  # Which queue feeds which function (SQS event source mappings).
  consumers = {
    restock  = "factory_requests"
    arrivals = "stock_arrivals"
    notifier = "notifications"
  }
  # How many execution environments each function may run at once. Every environment of a
  # function that uses the database keeps up to `database_pool_size` MySQL connections, and the
  # instance accepts only its class's max_connections, so the sum of concurrency x pool over the
  # database functions must fit with headroom (the precondition on the database below), twice
  # over: after a deploy the replaced environments keep their sessions until MySQL closes them
  # (wait_timeout, database.tf), beside the new ones.
  # Queue consumers are capped by their event source mapping's maximum_concurrency (beyond it
  # messages wait in their queue; at least 2); the others by reserved concurrency when the
  # account can reserve it (below), else by the account's own quota, which the caps then fit.
  # `migrate` runs once per apply, invoked by Terraform alone (aws_lambda_invocation below; no
  # route, queue or schedule reaches it): one environment for seconds, while the others serve.
  # It reserves nothing, in any profile (reserving would hold back one of the account's
  # executions for a function idle between applies), and is left out of what must fit the
  # quota: an apply that meets the whole quota in use has its invocation throttled, fails, and
  # is run again.
  capacity_profiles = {
    # 10 in all besides migrate: a new account's whole quota, so sales always has its share.
    new_account = { sales = 1, admin = 1, relay = 1, arrivals_intake = 1, restock = 2, arrivals = 2, notifier = 2, migrate = 1 }
    standard    = { sales = 15, admin = 3, relay = 1, arrivals_intake = 10, restock = 3, arrivals = 3, notifier = 2, migrate = 1 }
  }
  run_at_apply = ["migrate"]
  concurrency  = merge(local.capacity_profiles[var.capacity_profile], var.concurrency)
  # The functions that serve traffic and are not queue consumers: reserved concurrency caps them.
  synchronous = [for name in keys(local.functions) : name if !contains(keys(local.consumers), name) && !contains(local.run_at_apply, name)]
  # What each function may run at once: its concurrency, and for a function behind API Gateway
  # room for all its routes bursting at the same moment (api.tf): their rates keep the sustained
  # load within the concurrency, but every bucket starts full.
  environments = { for name, c in local.concurrency : name => max(c, lookup(local.route_burst_total, name, 0)) }
  # Lambda keeps 100 of the account's concurrent executions unreserved (all of them below 100):
  # reserving is possible only above that. A new account's quota is 10, so nothing is
  # reserved there, and the caps must then add up to no more than the quota itself.
  lambda_quota        = data.aws_servicequotas_service_quota.lambda_concurrency.value
  reserved_total      = sum([for name in local.synchronous : local.environments[name]])
  reserve_concurrency = local.lambda_quota - local.reserved_total >= 100
  concurrency_total   = sum([for name, c in local.concurrency : c if !contains(local.run_at_apply, name)])
  concurrency_fits    = local.reserve_concurrency || local.concurrency_total <= local.lambda_quota
  database_pool_size  = 2
  # max_connections of the instance class: RDS MySQL's default {DBInstanceClassMemory/12582880}
  # comes to about 66 on db.t4g.micro (1 GiB). Keep 20% for the operator and RDS itself.
  database_max_connections = { "db.t4g.micro" = 66, "db.t4g.small" = 150, "db.t4g.medium" = 312 }
  # Unreserved, the functions together run no more than the account's quota. migrate is not
  # counted: it holds its two sessions only while its invocation runs (seconds, once per apply)
  # and closes them before it answers, within the 20% kept free.
  database_environments = min(sum([for name, f in local.functions : local.environments[name] if f.uses_database && !contains(local.run_at_apply, name)]),
  local.reserve_concurrency ? 1000000 : local.lambda_quota)
  database_connections = local.database_environments * local.database_pool_size
}

# The account's Lambda concurrent executions quota, read at plan time: the functions' settings
# are checked against it before anything is created (the precondition below).
data "aws_servicequotas_service_quota" "lambda_concurrency" {
  service_code = "lambda"
  quota_code   = "L-B99A9384"
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  for_each           = local.functions
  name               = "${var.name}-${replace(each.key, "_", "-")}"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

data "aws_iam_policy_document" "function" {
  for_each = local.functions

  dynamic "statement" {
    for_each = contains(local.database_roles, each.key) ? [1] : []
    content {
      sid       = "ReadOwnDatabaseUser"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [aws_secretsmanager_secret.database_user[each.key].arn]
    }
  }

  dynamic "statement" {
    # Only the migrate function is the database's owner, and it keeps the roles' passwords.
    for_each = each.key == "migrate" ? [1] : []
    content {
      sid       = "OwnTheDatabase"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [aws_db_instance.warehouse.master_user_secret[0].secret_arn]
    }
  }

  dynamic "statement" {
    for_each = each.key == "migrate" ? [1] : []
    content {
      sid       = "KeepRolePasswords"
      actions   = ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]
      resources = [for role in local.database_roles : aws_secretsmanager_secret.database_user[role].arn]
    }
  }

  dynamic "statement" {
    for_each = contains(keys(local.secrets), each.key) ? [1] : []
    content {
      sid       = "ReadOwnSecret"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = values(local.secrets[each.key])
    }
  }

  dynamic "statement" {
    for_each = contains(keys(local.consumers), each.key) ? [local.consumers[each.key]] : []
    content {
      sid = "ConsumeQueue"
      actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
      resources = [aws_sqs_queue.work[statement.value].arn]
    }
  }

  dynamic "statement" {
    for_each = each.key == "arrivals_intake" ? [1] : []
    content {
      sid       = "EnqueueArrivals"
      actions   = ["sqs:SendMessage"]
      resources = [aws_sqs_queue.work["stock_arrivals"].arn]
    }
  }

  dynamic "statement" {
    # The relay publishes the outbox; sales publishes a stock-out's events right away.
    for_each = contains(["relay", "sales"], each.key) ? [1] : []
    content {
      sid       = "PublishEvents"
      actions   = ["sns:Publish"]
      resources = [aws_sns_topic.stock_events.arn]
    }
  }

  dynamic "statement" {
    for_each = each.key == "notifier" ? [1] : []
    content {
      sid       = "SendMail"
      actions   = ["ses:SendEmail"]
      resources = concat([aws_sesv2_email_identity.sender.arn], aws_sesv2_email_identity.recipient[*].arn)
    }
  }

  dynamic "statement" {
    # The send quota the notifier paces itself to (SES's GetAccount has no resource to name).
    for_each = each.key == "notifier" ? [1] : []
    content {
      sid       = "ReadSendQuota"
      actions   = ["ses:GetAccount"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    # Queue operations for the operator routes: stats, peek, redrive, purge.
    for_each = each.key == "admin" ? [1] : []
    content {
      sid = "OperateQueues"
      actions = ["sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:ReceiveMessage",
        "sqs:ChangeMessageVisibility", "sqs:SendMessage", "sqs:DeleteMessage", "sqs:PurgeQueue",
      "sqs:StartMessageMoveTask"]
      resources = concat([for queue in aws_sqs_queue.work : queue.arn],
      [for queue in aws_sqs_queue.dead_letter : queue.arn])
    }
  }

  # Network interfaces in the VPC, for the functions that run there: the EC2 part of the
  # managed AWSLambdaVPCAccessExecutionRole, whose logs:* on every log group would undo OwnLogs.
  # Lambda's documentation asks for them on every network interface, subnet and security group
  # of the account and region; EC2's Describe actions name no resource at all.
  dynamic "statement" {
    for_each = each.value.uses_database ? [1] : []
    content {
      sid = "VpcNetworkInterfaces"
      actions = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses"]
      resources = ["arn:aws:ec2:${var.region}:${data.aws_caller_identity.current.account_id}:*/*"]
    }
  }

  dynamic "statement" {
    for_each = each.value.uses_database ? [1] : []
    content {
      sid       = "VpcDescribe"
      actions   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
      resources = ["*"]
    }
  }

  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
  }
}

resource "aws_iam_role_policy" "function" {
  for_each = local.functions
  name     = "least-privilege"
  role     = aws_iam_role.function[each.key].id
  policy   = data.aws_iam_policy_document.function[each.key].json
}

resource "aws_cloudwatch_log_group" "function" {
  for_each          = local.functions
  name              = "/aws/lambda/${var.name}-${replace(each.key, "_", "-")}"
  retention_in_days = 14
}

resource "aws_lambda_function" "function" {
  for_each         = local.functions
  function_name    = "${var.name}-${replace(each.key, "_", "-")}"
  description      = each.value.description
  role             = aws_iam_role.function[each.key].arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = ["x86_64"]
  filename         = "${var.artifacts_dir}/donut-${replace(each.key, "_", "-")}.zip"
  source_code_hash = filebase64sha256("${var.artifacts_dir}/donut-${replace(each.key, "_", "-")}.zip")
  timeout          = contains(values(local.routes), each.key) ? var.api_timeout_seconds : var.lambda_timeout_seconds
  memory_size      = 256
  dynamic "vpc_config" {
    for_each = each.value.uses_database ? [1] : []
    content {
      subnet_ids         = aws_subnet.private[*].id
      security_group_ids = [aws_security_group.functions.id]
    }
  }
  environment {
    variables = merge(local.environment, { DONUT_FUNCTION = each.key },
    lookup(local.secrets, each.key, {}), lookup(local.function_environment, each.key, {}),
    lookup(local.database_settings, each.key, {}))
  }
  # Queue consumers are capped by their mapping's maximum_concurrency instead (reserving for
  # them too would only set aside capacity they cannot use).
  # Nor is migrate, which runs once per apply (above).
  reserved_concurrent_executions = contains(local.run_at_apply, each.key) || contains(keys(local.consumers), each.key) || !local.reserve_concurrency ? -1 : local.environments[each.key]
  # A function in the VPC needs its ENI permissions before it is created: without this the
  # first apply can race the policy and fail.
  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.function]
  lifecycle {
    # Checked by `terraform plan`, before anything is created or billed.
    precondition {
      condition     = local.concurrency_fits
      error_message = "The functions' concurrency adds up to ${local.concurrency_total} (capacity_profile ${var.capacity_profile}), but this account's Lambda quota is ${local.lambda_quota} concurrent executions; reserving ${local.reserved_total} for the synchronous functions needs ${local.reserved_total + 100} (Lambda keeps 100 unreserved). Ask Service Quotas for \"Concurrent executions\" (L-B99A9384) of at least ${local.reserved_total + 100}, or deploy with capacity_profile = \"new_account\"."
    }
  }
}

resource "aws_lambda_event_source_mapping" "queue" {
  for_each                           = local.consumers
  event_source_arn                   = aws_sqs_queue.work[each.value].arn
  function_name                      = aws_lambda_function.function[each.key].arn
  batch_size                         = 10
  maximum_batching_window_in_seconds = 1
  function_response_types            = ["ReportBatchItemFailures"]
  scaling_config {
    maximum_concurrency = local.concurrency[each.key]
  }
  # Lambda checks, when the mapping is created, that the function's role may read the queue.
  depends_on = [aws_iam_role_policy.function]
}

# The relay publishes what the outbox holds; sales also wake it, this is the safety net.
resource "aws_cloudwatch_event_rule" "relay" {
  name                = "${var.name}-relay"
  schedule_expression = "rate(1 minute)"
}

resource "aws_cloudwatch_event_target" "relay" {
  rule = aws_cloudwatch_event_rule.relay.name
  arn  = aws_lambda_function.function["relay"].arn
}

resource "aws_lambda_permission" "relay_schedule" {
  statement_id  = "AllowSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function["relay"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.relay.arn
}

# The factory's callback secret (arrivals_intake checks callbacks, restock signs requests) and
# the operator's token (admin). Deleted at once on destroy (no recovery window): their values
# come from the variables, and a secret waiting out a window keeps its name taken, so an apply
# within the window would fail.
resource "aws_secretsmanager_secret" "callback" {
  name                    = "${var.name}/callback-secret"
  description             = "HMAC secret shared with the Legacy Factory (arrivals_intake, restock)"
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret_version" "callback" {
  secret_id     = aws_secretsmanager_secret.callback.id
  secret_string = var.callback_secret
}

resource "aws_secretsmanager_secret" "admin_token" {
  name                    = "${var.name}/admin-token"
  description             = "Bearer token of the operator routes /admin/* (admin)"
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret_version" "admin_token" {
  secret_id     = aws_secretsmanager_secret.admin_token.id
  secret_string = var.admin_token
}

# Each role's MySQL user and password, written by the migrate function (never by Terraform, so
# the passwords are not in the state). Deleted at once on destroy, as the others: the next
# apply's migrate gives each user a password again.
resource "aws_secretsmanager_secret" "database_user" {
  for_each                = toset(local.database_roles)
  name                    = "${var.name}/database-${each.key}"
  description             = "MySQL user of the ${each.key} function (written by migrate)"
  recovery_window_in_days = 0
}

# Migrates the schema and provisions the role users at every apply that changes the code or
# the roles, before traffic needs them.
resource "aws_lambda_invocation" "migrate" {
  function_name = aws_lambda_function.function["migrate"].function_name
  input         = jsonencode({ action = "migrate" })
  triggers = {
    code  = aws_lambda_function.function["migrate"].source_code_hash
    roles = join(",", local.database_roles)
  }
}
