#include "surge/surge.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <thread>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "adapters/http/http_client.h"
#include "codec/admin_json.h"
#include "common/ids.h"
#include "surge/throttled.h"
#include "surge/verdict.h"

namespace donut::surge {
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

// The body of a 200 answer of the admin API.
Result<std::string> admin_call(const SurgeOptions& o, std::string method, const std::string& path,
                               std::string body = "") {
  http_client::Request r;
  r.method = std::move(method);
  r.url = o.url + path;
  r.body = std::move(body);
  r.headers = {{"Authorization", "Bearer " + o.admin_token}, {"Content-Type", "application/json"}};
  static std::atomic<int64_t> admin_throttled{0};  // retried; the report counts the orders' 429s
  DONUT_ASSIGN_OR_RETURN(auto response, perform_honouring_429(r, admin_throttled));
  if (response.status == 401) {
    return make_error(ErrorCode::unauthorized, "the admin token was refused (--admin-token)");
  }
  if (response.status != 200) {
    return make_error(ErrorCode::unavailable, r.method + " " + path + " answered " +
                                                  std::to_string(response.status) + ": " +
                                                  response.body.substr(0, 200));
  }
  return std::move(response.body);
}

// A malformed answer is an admin call that failed (counted and retried while the pipeline
// settles), not a crash of the run.
Error malformed(const std::string& path, const Error& error) {
  return make_error(ErrorCode::unavailable,
                    path + " answered what it should not: " + error.message);
}

Result<ports::ProductStats> figures(const SurgeOptions& o) {
  DONUT_ASSIGN_OR_RETURN(auto body, admin_call(o, "GET", "/admin/stats"));
  auto products = codec::decode_product_stats(body);
  if (!products) return malformed("/admin/stats", products.error());
  for (auto& p : *products) {
    if (p.product_id == o.product) return std::move(p);
  }
  return make_error(ErrorCode::not_found, "no product " + o.product + " in /admin/stats");
}

Result<int64_t> queue_depth(const SurgeOptions& o, const std::string& queue) {
  const std::string path = "/admin/queues/" + queue;
  DONUT_ASSIGN_OR_RETURN(auto body, admin_call(o, "GET", path));
  auto s = codec::decode_queue_stats(body);
  if (!s) return malformed(path, s.error());
  return s->visible + s->in_flight + s->delayed;
}

// One reading of what the verdict needs: the product's figures and the queues' depths.
struct Snapshot {
  ports::ProductStats product;
  int64_t requests_left = 0, arrivals_left = 0, dead = 0;
};

Result<Snapshot> snapshot(const SurgeOptions& o) {
  Snapshot s;
  DONUT_ASSIGN_OR_RETURN(s.product, figures(o));
  DONUT_ASSIGN_OR_RETURN(s.requests_left, queue_depth(o, "factory-requests"));
  DONUT_ASSIGN_OR_RETURN(s.arrivals_left, queue_depth(o, "stock-arrivals"));
  DONUT_ASSIGN_OR_RETURN(s.dead, queue_depth(o, "factory-requests-dlq"));
  return s;
}

// Releases request tokens on the open-loop schedule.
class Pacer {
 public:
  void add(double tokens) {
    {
      std::lock_guard lock(mutex_);
      carry_ += tokens;
      const auto whole = static_cast<int64_t>(carry_);
      available_ += whole;
      carry_ -= static_cast<double>(whole);
    }
    ready_.notify_all();
  }
  bool take() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return available_ > 0 || done_; });
    if (available_ == 0) return false;
    --available_;
    return true;
  }
  void finish() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
      available_ = 0;
    }
    ready_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  double carry_ = 0;
  int64_t available_ = 0;
  bool done_ = false;
};

// One surge: the load on `connections` client threads paced by the schedule, a stock sampler,
// then the settling and the verdict. The timeline and the samples are shared with the threads
// under `timeline_mutex_`.
class SurgeRun {
 public:
  SurgeRun(const SurgeOptions& o, std::ostream& log) : o_(o), log_(log) {}

  Result<SurgeReport> run();

 private:
  Status seed_product();
  void client();
  void sample_stock(const std::atomic<bool>& sampling);
  void pace_the_load();
  void wait_for_settling();
  Snapshot last_snapshot();
  Evidence evidence(const ports::ProductStats& after) const;
  void read_restocks();
  std::size_t second_of(Clock::time_point t) const {
    const auto ms = std::chrono::duration_cast<Millis>(t - started_).count();
    return std::min(report_.timeline.size() - 1, static_cast<std::size_t>(ms / 1000));
  }

  const SurgeOptions& o_;
  std::ostream& log_;
  SurgeReport report_;
  ports::ProductStats before_;
  int64_t dead_before_ = 0;
  Clock::time_point started_;
  TimePoint started_wall_{};
  Pacer pacer_;
  std::mutex timeline_mutex_;
  std::vector<std::string> sold_ids_;
  std::mutex sold_mutex_;
  std::atomic<int64_t> negative_answers_{0};
  std::atomic<int64_t> throttled_{0};  // 429s to orders, each retried
  std::string last_failure_;
};

Status SurgeRun::seed_product() {
  json::object seed;
  seed["name"] = "Surge donut";
  seed["price_cents"] = 250;
  seed["stock"] = o_.initial_stock;
  seed["restock_quantity"] = o_.restock_quantity;
  seed["policy"] = domain::to_string(o_.policy);
  seed["service_level"] = o_.service_level;
  seed["max_restock_quantity"] = std::max(o_.max_restock_quantity, o_.restock_quantity);
  DONUT_RETURN_IF_ERROR(
      admin_call(o_, "PUT", "/admin/products/" + o_.product, json::serialize(seed)));
  DONUT_ASSIGN_OR_RETURN(before_, figures(o_));
  DONUT_ASSIGN_OR_RETURN(dead_before_, queue_depth(o_, "factory-requests-dlq"));
  return ok();
}

// One connection: takes a token from the pacer per order until the load ends.
void SurgeRun::client() {
  const std::string body = R"({"product_id":")" + o_.product + R"(","quantity":1})";
  std::vector<std::string> mine;
  while (pacer_.take()) {
    const auto t0 = Clock::now();
    // Each order has its key: a 429 (a crowd turned away) is retried with it, so it sells once.
    http_client::Request order{
        "POST",
        o_.url + "/v1/orders",
        {{"Content-Type", "application/json"}, {"Idempotency-Key", random_hex(16)}},
        body,
        std::chrono::seconds(30),
        {}};
    auto response = perform_honouring_429(order, throttled_);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    int kind = 2;
    if (response && response->status == 201) {
      kind = 0;
      boost::system::error_code ec;
      auto v = json::parse(response->body, ec);
      const auto* answer = ec ? nullptr : v.if_object();
      const auto* left = answer ? answer->if_contains("stock_left") : nullptr;
      const auto* id = answer ? answer->if_contains("order_id") : nullptr;
      if (left != nullptr && left->is_int64() && left->as_int64() < 0) ++negative_answers_;
      if (id != nullptr && id->is_string()) mine.emplace_back(id->as_string());
    } else if (response && response->status == 409) {
      kind = 1;
    }
    std::lock_guard lock(timeline_mutex_);
    auto& s = report_.timeline[second_of(t0)];
    (kind == 0 ? s.sold : kind == 1 ? s.out_of_stock : s.errors)++;
    s.latency_ms_sum += ms;
    if (kind == 2) ++report_.error_statuses[response ? response->status : 0];
  }
  std::lock_guard lock(sold_mutex_);
  sold_ids_.insert(sold_ids_.end(), mine.begin(), mine.end());
}

void SurgeRun::sample_stock(const std::atomic<bool>& sampling) {
  while (sampling) {
    std::atomic<int64_t> ignored{0};
    auto response = perform_honouring_429(
        {"GET", o_.url + "/v1/products/" + o_.product, {}, "", std::chrono::seconds(10), {}},
        ignored, std::chrono::seconds(5));
    if (response && response->status == 200) {
      boost::system::error_code ec;
      auto v = json::parse(response->body, ec);
      const auto* product = ec ? nullptr : v.if_object();
      const auto* stock = product ? product->if_contains("stock") : nullptr;
      if (stock != nullptr && stock->is_int64()) {  // a malformed answer is no sample
        const double at = std::chrono::duration<double>(Clock::now() - started_).count();
        std::lock_guard lock(timeline_mutex_);
        report_.stock_samples.emplace_back(at, stock->as_int64());
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// The schedule: a linear ramp, then the hold.
void SurgeRun::pace_the_load() {
  const auto total = o_.ramp + o_.hold;
  const auto tick = std::chrono::milliseconds(10);
  const double ramp_s = std::chrono::duration<double>(o_.ramp).count();
  for (auto now = Clock::now(); now - started_ < total; now = Clock::now()) {
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    const double rate = elapsed < ramp_s ? o_.start_rate + (o_.peak_rate - o_.start_rate) *
                                                               (elapsed / std::max(ramp_s, 1e-9))
                                         : o_.peak_rate;
    pacer_.add(rate * std::chrono::duration<double>(tick).count());
    std::this_thread::sleep_until(now + tick);
  }
  pacer_.finish();
}

// Waits until the pipeline settled (no open restock, work queues drained) or the settle timeout,
// with a last stock sample. A failed admin call (the system may be
// recovering from a fault) is counted and retried, never fatal.
void SurgeRun::wait_for_settling() {
  const auto settle_deadline = Clock::now() + o_.settle_timeout;
  for (;;) {
    if (auto now = snapshot(o_); !now) {
      if (report_.admin_failures++ == 0) {
        log_ << "surge: an admin call failed, retrying until the pipeline settles: "
             << now.error().message << "\n";
      }
      last_failure_ = now.error().message;
    } else {
      const bool settled =
          now->requests_left == 0 && now->arrivals_left == 0 &&
          (now->product.restocks_open - before_.restocks_open) <= now->dead - dead_before_ &&
          now->product.restocks_requested == before_.restocks_requested;
      if (settled) break;
    }
    if (Clock::now() > settle_deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a last stock sample
}

Result<SurgeReport> SurgeRun::run() {
  DONUT_RETURN_IF_ERROR(seed_product());
  report_.policy = std::string(domain::to_string(o_.policy));
  log_ << fmt::format(
      "surge: {} starts with {} in stock (restocking {}, at least {}), ramping {} -> {} orders/s "
      "over {} s, holding {} s, {} connections\n",
      o_.product, before_.stock, report_.policy, o_.restock_quantity, o_.start_rate, o_.peak_rate,
      o_.ramp.count() / 1000.0, o_.hold.count() / 1000.0, o_.connections);
  report_.timeline.resize(static_cast<std::size_t>((o_.ramp + o_.hold).count() / 1000 + 2));
  report_.load_seconds = std::chrono::duration<double>(o_.ramp + o_.hold).count();
  started_ = Clock::now();
  started_wall_ = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  std::vector<std::thread> clients;
  for (int c = 0; c < o_.connections; ++c) clients.emplace_back([this] { client(); });
  // The sampler is stopped and joined on every way out of this function.
  std::atomic<bool> sampling{true};
  std::thread sampler_thread([this, &sampling] { sample_stock(sampling); });
  struct StopSampler {
    std::atomic<bool>& sampling;
    std::thread& thread;
    void stop() {
      sampling = false;
      if (thread.joinable()) thread.join();
    }
    ~StopSampler() { stop(); }
  } sampler{sampling, sampler_thread};

  pace_the_load();
  for (auto& c : clients) c.join();
  log_ << "surge: load done, waiting for the restock pipeline to settle\n";
  wait_for_settling();
  sampler.stop();
  const Snapshot last = last_snapshot();
  report_.final_stock = last.product.stock;
  report_.dead_letters = last.dead - dead_before_;
  if (report_.judged()) {
    report_.units_sold = last.product.units_sold - before_.units_sold;
    report_.restocks = restocks_opened(last.product) - restocks_opened(before_);
    read_restocks();
  }
  summarize(report_);
  report_.throttled = throttled_;
  if (report_.judged()) judge(report_, o_, evidence(last.product));
  return std::move(report_);
}

// The verdict needs one consistent reading after the samples end; a few more tries. When none
// succeeds the run is not judged, and the reading is empty.
Snapshot SurgeRun::last_snapshot() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto now = snapshot(o_);
    if (now) return *now;
    ++report_.admin_failures;
    last_failure_ = now.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  report_.unjudged = "the warehouse's figures could not be read after the surge: " + last_failure_;
  return Snapshot{};
}

// What the verdict needs besides the report: the figures before and after, and every order
// answered 201 read back.
Evidence SurgeRun::evidence(const ports::ProductStats& after) const {
  Evidence e;
  e.before = before_;
  e.after = after;
  e.negative_answers = negative_answers_;
  e.answered_ids = static_cast<int64_t>(sold_ids_.size());
  std::atomic<int64_t> ignored{0};
  for (const auto& id : sold_ids_) {
    auto r = perform_honouring_429(
        {"GET", o_.url + "/v1/orders/" + id, {}, "", std::chrono::seconds(10), {}}, ignored);
    if (r && r->status == 404) ++e.missing_rows;
    if (!r || (r->status != 200 && r->status != 404)) ++e.unreadable_rows;
  }
  return e;
}

// The restocks the run opened, for the report and the chart; an admin call that fails leaves
// the list empty (the verdict does not need it).
void SurgeRun::read_restocks() {
  auto body = admin_call(o_, "GET", "/admin/restocks?limit=200&product=" + o_.product);
  auto history = body ? codec::decode_restock_history(*body)
                      : Result<std::vector<ports::RestockHistory>>(body.error());
  if (!history) {
    ++report_.admin_failures;
    log_ << "surge: the restocks could not be read: " << history.error().message << "\n";
    return;
  }
  const auto seconds = [](Millis m) { return std::chrono::duration<double>(m).count(); };
  for (auto h = history->rbegin(); h != history->rend(); ++h) {  // oldest first
    if (h->restock.opened_at < started_wall_) continue;          // an earlier run's
    RestockSeen seen{seconds(h->restock.opened_at - started_wall_), h->restock.quantity, {}};
    if (h->arrived_at) seen.lead_s = seconds(*h->arrived_at - h->restock.opened_at);
    report_.restock_list.push_back(seen);
  }
}

}  // namespace

Result<SurgeReport> run_surge(const SurgeOptions& o, std::ostream& log) {
  return SurgeRun(o, log).run();
}

Result<Comparison> run_comparison(const SurgeOptions& o, std::ostream& log) {
  Comparison c;
  SurgeOptions run = o;
  run.product = o.product + ".at_zero";
  run.policy = domain::ReplenishmentPolicy::at_zero;
  DONUT_ASSIGN_OR_RETURN(c.at_zero, run_surge(run, log));
  run.product = o.product + ".reorder_point";
  run.policy = domain::ReplenishmentPolicy::reorder_point;
  DONUT_ASSIGN_OR_RETURN(c.reorder_point, run_surge(run, log));
  return c;
}

}  // namespace donut::surge
