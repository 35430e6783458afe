// The HTTP ceiling for the order benchmarks: the same Beast server as the Sales API with a
// handler that only answers 200 {}. Orders/s of the real API divided by requests/s of this
// server, measured in the same run, is the share of the HTTP ceiling the sales path keeps.
#include <iostream>
#include <signal.h>
#include <string>

#include "http/server.h"

int main(int argc, char** argv) {
  const uint16_t port = argc > 1 ? static_cast<uint16_t>(std::stoi(argv[1])) : 18080;
  const int threads = argc > 2 ? std::stoi(argv[2]) : 2;
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  donut::http::Server::Options options;
  options.port = port;
  options.threads = threads;
  donut::http::Server server(options, [](donut::http::Request&&, donut::http::Respond respond) {
    respond(donut::http::json_response(200, "{}"));
  });
  if (auto started = server.start(); !started) {
    std::cerr << started.error().message << "\n";
    return 1;
  }
  std::cout << "plain server on " << server.base_url() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  return 0;
}
