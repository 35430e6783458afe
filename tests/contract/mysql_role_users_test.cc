// Each role's MySQL user on a real MariaDB with its grant tables enforced (the server of
// mysql.credentials, FLUSH PRIVILEGES on): provisioned as the owner would (role_users.h), each
// role does its whole job through the store as its own user, and nothing more: the public sales
// user cannot drop a table, delete an order, read the arrivals or create a user.
#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/mysql/database.h"
#include "adapters/mysql/mysql_store.h"
#include "adapters/mysql/role_users.h"
#include "common/ids.h"
#include "support/test_servers.h"

namespace donut {
namespace {

using testing::MariaDbServer;

const bool kServer = testing::use_server<testing::MariaDbServer>();

class MysqlRoleUsers : public ::testing::Test {
 protected:
  void SetUp() override {
    mysql::Connection::Settings root;
    root.port = MariaDbServer::port;
    root.database.clear();
    auto owner = mysql::Connection::open(root);
    ASSERT_TRUE(owner) << owner.error().message;
    owner_ = std::move(*owner);
    ASSERT_TRUE(owner_->query("FLUSH PRIVILEGES"));  // passwords and grants checked from now on
    database_ = "donut_" + random_hex(6);
    // The owner migrates (the only one who may), then provisions the roles.
    auto migrated = mysql::Database::open(options_for("root", ""));
    ASSERT_TRUE(migrated) << migrated.error().message;
    owner_store_ = std::make_unique<mysql::MysqlStore>(*migrated, clock_);
    for (const auto& role : mysql::role_grants()) {
      users_.push_back({std::string(role.role), random_hex(32)});
    }
    ASSERT_TRUE(owner_->query("USE " + database_));
    auto provisioned = mysql::provision_role_users(*owner_, {database_, false}, users_);
    ASSERT_TRUE(provisioned) << provisioned.error().message;
  }

  mysql::Database::Options options_for(const std::string& user, const std::string& password) {
    mysql::Database::Options options;
    options.settings.port = MariaDbServer::port;
    options.settings.user = user;
    options.settings.password = password;
    options.settings.database = database_;
    options.pool_size = 1;
    options.migrate = user == "root";
    return options;
  }
  std::string password_of(std::string_view role) {
    for (const auto& u : users_) {
      if (u.role == role) return u.password;
    }
    return {};
  }
  // The store as `role`'s user sees it.
  std::unique_ptr<mysql::MysqlStore> store_as(std::string_view role) {
    auto db = mysql::Database::open(options_for(mysql::role_user_name(role), password_of(role)));
    EXPECT_TRUE(db) << role << ": " << db.error().message;
    if (!db) return nullptr;
    return std::make_unique<mysql::MysqlStore>(*db, clock_);
  }
  // A plain connection as `role`'s user, for statements the store never sends.
  std::unique_ptr<mysql::Connection> connection_as(std::string_view role) {
    auto settings = options_for(mysql::role_user_name(role), password_of(role)).settings;
    auto c = mysql::Connection::open(settings);
    EXPECT_TRUE(c) << c.error().message;
    return c ? std::move(*c) : nullptr;
  }

  clock::SystemClock clock_;
  std::unique_ptr<mysql::Connection> owner_;
  std::unique_ptr<mysql::MysqlStore> owner_store_;
  std::string database_;
  std::vector<mysql::RoleUser> users_;
};

TEST_F(MysqlRoleUsers, EachRoleDoesItsWholeJobAsItsOwnUser) {
  auto admin = store_as("admin");
  ASSERT_TRUE(admin);
  ASSERT_TRUE(admin->upsert_product({"CP-1", "Glazed", 250, 2, 5}));
  ASSERT_TRUE(admin->upsert_product({"CP-1", "Glazed again", 250, 2, 5})) << "an update";
  ASSERT_TRUE(admin->set_stock("CP-1", 2));

  auto sales = store_as("sales");
  ASSERT_TRUE(sales);
  ASSERT_TRUE(sales->ping());
  ASSERT_EQ(sales->list_products()->size(), 1u);
  std::vector<domain::OrderRequest> orders{
      {new_id(), "CP-1", 2, "key-1"}, {new_id(), "CP-1", 1, ""}, {new_id(), "NOPE", 1, ""}};
  auto sold = sales->place_orders(orders);
  ASSERT_TRUE(sold) << sold.error().message;
  ASSERT_EQ((*sold)[0].status, domain::OrderStatus::sold);
  ASSERT_EQ((*sold)[1].status, domain::OrderStatus::out_of_stock);
  const std::string restock_id = (*sold)[0].restock_id;
  ASSERT_FALSE(restock_id.empty());
  std::vector<domain::OrderRequest> replay{{new_id(), "CP-1", 2, "key-1"}};
  EXPECT_TRUE(sales->place_orders(replay)->front().replayed);
  EXPECT_TRUE(sales->get_order((*sold)[0].order_id));
  // As sales publishes a stock-out's events itself: claimed first, then marked published.
  auto published = sales->claim_outbox("sales-environment", 10, Millis(5'000));
  ASSERT_TRUE(published) << published.error().message;
  ASSERT_FALSE(published->empty());
  std::vector<int64_t> ids{published->front().id};
  ASSERT_TRUE(sales->mark_published(ids)) << "sales publishes a stock-out's events itself";
  std::vector<int64_t> unpublished;
  for (const auto& e : *published) {
    if (e.id != ids.front()) unpublished.push_back(e.id);
  }
  ASSERT_TRUE(sales->release_outbox("sales-environment", unpublished));

  auto restock = store_as("restock");
  ASSERT_TRUE(restock);
  auto claim = restock->claim_restock(restock_id, "worker-1", clock_.now() + Millis(60'000));
  ASSERT_TRUE(claim) << claim.error().message;
  ASSERT_TRUE(
      restock->record_restock_event(restock_id, domain::TimelineKind::factory_timeout, "slow"));
  ASSERT_TRUE(restock->release_restock(restock_id, "worker-1"));
  ASSERT_TRUE(restock->claim_restock(restock_id, "worker-2", clock_.now() + Millis(60'000)));
  auto requested = restock->mark_restock_requested(restock_id);
  ASSERT_TRUE(requested) << requested.error().message;
  EXPECT_TRUE(*requested);
  EXPECT_EQ(restock->get_restock(restock_id)->state, domain::RestockState::requested);

  auto arrivals = store_as("arrivals");
  ASSERT_TRUE(arrivals);
  domain::Arrival arrival{restock_id, restock_id, "CP-1", 5, "FF-1", clock_.now()};
  auto applied = arrivals->apply_arrival(arrival);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(applied->status, domain::ArrivalStatus::applied);
  EXPECT_EQ(arrivals->apply_arrival(arrival)->status, domain::ArrivalStatus::duplicate);
  const domain::Arrival second{"req-2", restock_id, "CP-1", 3, "FF-1", clock_.now()};
  EXPECT_EQ(arrivals->apply_arrival(second)->status, domain::ArrivalStatus::held);
  ASSERT_EQ(admin->held_arrivals(10)->size(), 1u);
  auto released = admin->decide_held_arrival("req-2", domain::HeldDecision::released);
  ASSERT_TRUE(released) << released.error().message;
  EXPECT_EQ(admin->get_product("CP-1")->stock, 8);

  auto relay = store_as("relay");
  ASSERT_TRUE(relay);
  auto pending = relay->claim_outbox("relay-environment", 100, Millis(5'000));
  ASSERT_TRUE(pending) << pending.error().message;
  std::vector<int64_t> all;
  for (const auto& e : *pending) all.push_back(e.id);
  ASSERT_TRUE(relay->mark_published(all));

  auto stats = admin->stats();
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->products.front().stock, 8) << "5 arrived, 3 released";
  auto history = admin->restock_history("CP-1", 5);
  ASSERT_TRUE(history) << history.error().message;
  EXPECT_EQ(history->front().restock.state, domain::RestockState::arrived);
}

TEST_F(MysqlRoleUsers, TheSalesUserCannotDropATableNorReadWhatItDoesNotNeed) {
  auto sales = connection_as("sales");
  ASSERT_TRUE(sales);
  for (const std::string& statement : std::vector<std::string>{
           "DROP TABLE orders", "DELETE FROM orders", "TRUNCATE TABLE idempotency_keys",
           "SELECT * FROM arrivals", "SELECT * FROM restock_events",
           "ALTER TABLE products ADD x INT", "CREATE TABLE stolen (x INT)",
           "UPDATE orders SET quantity = 0", "SELECT user, password FROM mysql.user",
           "CREATE USER 'extra'@'%' IDENTIFIED BY 'x'", "GRANT ALL ON *.* TO 'donut_sales'@'%'",
           "DROP DATABASE " + database_}) {
    auto refused = sales->query(statement);
    EXPECT_FALSE(refused) << statement << " was allowed to the sales user";
  }
  EXPECT_TRUE(sales->query("SELECT id FROM products")) << "what it needs, it has";
  auto relay = connection_as("relay");
  ASSERT_TRUE(relay);
  EXPECT_FALSE(relay->query("SELECT * FROM orders")) << "the relay reads the outbox only";
  EXPECT_FALSE(relay->query("UPDATE products SET stock = 1000000"));
}

TEST_F(MysqlRoleUsers, ARoleNeverMigratesAndRefusesASchemaBehindItsBuild) {
  ASSERT_TRUE(
      owner_->query("DELETE FROM schema_migrations WHERE version = (SELECT v FROM "
                    "(SELECT MAX(version) AS v FROM schema_migrations) AS m)"));
  auto behind = mysql::Database::open(options_for("donut_sales", password_of("sales")));
  ASSERT_FALSE(behind);
  EXPECT_EQ(behind.error().code, ErrorCode::unavailable);
  EXPECT_NE(behind.error().message.find("run the migrations"), std::string::npos)
      << behind.error().message;
}

TEST_F(MysqlRoleUsers, ProvisioningAgainSetsTheNewPasswordAndTheSameGrants) {
  for (auto& u : users_) u.password = random_hex(32);
  ASSERT_TRUE(mysql::provision_role_users(*owner_, {database_, false}, users_));
  ASSERT_TRUE(store_as("sales")) << "the new password works";
  EXPECT_FALSE(connection_as("relay")->query("SELECT * FROM orders")) << "grants unchanged";
  const std::vector<mysql::RoleUser> bad{{"sales", "not-hex; DROP USER root"}};
  EXPECT_FALSE(mysql::provision_role_users(*owner_, {database_, false}, bad));
  const std::vector<mysql::RoleUser> unknown{{"root", random_hex(32)}};
  EXPECT_FALSE(mysql::provision_role_users(*owner_, {database_, false}, unknown));
}

}  // namespace
}  // namespace donut
