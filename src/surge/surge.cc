#include "surge/surge.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <ostream>
#include <thread>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "adapters/http/curl_client.h"
#include "common/ids.h"
#include "surge/throttled.h"

namespace donut::surge {
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

struct ProductFigures {
  int64_t stock = 0, orders = 0, units_sold = 0, arrivals = 0, units_arrived = 0;
  int64_t restocks_open = 0, restocks_requested = 0, restocks_arrived = 0, restocks_superseded = 0;
  int64_t opened() const {
    return restocks_open + restocks_requested + restocks_arrived + restocks_superseded;
  }
};

Result<json::value> admin_call(const SurgeOptions& o, std::string method, const std::string& path,
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
  boost::system::error_code ec;
  auto value = json::parse(response.body, ec);
  if (ec) return make_error(ErrorCode::internal, path + " did not answer JSON");
  return value;
}

Result<ProductFigures> figures(const SurgeOptions& o) {
  DONUT_ASSIGN_OR_RETURN(auto stats, admin_call(o, "GET", "/admin/stats"));
  for (const auto& p : stats.at("products").as_array()) {
    if (p.at("product_id").as_string() != o.product) continue;
    ProductFigures f;
    f.stock = p.at("stock").as_int64();
    f.orders = p.at("orders").as_int64();
    f.units_sold = p.at("units_sold").as_int64();
    f.arrivals = p.at("arrivals").as_int64();
    f.units_arrived = p.at("units_arrived").as_int64();
    f.restocks_open = p.at("restocks_open").as_int64();
    f.restocks_requested = p.at("restocks_requested").as_int64();
    f.restocks_arrived = p.at("restocks_arrived").as_int64();
    f.restocks_superseded = p.at("restocks_superseded").as_int64();
    return f;
  }
  return make_error(ErrorCode::not_found, "no product " + o.product + " in /admin/stats");
}

Result<int64_t> queue_depth(const SurgeOptions& o, const std::string& queue) {
  DONUT_ASSIGN_OR_RETURN(auto s, admin_call(o, "GET", "/admin/queues/" + queue));
  return s.at("visible").as_int64() + s.at("in_flight").as_int64() + s.at("delayed").as_int64();
}

// One reading of what the verdict needs: the product's figures and the queues' depths.
struct Snapshot {
  ProductFigures product;
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

// " (503: 10, no answer: 2)" for the error answers by status; empty when there were none.
std::string describe_statuses(const std::map<int, int64_t>& statuses) {
  std::string text;
  for (const auto& [status, count] : statuses) {
    text += fmt::format("{}{}: {}", text.empty() ? " (" : ", ",
                        status == 0 ? std::string("no answer") : std::to_string(status), count);
  }
  return text.empty() ? text : text + ")";
}

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
  void summarize();
  void judge(const ProductFigures& before, const ProductFigures& after);
  std::size_t second_of(Clock::time_point t) const {
    const auto ms = std::chrono::duration_cast<Millis>(t - started_).count();
    return std::min(report_.timeline.size() - 1, static_cast<std::size_t>(ms / 1000));
  }

  const SurgeOptions& o_;
  std::ostream& log_;
  SurgeReport report_;
  ProductFigures before_;
  int64_t dead_before_ = 0;
  Clock::time_point started_;
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
      if (!ec) {
        const double at = std::chrono::duration<double>(Clock::now() - started_).count();
        std::lock_guard lock(timeline_mutex_);
        report_.stock_samples.emplace_back(at, v.at("stock").as_int64());
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
  log_ << fmt::format(
      "surge: {} starts with {} in stock (restock {}), ramping {} -> {} orders/s over "
      "{} s, holding {} s, {} connections\n",
      o_.product, before_.stock, o_.restock_quantity, o_.start_rate, o_.peak_rate,
      o_.ramp.count() / 1000.0, o_.hold.count() / 1000.0, o_.connections);
  report_.timeline.resize(static_cast<std::size_t>((o_.ramp + o_.hold).count() / 1000 + 2));
  started_ = Clock::now();
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
  // The verdict needs one consistent reading after the samples end; a few more tries.
  Snapshot last{};
  bool have_last = false;
  for (int attempt = 0; attempt < 20 && !have_last; ++attempt) {
    if (auto now = snapshot(o_)) {
      last = *now;
      have_last = true;
    } else {
      ++report_.admin_failures;
      last_failure_ = now.error().message;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  if (!have_last) {
    report_.unjudged =
        "the warehouse's figures could not be read after the surge: " + last_failure_;
  }
  report_.final_stock = last.product.stock;
  report_.dead_letters = last.dead - dead_before_;
  summarize();
  if (report_.judged()) judge(before_, last.product);
  return std::move(report_);
}

void SurgeRun::summarize() {
  SurgeReport& report = report_;
  std::size_t active_seconds = 0;
  for (const auto& s : report.timeline) {
    report.sold += s.sold;
    report.out_of_stock += s.out_of_stock;
    report.errors += s.errors;
    report.peak_orders_per_second = std::max(
        report.peak_orders_per_second, static_cast<double>(s.sold + s.out_of_stock + s.errors));
    if (s.sold + s.out_of_stock + s.errors > 0) ++active_seconds;
  }
  report.requests = report.sold + report.out_of_stock + report.errors;
  report.throttled = throttled_;
  report.mean_orders_per_second =
      static_cast<double>(report.requests) / std::max<std::size_t>(1, active_seconds);
  // Stock-out episodes from the samples: stock at 0 until it is positive again.
  double out_since = -1;  // < 0: in stock
  for (const auto& [at, stock] : report.stock_samples) {
    if (stock == 0 && out_since < 0) {
      out_since = at;
      ++report.stock_outs;
    } else if (stock > 0 && out_since >= 0) {
      report.restock_seconds.push_back(at - out_since);
      out_since = -1;
    }
  }
}

void SurgeRun::judge(const ProductFigures& before, const ProductFigures& after) {
  SurgeReport& report = report_;
  const SurgeOptions& o = o_;
  const int64_t negative_answers = negative_answers_;
  const std::vector<std::string>& sold_ids = sold_ids_;
  auto fail = [&](std::string what) { report.failures.push_back(std::move(what)); };
  const auto min_sample = std::min_element(report.stock_samples.begin(), report.stock_samples.end(),
                                           [](auto a, auto b) { return a.second < b.second; });
  if (negative_answers > 0 ||
      (min_sample != report.stock_samples.end() && min_sample->second < 0)) {
    fail("stock went negative");
  }
  const int64_t sold_delta = after.units_sold - before.units_sold;
  const int64_t arrived_delta = after.units_arrived - before.units_arrived;
  if (before.stock + arrived_delta - sold_delta != after.stock) {
    fail(fmt::format("initial {} + arrived {} - sold {} != final {}", before.stock, arrived_delta,
                     sold_delta, after.stock));
  }
  // An order whose connection dropped (a killed sales process) or that was answered 504 may
  // have committed without a 201: the warehouse may hold up to that many more sales than were
  // answered 201, never fewer, and never more than those requests explain.
  int64_t unanswered = 0;
  for (const int status : {0, 504}) {
    if (auto at = report.error_statuses.find(status); at != report.error_statuses.end()) {
      unanswered += at->second;
    }
  }
  report.committed_unanswered = std::max<int64_t>(0, sold_delta - report.sold);
  if (sold_delta < report.sold || report.sold != static_cast<int64_t>(sold_ids.size())) {
    fail(fmt::format("the warehouse sold {} but {} orders were answered 201", sold_delta,
                     report.sold));
  } else if (report.committed_unanswered > unanswered) {
    fail(
        fmt::format("the warehouse sold {} more than the {} answered 201, and only {} requests "
                    "went unanswered or were answered 504",
                    report.committed_unanswered, report.sold, unanswered));
  }
  int64_t missing = 0;
  int64_t unreadable = 0;
  std::atomic<int64_t> ignored{0};
  for (const auto& id : sold_ids) {
    auto r = perform_honouring_429(
        {"GET", o.url + "/v1/orders/" + id, {}, "", std::chrono::seconds(10), {}}, ignored);
    if (r && r->status == 404) ++missing;
    if (!r || (r->status != 200 && r->status != 404)) ++unreadable;
  }
  if (missing > 0) fail(fmt::format("{} orders answered 201 have no order row", missing));
  if (unreadable > 0) {
    report.unjudged =
        fmt::format("{} of the orders answered 201 could not be read back", unreadable);
    return;
  }
  const int64_t opened = after.opened() - before.opened();
  if (report.out_of_stock > 0 && o.restock_quantity > 0 && opened == 0) {
    fail("orders were refused for lack of stock but no restock opened");
  }
  const int64_t still_open = after.restocks_open - before.restocks_open;
  if (still_open > report.dead_letters) {
    fail(fmt::format("{} restocks neither requested nor in the dead-letter queue ({} there)",
                     still_open, report.dead_letters));
  }
  const int64_t arrivals = after.arrivals - before.arrivals;
  const int64_t arrived_restocks = after.restocks_arrived - before.restocks_arrived;
  if (arrivals != arrived_restocks || arrived_delta != arrivals * o.restock_quantity) {
    fail(fmt::format("{} arrivals for {} arrived restocks ({} units): an arrival was applied twice",
                     arrivals, arrived_restocks, arrived_delta));
  }
  if (report.errors > 0 && !o.tolerate_errors) {
    fail(fmt::format("{} requests failed (neither 201 nor 409)", report.errors));
  }
}

}  // namespace

Result<SurgeReport> run_surge(const SurgeOptions& o, std::ostream& log) {
  return SurgeRun(o, log).run();
}

void print_report(const SurgeReport& r, std::ostream& out) {
  out << fmt::format("requests        {}\n", r.requests)
      << fmt::format("sold (201)      {}\n", r.sold)
      << fmt::format("out of stock    {} (409)\n", r.out_of_stock)
      << fmt::format("errors          {}{}\n", r.errors, describe_statuses(r.error_statuses))
      << fmt::format("turned away     {} (429, each retried with its Idempotency-Key)\n",
                     r.throttled)
      << fmt::format("orders/s        {:.0f} mean, {:.0f} peak second\n", r.mean_orders_per_second,
                     r.peak_orders_per_second)
      << fmt::format("stock-outs      {}\n", r.stock_outs);
  for (std::size_t i = 0; i < r.restock_seconds.size(); ++i) {
    out << fmt::format("  stock-out {} -> back in stock after {:.2f} s\n", i + 1,
                       r.restock_seconds[i]);
  }
  out << fmt::format("dead letters    {}\n", r.dead_letters)
      << fmt::format("final stock     {}\n", r.final_stock);
  if (r.committed_unanswered > 0) {
    out << fmt::format("unanswered sold  {} (committed, but answered 504 or not at all)\n",
                       r.committed_unanswered);
  }
  if (r.admin_failures > 0) {
    out << fmt::format("admin calls     {} failed and were retried\n", r.admin_failures);
  }
  out << "\n second   sold/s  409/s  errors  mean latency\n";
  for (std::size_t s = 0; s < r.timeline.size(); ++s) {
    const auto& t = r.timeline[s];
    const auto n = t.sold + t.out_of_stock + t.errors;
    if (n == 0) continue;
    out << fmt::format(" {:>6} {:>8} {:>6} {:>7} {:>10.1f} ms\n", s, t.sold, t.out_of_stock,
                       t.errors, t.latency_ms_sum / static_cast<double>(n));
  }
  if (!r.judged()) {
    out << "\ninvariants: NOT JUDGED: " << r.unjudged << "\n";
    return;
  }
  out << "\ninvariants: " << (r.ok() ? "all hold\n" : "BROKEN\n");
  for (const auto& f : r.failures) out << "  - " << f << "\n";
}

namespace {

// A round step for about `ticks` intervals up to `max`: 1, 2 or 5 times a power of ten.
double nice_step(double max, int ticks) {
  const double raw = std::max(max, 1.0) / ticks;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

// Where the stock ran out and where it came back, from the stock samples.
struct StockEvents {
  std::vector<double> outs, restocks;  // seconds since the surge began
};
StockEvents stock_events(const std::vector<std::pair<double, int64_t>>& samples) {
  StockEvents e;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    const auto [t0, s0] = samples[i - 1];
    const auto [t1, s1] = samples[i];
    if (s0 > 0 && s1 == 0) e.outs.push_back(t1);
    if (s1 > s0) e.restocks.push_back(t1);
  }
  return e;
}

}  // namespace

// Stock (left axis, units) and sold / refused orders per second (right axis) over the seconds
// of the run, with ticks on every axis, grid lines, and each stock-out and restock marked.
namespace {

// Where the chart's points go: the plot area and the three axes' ranges.
struct ChartScale {
  static constexpr double width = 900, height = 440, left = 70, right = 70, top = 44, bottom = 70;
  static constexpr double plot_w = width - left - right, plot_h = height - top - bottom;
  double t_step = 1, stock_step = 1, rate_step = 1;
  double t_top = 1, stock_top = 1, rate_top = 1;

  explicit ChartScale(const SurgeReport& r) {
    double max_t = static_cast<double>(r.timeline.size());
    for (const auto& [t, s] : r.stock_samples) max_t = std::max(max_t, t);
    int64_t max_stock = 1, max_rate = 1;
    for (const auto& [t, s] : r.stock_samples) max_stock = std::max(max_stock, s);
    for (const auto& s : r.timeline) max_rate = std::max({max_rate, s.sold, s.out_of_stock});
    t_step = nice_step(max_t, 10);
    stock_step = nice_step(max_stock, 5);
    rate_step = nice_step(max_rate, 5);
    t_top = std::ceil(std::max(max_t, 1.0) / t_step) * t_step;
    stock_top = std::ceil(max_stock / stock_step) * stock_step;
    rate_top = std::ceil(max_rate / rate_step) * rate_step;
  }
  double x(double t) const { return left + plot_w * t / t_top; }
  double y_stock(double v) const { return top + plot_h * (1.0 - v / stock_top); }
  double y_rate(double v) const { return top + plot_h * (1.0 - v / rate_top); }
};

// The grid, the ticks of the three axes and their titles.
std::string chart_axes(const ChartScale& c) {
  constexpr double left = ChartScale::left, top = ChartScale::top;
  constexpr double plot_w = ChartScale::plot_w, plot_h = ChartScale::plot_h;
  const double stock_top = c.stock_top, rate_top = c.rate_top, t_top = c.t_top;
  const double stock_step = c.stock_step, rate_step = c.rate_step, t_step = c.t_step;
  auto x = [&](double t) { return c.x(t); };
  auto y_stock = [&](double v) { return c.y_stock(v); };
  auto y_rate = [&](double v) { return c.y_rate(v); };
  std::string svg;
  for (double v = 0; v <= stock_top + 1e-9; v += stock_step) {  // grid and left ticks
    svg += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#e5e5e5\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\" fill=\"#1f77b4\">{5:.0f}</text>\n",
        left, left + plot_w, y_stock(v), left - 6, y_stock(v) + 4, v);
  }
  for (double v = 0; v <= rate_top + 1e-9; v += rate_step) {
    svg += fmt::format("<text x=\"{0}\" y=\"{1:.1f}\" fill=\"#555\">{2:.0f}</text>\n",
                       left + plot_w + 6, y_rate(v) + 4, v);
  }
  for (double t = 0; t <= t_top + 1e-9; t += t_step) {
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#999\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4:.0f}</text>\n",
        x(t), top + plot_h, top + plot_h + 5, top + plot_h + 18, t);
  }
  svg += fmt::format(
      "<rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"{3}\" fill=\"none\" stroke=\"#999\"/>\n"
      "<text transform=\"translate({4},{5}) rotate(-90)\" text-anchor=\"middle\" "
      "fill=\"#1f77b4\">stock (units)</text>\n"
      "<text transform=\"translate({6},{5}) rotate(90)\" text-anchor=\"middle\" "
      "fill=\"#555\">orders per second</text>\n"
      "<text x=\"{7}\" y=\"{8}\" text-anchor=\"middle\">seconds since the surge began</text>\n",
      left, top, plot_w, plot_h, left - 48, top + plot_h / 2, left + plot_w + 48, left + plot_w / 2,
      top + plot_h + 36);
  return svg;
}

// The stock line, the sold and refused rates, and the stock-out and restock marks.
std::string chart_lines(const ChartScale& c, const SurgeReport& r) {
  constexpr double top = ChartScale::top, plot_h = ChartScale::plot_h;
  auto x = [&](double t) { return c.x(t); };
  auto y_stock = [&](double v) { return c.y_stock(v); };
  auto y_rate = [&](double v) { return c.y_rate(v); };
  std::string svg;
  const auto events = stock_events(r.stock_samples);
  // Stock-out labels on the first line, restock labels on the second: close events stay legible.
  auto marks = [&](const std::vector<double>& at, const char* color, const char* label,
                   double label_y) {
    for (double t : at) {
      svg += fmt::format(
          "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{3}\" "
          "stroke-dasharray=\"4 3\"/><text x=\"{4:.1f}\" y=\"{5}\" fill=\"{3}\" "
          "font-size=\"11\">{6}</text>\n",
          x(t), top, top + plot_h, color, x(t) + 3, label_y, label);
    }
  };
  marks(events.outs, "#d62728", "stock-out", top + 12);
  marks(events.restocks, "#2ca02c", "restocked", top + 26);
  auto polyline = [&](const std::vector<std::pair<double, double>>& points, const char* color) {
    std::string p;
    for (const auto& [px, py] : points) p += fmt::format("{:.1f},{:.1f} ", px, py);
    svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n",
                       color, p);
  };
  std::vector<std::pair<double, double>> stock, sold, refused;
  for (const auto& [t, s] : r.stock_samples) stock.emplace_back(x(t), y_stock(double(s)));
  for (std::size_t i = 0; i < r.timeline.size(); ++i) {
    const double t = static_cast<double>(i) + 0.5;
    sold.emplace_back(x(t), y_rate(static_cast<double>(r.timeline[i].sold)));
    refused.emplace_back(x(t), y_rate(static_cast<double>(r.timeline[i].out_of_stock)));
  }
  polyline(stock, "#1f77b4");
  polyline(sold, "#2ca02c");
  polyline(refused, "#d62728");
  return svg;
}

}  // namespace

std::string render_chart(const SurgeReport& r, const std::string& title) {
  constexpr double width = ChartScale::width, height = ChartScale::height, left = ChartScale::left;
  const ChartScale scale(r);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "font-family=\"Helvetica,sans-serif\" font-size=\"12\">\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"24\" font-size=\"15\">{3}</text>\n",
      width, height, left, title);
  svg += chart_axes(scale);
  svg += chart_lines(scale, r);
  const double ly = height - 12;
  svg += fmt::format(
      "<rect x=\"{0}\" y=\"{1}\" width=\"12\" height=\"4\" fill=\"#1f77b4\"/>"
      "<text x=\"{2}\" y=\"{3}\">stock (left axis)</text>\n"
      "<rect x=\"{4}\" y=\"{1}\" width=\"12\" height=\"4\" fill=\"#2ca02c\"/>"
      "<text x=\"{5}\" y=\"{3}\">sold/s (right)</text>\n"
      "<rect x=\"{6}\" y=\"{1}\" width=\"12\" height=\"4\" fill=\"#d62728\"/>"
      "<text x=\"{7}\" y=\"{3}\">out of stock (409)/s (right)</text>\n</svg>\n",
      left, ly - 4, left + 16, ly, left + 160, left + 176, left + 290, left + 306);
  return svg;
}

}  // namespace donut::surge
