// The store contract on the engines that need no server: in memory and SQLite.
#include "adapters/memory/memory_store.h"
#include "adapters/sqlite/database.h"
#include "adapters/sqlite/sqlite_store.h"
#include "contract/store_contract.h"

namespace donut {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Engines, StoreContract,
    ::testing::Values(StoreEngine{"memory",
                                  [](const ports::Clock& clock, testing::TempDir&) {
                                    return std::make_unique<memory::MemoryStore>(clock);
                                  }},
                      StoreEngine{
                          "sqlite",
                          [](const ports::Clock& clock,
                             testing::TempDir& dir) -> std::unique_ptr<ports::Store> {
                            auto db = sqlite::Database::open({dir.file("warehouse.db"), 2, true});
                            if (!db) throw ErrorException(db.error());
                            return std::make_unique<sqlite::SqliteStore>(*db, clock);
                          }}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace donut
