#include "cli/probe_command.h"

#include <iostream>
#include <memory>
#include <string>

#include "adapters/http/http_client.h"

namespace donut::cli {
namespace {

struct ProbeArgs {
  int port = 8080;
  std::string path = "/healthz";
  int64_t timeout_ms = 2000;
};

int probe(const ProbeArgs& args) {
  http_client::Request request;
  request.url = "http://127.0.0.1:" + std::to_string(args.port) + args.path;
  request.timeout = Millis(args.timeout_ms);
  auto response = http_client::perform(request);
  if (!response) return fail(response.error());
  if (response->status >= 200 && response->status < 300) return 0;
  std::cerr << "donut: " << request.url << " answered " << response->status << ": "
            << response->body << "\n";
  return 1;
}

}  // namespace

void add_probe_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ProbeArgs>();
  auto* sub = app.add_subcommand("probe", "Ask a role on this host whether it is healthy");
  sub->add_option("--port", args->port, "Port of the probe listener (or of sales / arrivals)")
      ->envname("DONUT_HEALTH_PORT")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  sub->add_option("--path", args->path, "/healthz (alive) or /readyz (ready for work)")
      ->check(CLI::IsMember({"/healthz", "/readyz"}))
      ->capture_default_str();
  sub->add_option("--timeout-ms", args->timeout_ms, "How long to wait for the answer")
      ->check(CLI::Range(int64_t{100}, int64_t{60'000}))
      ->capture_default_str();
  sub->callback([&action, args] { action = [args] { return probe(*args); }; });
}

}  // namespace donut::cli
