resource "aws_apigatewayv2_api" "http" {
  name          = var.name
  protocol_type = "HTTP"
}

# What each route lets through. Beyond a function's concurrency Lambda throttles, and API
# Gateway answers a throttled invocation 500; so the gateway answers the excess first, with 429,
# which clients retry (the storefront and `donut surge` honour it, with the same
# Idempotency-Key). API Gateway throttles each route on its own and the sales routes share one
# function, so they share its capacity (concurrency over the time per invocation, 80% of it to
# absorb variance): the order route, which a flash crowd hits, most of it. Each route's burst
# lets in at most its share of the concurrency at once, and the function reserves room for all
# its routes' bursts together (functions.tf, local.environments).
resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "$default"
  auto_deploy = true
  default_route_settings {
    throttling_burst_limit = 1
    throttling_rate_limit  = 1
  }
  dynamic "route_settings" {
    for_each = local.route_throttling
    content {
      route_key              = route_settings.key
      throttling_rate_limit  = route_settings.value.rate
      throttling_burst_limit = route_settings.value.burst
    }
  }
  depends_on = [aws_apigatewayv2_route.route]
}

locals {
  routes = {
    "POST /v1/orders" = "sales"
    "GET /"           = "sales"
    # Everything else a customer reads (products, an order, the pages and their assets, the API's
    # documents) is one route: one bucket of the sales function's capacity, whose burst lets a
    # page load its stylesheet and script at once.
    "GET /{proxy+}"           = "sales"
    "POST /v1/stock-arrivals" = "arrivals_intake"
    "ANY /admin/{proxy+}"     = "admin"
  }
  # Requests a second each function can serve: its concurrency over the time one invocation
  # takes, with 20% to spare. The others take their time from the same measure: a slower one
  # only lowers its own limits.
  capacity_per_second = { for name, c in local.concurrency : name => 0.8 * c * 1000 / var.sales_invocation_ms }
  # Each route's share of its function's capacity (the shares of a function add up to 1), and
  # the least burst it needs.
  route_shares = {
    "POST /v1/orders"         = { share = 0.6, burst = 1 }
    "GET /{proxy+}"           = { share = 0.35, burst = 3 }
    "GET /"                   = { share = 0.05, burst = 1 }
    "POST /v1/stock-arrivals" = { share = 1, burst = 1 }
    "ANY /admin/{proxy+}"     = { share = 1, burst = 3 } # the console polls three routes at once
  }
  route_throttling = { for route, function in local.routes : route => {
    rate  = max(1, floor(local.route_shares[route].share * local.capacity_per_second[function])),
    burst = max(local.route_shares[route].burst, floor(local.route_shares[route].share * local.concurrency[function]))
  } }
  # What all of a function's routes may hand it at once (functions.tf reserves room for it).
  route_burst_total = { for function in distinct(values(local.routes)) : function =>
  sum([for route, f in local.routes : local.route_throttling[route].burst if f == function]) }
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
