resource "aws_apigatewayv2_api" "http" {
  name          = var.name
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "$default"
  auto_deploy = true
  default_route_settings {
    throttling_burst_limit = 2000
    throttling_rate_limit  = 1000
  }
}

locals {
  routes = {
    "POST /v1/orders"         = "sales"
    "GET /v1/orders/{id}"     = "sales"
    "GET /v1/products"        = "sales"
    "GET /v1/products/{id}"   = "sales"
    "GET /openapi.json"       = "sales"
    "GET /docs"               = "sales"
    "GET /"                   = "sales"
    "GET /ops"                = "sales"
    "GET /assets/{file}"      = "sales"
    "POST /v1/stock-arrivals" = "arrivals_intake"
    "ANY /admin/{proxy+}"     = "admin"
  }
}

resource "aws_apigatewayv2_integration" "function" {
  for_each               = toset(distinct(values(local.routes)))
  api_id                 = aws_apigatewayv2_api.http.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.function[each.key].invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "route" {
  for_each  = local.routes
  api_id    = aws_apigatewayv2_api.http.id
  route_key = each.key
  target    = "integrations/${aws_apigatewayv2_integration.function[each.value].id}"
}

resource "aws_lambda_permission" "api" {
  for_each      = toset(distinct(values(local.routes)))
  statement_id  = "AllowApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function[each.key].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/*/*"
}
