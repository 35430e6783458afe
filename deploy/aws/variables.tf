variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "donut-states"
}

variable "artifacts_dir" {
  description = "Folder with the function zips built by `cmake --build --preset release --target lambda_packages` (donut-<function>.zip)."
  type        = string
  default     = "../../build/release/lambda"
}

variable "lambda_timeout_seconds" {
  description = "Timeout of the queue and scheduled functions and of migrate (run at apply); queue visibility timeouts are six times this."
  type        = number
  default     = 30
}

variable "api_timeout_seconds" {
  description = "Timeout of the functions behind API Gateway. API Gateway gives up on a function after 30 s (a hard limit), so they must answer before that: a function stopped at the same moment as the gateway could commit an order its client is told failed."
  type        = number
  default     = 20
  validation {
    condition     = var.api_timeout_seconds >= 3 && var.api_timeout_seconds <= 28
    error_message = "api_timeout_seconds must leave API Gateway's 30 s limit room: 3 to 28."
  }
}

variable "capacity_profile" {
  description = "How many execution environments each function may run at once (functions.tf, local.capacity_profiles): \"new_account\" fits a new account's Lambda quota of 10 concurrent executions (nothing reserved); \"standard\" is for an account whose quota was raised (it reserves 28 for the synchronous functions: a quota of at least 128) on db.t4g.small or larger."
  type        = string
  default     = "new_account"
  validation {
    condition     = contains(["new_account", "standard"], var.capacity_profile)
    error_message = "capacity_profile is new_account or standard."
  }
}

variable "concurrency" {
  description = "Per-function overrides of the capacity profile's concurrency, e.g. { sales = 30 }."
  type        = map(number)
  default     = {}
}

variable "sales_invocation_ms" {
  description = "Time one sales invocation takes (CloudWatch: the function's Duration, p90, under load). With the sales concurrency it sets what API Gateway lets through to sales, so the excess is answered 429 before Lambda would throttle (which API Gateway answers 500)."
  type        = number
  default     = 50
}

variable "nat_gateway_per_zone" {
  description = "One NAT gateway in each of the two zones instead of one in the first: the functions in the VPC keep reaching AWS APIs and the factory if a zone fails, for about 37 USD a month more."
  type        = bool
  default     = false
}

variable "max_receive_count" {
  description = "Deliveries of a message before SQS moves it to its dead-letter queue."
  type        = number
  default     = 5
}

variable "db_instance_class" {
  description = "RDS instance class of the MySQL warehouse (its connection limit bounds the functions' concurrency: docs/AWS.md, capacity per database class)."
  type        = string
  default     = "db.t4g.micro"
}

variable "alarm_email" {
  description = "Address notified when a dead-letter queue is not empty (confirm the subscription e-mail)."
  type        = string
}

variable "mail_sender" {
  description = "Verified SES sender of the warehouse notifications."
  type        = string
}

variable "factory_url" {
  description = "Base URL of the Legacy Factory API."
  type        = string
}

variable "callback_secret" {
  description = "HMAC secret shared with the factory for its callbacks."
  type        = string
  sensitive   = true
}

variable "admin_token" {
  description = "Bearer token of the operator routes (/admin/*: stock, dead-letter queues)."
  type        = string
  sensitive   = true
}
