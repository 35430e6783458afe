#include "http/router.h"

#include <chrono>

namespace donut::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    const auto part = path.substr(start, end == std::string_view::npos ? end : end - start);
    if (!part.empty()) parts.push_back(part);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace

void Router::add(std::string method, std::string pattern, std::string route_name, Handler handler) {
  Route route;
  route.method = std::move(method);
  for (auto part : split_path(pattern)) route.segments.emplace_back(part);
  route.pattern = std::move(pattern);
  route.name = std::move(route_name);
  route.handler = std::move(handler);
  if (metrics_ != nullptr) {
    route.metrics = metrics_->route(route.name);
    if (unmatched_metrics_ == nullptr) unmatched_metrics_ = metrics_->route("unmatched");
  }
  routes_.push_back(std::move(route));
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> list;
  list.reserve(routes_.size());
  for (const auto& route : routes_) list.push_back({route.method, route.pattern});
  return list;
}

bool Router::match(const Route& route, const std::vector<std::string_view>& parts,
                   Request& request) {
  if (route.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& segment = route.segments[i];
    if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}') continue;
    if (segment != parts[i]) return false;
  }
  request.path_params.clear();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& segment = route.segments[i];
    if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}') {
      request.path_params.emplace_back(segment.substr(1, segment.size() - 2),
                                       std::string(parts[i]));
    }
  }
  return true;
}

void Router::dispatch(Request&& request, Respond respond) const {
  const auto parts = split_path(request.path);
  bool path_known = false;
  for (const auto& route : routes_) {
    if (!match(route, parts, request)) continue;
    path_known = true;
    if (route.method != request.method) continue;
    if (route.metrics == nullptr) {
      route.handler(std::move(request), std::move(respond));
      return;
    }
    const auto started = std::chrono::steady_clock::now();
    route.handler(std::move(request), [metrics = route.metrics, started,
                                       respond = std::move(respond)](Response r) {
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
      metrics->record(r.status, elapsed.count());
      respond(std::move(r));
    });
    return;
  }
  Response response = path_known
                          ? error_response(405, "method_not_allowed",
                                           "method " + request.method + " is not allowed here")
                          : error_response(404, "not_found", "no route for " + request.path);
  if (unmatched_metrics_ != nullptr) unmatched_metrics_->record(response.status, 0);
  respond(std::move(response));
}

}  // namespace donut::http
