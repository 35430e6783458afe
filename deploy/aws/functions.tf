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
  # How many execution environments each function may run at once. API Gateway lets 1,000
  # requests/s through and Lambda would scale out to match; every environment of a function
  # that uses the database keeps up to `database_pool_size` MySQL connections, and the
  # instance accepts only `database_max_connections`. So the sum of concurrency x pool over
  # the database functions must stay under that with headroom (tests/deploy checks it).
  # Synchronous functions get reserved concurrency (beyond it Lambda throttles and API Gateway
  # answers the excess with a 5xx; clients retry); queue consumers get the event source mapping's
  # maximum_concurrency (beyond it messages wait in their queue).
  concurrency = {
    sales           = 15
    admin           = 2
    migrate         = 1
    relay           = 1
    arrivals_intake = 10
    restock         = 3
    arrivals        = 3
    notifier        = 2
  }
  database_pool_size = 2
  # max_connections of the instance class: RDS MySQL's default {DBInstanceClassMemory/12582880}
  # comes to about 66 on db.t4g.micro (1 GiB). Keep 20% for the operator and RDS itself.
  database_max_connections = { "db.t4g.micro" = 66, "db.t4g.small" = 150, "db.t4g.medium" = 312 }
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

# Network interfaces in the VPC, for the functions that run there.
resource "aws_iam_role_policy_attachment" "vpc_access" {
  for_each   = { for name, function in local.functions : name => function if function.uses_database }
  role       = aws_iam_role.function[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
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
  timeout          = var.lambda_timeout_seconds
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
    lookup(local.secrets, each.key, {}), lookup(local.database_settings, each.key, {}))
  }
  # Queue consumers are capped by their mapping's maximum_concurrency instead (reserving for
  # them too would only set aside capacity they cannot use).
  reserved_concurrent_executions = contains(keys(local.consumers), each.key) ? -1 : local.concurrency[each.key]
  # A function in the VPC needs its ENI permissions before it is created: without this the
  # first apply can race the policy attachment and fail.
  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy_attachment.vpc_access]
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
# the operator's token (admin).
resource "aws_secretsmanager_secret" "callback" {
  name                    = "${var.name}/callback-secret"
  description             = "HMAC secret shared with the Legacy Factory (arrivals_intake, restock)"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "callback" {
  secret_id     = aws_secretsmanager_secret.callback.id
  secret_string = var.callback_secret
}

resource "aws_secretsmanager_secret" "admin_token" {
  name                    = "${var.name}/admin-token"
  description             = "Bearer token of the operator routes /admin/* (admin)"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "admin_token" {
  secret_id     = aws_secretsmanager_secret.admin_token.id
  secret_string = var.admin_token
}

# Each role's MySQL user and password, written by the migrate function (never by Terraform, so
# the passwords are not in the state).
resource "aws_secretsmanager_secret" "database_user" {
  for_each                = toset(local.database_roles)
  name                    = "${var.name}/database-${each.key}"
  description             = "MySQL user of the ${each.key} function (written by migrate)"
  recovery_window_in_days = 7
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
