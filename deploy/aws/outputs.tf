output "api_url" {
  description = "Base URL of the Sales API (and of the factory callback, /v1/stock-arrivals)."
  value       = aws_apigatewayv2_api.http.api_endpoint
}

output "topic_arn" {
  description = "ARN of the stock-events topic."
  value       = aws_sns_topic.stock_events.arn
}

output "queue_urls" {
  description = "URLs of the work queues, by name."
  value       = { for key, queue in aws_sqs_queue.work : queue.name => queue.url }
}

output "dead_letter_queue_urls" {
  description = "URLs of the dead-letter queues, by name."
  value       = { for key, queue in aws_sqs_queue.dead_letter : queue.name => queue.url }
}

output "database_endpoint" {
  description = "Endpoint of the RDS MySQL warehouse (private)."
  value       = aws_db_instance.warehouse.endpoint
}

output "database_secret_arn" {
  description = "Secrets Manager ARN holding the database credentials."
  value       = aws_db_instance.warehouse.master_user_secret[0].secret_arn
}
