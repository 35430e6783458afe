// The Lambda functions of Donut-States, one per role, all in the one `donut-lambda` binary and
// wired from the environment that deploy/aws/functions.tf sets:
//
//   sales            API Gateway -> Sales API. Publishes a stock-out's events after answering
//                    the order that caused it, within 2 s (the scheduled relay does the rest).
//   arrivals_intake  API Gateway -> factory callback -> stock-arrivals queue
//   restock          SQS factory-requests -> Legacy Factory API (requests signed with the
//                    callback secret)
//   arrivals         SQS stock-arrivals   -> warehouse, exactly once per arrival
//   notifier         SQS notifications    -> e-mail through SES
//   relay            schedule             -> outbox -> SNS
//   admin            API Gateway /admin/* -> stock and dead-letter queue operations (bearer token)
//   migrate          invoked by Terraform at apply: as the database's owner, the schema
//                    migrations and each role's own MySQL user (adapters/mysql/role_users.h)
//
// Environment: DONUT_DATABASE (a mysql:// URL; a SQLite file only where the build links that
// engine, the in-process tests: `donut-lambda` is MySQL only) or DONUT_DATABASE_HOST +
// DONUT_DATABASE_SECRET (the function's role's secret {"username","password"}: its own MySQL
// user, which never migrates; the migrate function instead reads DONUT_DATABASE_MASTER_SECRET,
// RDS's managed master secret, and DONUT_DATABASE_ROLE_SECRETS, {"<role>": "<secret ARN>"}),
// DONUT_DATABASE_NAME (default donut), DONUT_DATABASE_CA (default the zip's RDS CAs of the region
// Lambda runs in, rds-ca/$AWS_REGION.pem: RDS is reached over TLS only); DONUT_TOPIC_ARN;
// DONUT_ARRIVALS_QUEUE (queue URL); DONUT_FACTORY_URL; DONUT_CALLBACK_URL; DONUT_CALLBACK_SECRET;
// DONUT_MAIL_FROM; DONUT_MAIL_TO; DONUT_MAX_QUANTITY; DONUT_ADMIN_TOKEN; DONUT_AWS_PREFIX (queue
// names, for admin); DONUT_MYSQL_POOL_SIZE and DONUT_MYSQL_MAX_IDLE_SECONDS (connections per
// environment, and how long one may sit idle before it is replaced, under the server's
// wait_timeout); DONUT_MAIL_SENDERS (the notifier's environments sharing SES's send rate); and the
// AWS_* variables Lambda sets (aws_config.h). With DONUT_AWS_MANAGE_RESOURCES=1 the broker creates
// its topic and queues (emulators, trials).
//
// A function whose configuration is incomplete reports an init error naming what is missing.
#pragma once

#include <string_view>

#include "common/error.h"
#include "hosts/lambda/runtime_api.h"

namespace donut::lambda {

// Serves `function` until the Runtime API fails or `max_invocations` (0: forever) were served.
Status run_function(std::string_view function, RuntimeApi& api, int max_invocations = 0);

}  // namespace donut::lambda
