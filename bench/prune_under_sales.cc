// Retention under sales, on the embedded warehouse (SQLite): what pruning costs the sale path,
// and whether the key table stays bounded.
//
// A warehouse is filled with OLD keyed orders (decided more than a day ago: due for pruning),
// then keyed orders are sold in batches of 64, as group commit decides them, in phases that
// alternate without a pruner and with the pruner of `donut up` (batches of 500, 20 ms apart)
// working through the backlog at the same time. The figures are orders per second of each
// phase, side by side in one run, and the key table's size at the end.
//
//   build/release/bench/prune_under_sales [old keyed orders, default 1000000] [orders per phase,
//   default 100000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "adapters/clock/clocks.h"
#include "app/pruner.h"
#include "common/ids.h"
#include "wiring/store.h"

namespace {

using namespace donut;
using Clock = std::chrono::steady_clock;

constexpr int kBatch = 64;
constexpr int kRounds = 4;

int64_t key_rows(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM idempotency_keys", -1, &statement, nullptr);
  int64_t rows = -1;
  if (sqlite3_step(statement) == SQLITE_ROW) rows = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

// Sells `orders` keyed orders in batches; orders per second.
double sell(ports::Store& store, int orders, int64_t& next_key) {
  const auto start = Clock::now();
  std::vector<domain::OrderRequest> batch;
  for (int sold = 0; sold < orders; sold += kBatch) {
    batch.clear();
    for (int i = 0; i < kBatch; ++i) {
      batch.push_back({new_id(), "BENCH", 1, "key-" + std::to_string(next_key++)});
    }
    if (auto placed = store.place_orders(batch); !placed) {
      std::fprintf(stderr, "place_orders: %s\n", placed.error().message.c_str());
      std::exit(1);
    }
  }
  return orders / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int old_orders = argc > 1 ? std::atoi(argv[1]) : 1'000'000;
  const int per_phase = argc > 2 ? std::atoi(argv[2]) : 100'000;
  const auto dir = std::filesystem::temp_directory_path() / ("donut-prune-bench-" + new_id());
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "warehouse.db").string();

  clock::ManualClock clock;
  wiring::StoreSettings settings;
  settings.database = path;
  auto opened = wiring::open_store(settings, clock);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message.c_str());
    return 1;
  }
  ports::Store& store = *opened->store;
  if (!store.upsert_product({"BENCH", "Bench", 100, 1'000'000'000, 1})) return 1;

  int64_t next_key = 0;
  std::printf("filling: %d keyed orders decided 25 hours ago ...\n", old_orders);
  sell(store, old_orders, next_key);
  clock.advance(std::chrono::hours(25));
  std::printf("key table: %lld rows\n", static_cast<long long>(key_rows(path)));

  // Phases of selling alternate without and with the pruner (which then works through the
  // backlog), so that a table growing, a checkpoint or the machine's noise weighs on both alike.
  app::Pruner::Options options;  // donut up's: batches of 500, 20 ms apart
  options.interval = Millis(100);
  app::Pruner pruner(store, clock, options);
  double without = 0, with = 0;
  for (int round = 0; round < kRounds; ++round) {
    const double off = sell(store, per_phase, next_key);
    const int64_t rows_before = key_rows(path);
    pruner.start();
    const double on = sell(store, per_phase, next_key);
    pruner.stop();
    const int64_t pruned = rows_before + per_phase - key_rows(path);
    std::printf(
        "round %d: orders/s without the pruner %.0f, with it %.0f (%.2fx; %lld keys pruned "
        "meanwhile)\n",
        round + 1, off, on, on / off, static_cast<long long>(pruned));
    without += off;
    with += on;
  }
  std::printf("mean: %.0f orders/s without, %.0f with the pruner at work (%.2fx)\n",
              without / kRounds, with / kRounds, with / without);
  pruner.start();  // the rest of the backlog, for the table's final size
  const int64_t recent = int64_t{2} * kRounds * per_phase;
  for (int i = 0; i < 1200 && key_rows(path) > recent; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  pruner.stop();
  std::printf("key table: %lld rows once every old key is pruned (the %lld recent ones stay)\n",
              static_cast<long long>(key_rows(path)), static_cast<long long>(recent));
  std::filesystem::remove_all(dir);
  return 0;
}
