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
  description = "Timeout of every function; queue visibility timeouts are six times this."
  type        = number
  default     = 30
}

variable "max_receive_count" {
  description = "Deliveries of a message before SQS moves it to its dead-letter queue."
  type        = number
  default     = 5
}

variable "db_instance_class" {
  description = "RDS instance class of the MySQL warehouse."
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
