// The HTTP/1.1 server every role uses (Boost.Beast over Asio), in the style of Beast's async
// examples: one io_context run by N threads, one strand per connection, keep-alive.
//
// What it promises:
// - Limits are enforced before a handler runs: header size (431), body size (413), an idle /
//   slow-request timeout per read (the connection is closed: slow loris), a cap on open
//   connections, and optionally a request rate per client address (429 with Retry-After).
// - A connection over the cap is answered at once, without reading its request: 503
//   `too_many_connections` with Retry-After and `Connection: close`, then closed once the
//   client has sent what it had (or after a second), so it reads the answer instead of a reset.
//   When the process runs out of file descriptors, accepting pauses briefly instead of
//   spinning; the waiting connections are served or refused once descriptors free up.
// - Malformed HTTP gets a 400 JSON error and the connection is closed; the server keeps
//   serving everyone else.
// - The handler may answer later and from any thread: the response is posted back onto the
//   connection's strand. One request is handled at a time per connection.
// - `stop` stops accepting, closes idle connections and joins the threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/time.h"
#include "http/message.h"

namespace donut::http {

class Server {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;  // 0: pick a free port (tests)
    int threads = 2;
    std::size_t body_limit = 16 * 1024;
    std::size_t header_limit = 8 * 1024;
    Millis read_timeout = std::chrono::seconds(15);
    // Open connections served at once; 0: derived from the open-files limit
    // (default_max_connections).
    std::size_t max_connections = 0;
    // Requests per second per client address (429 beyond it); 0 turns the limit off.
    double rate_limit = 0;
    double rate_burst = 0;  // default: one second's worth
    std::string server_name = "donut-states";
  };

  Server(Options options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // What `max_connections = 0` means: the process's open-files limit minus the descriptors
  // kept for everything else (database, queues, mail, outgoing calls, refusals in progress).
  static std::size_t default_max_connections();

  Status start();  // binds and listens; returns once accepting
  void stop();
  // Runs `work` soon on one of the server's threads (after `stop`, never). For work decided on
  // another thread that answers many requests at once: one hand-over instead of one per answer.
  void post(std::function<void()> work);
  uint16_t port() const;  // the bound port (after start)
  std::string base_url() const;
  std::size_t max_connections() const;  // the cap in effect

  struct Impl;  // the Asio/Beast machinery, kept out of this header

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace donut::http
