#include "adapters/mysql/role_users.h"

#include <algorithm>
#include <cctype>

namespace donut::mysql {
namespace {

// Every role reads the schema version: it checks, at start, that the schema is the one it knows.
constexpr TableGrant kSales[] = {
    {"schema_migrations", "SELECT"},
    {"products", "SELECT, UPDATE"},  // UPDATE also for SELECT ... FOR UPDATE
    {"product_sales", "SELECT, UPDATE"},
    {"orders", "SELECT, INSERT"},
    {"idempotency_keys", "SELECT, INSERT"},
    {"restocks", "SELECT, INSERT, UPDATE"},
    {"restock_events", "INSERT"},
    {"outbox", "SELECT, INSERT, UPDATE"},  // publishes a stock-out's events right away,
    {"outbox_claims", "SELECT, INSERT, UPDATE, DELETE"},  // claiming them first
    {"warehouse_totals", "SELECT, INSERT, UPDATE"},       // a stock-out's running totals
};
constexpr TableGrant kRestock[] = {
    {"schema_migrations", "SELECT"},
    {"restocks", "SELECT, UPDATE"},
    {"restock_events", "INSERT"},
    {"outbox", "INSERT"},
    {"warehouse_totals", "SELECT, INSERT, UPDATE"},
};
constexpr TableGrant kArrivals[] = {
    {"schema_migrations", "SELECT"},
    {"products", "SELECT, UPDATE"},
    {"arrivals", "SELECT, INSERT"},
    {"held_arrivals", "SELECT, INSERT"},  // what answers no awaited restock waits there
    {"restocks", "SELECT, UPDATE"},
    {"restock_events", "INSERT"},
    {"outbox", "INSERT"},
    {"warehouse_totals", "SELECT, INSERT, UPDATE"},
};
// The relay also prunes what retention lets go (app/pruner.h).
constexpr TableGrant kRelay[] = {
    {"schema_migrations", "SELECT"},
    {"outbox", "SELECT, UPDATE, DELETE"},
    {"outbox_claims", "SELECT, INSERT, UPDATE, DELETE"},  // one publisher per entry
    {"idempotency_keys", "SELECT, DELETE"},
    {"restock_events", "SELECT, DELETE"},
    {"arrivals", "SELECT, DELETE"},
};
constexpr TableGrant kAdmin[] = {
    {"schema_migrations", "SELECT"},
    {"products", "SELECT, INSERT, UPDATE"},
    {"product_sales", "SELECT, INSERT, UPDATE"},
    // Releasing a held arrival applies it: its arrivals row, the stock, its timeline entry, its
    // stock.arrived event and the totals; discarding marks it.
    {"arrivals", "SELECT, INSERT"},
    {"held_arrivals", "SELECT, UPDATE"},
    {"restocks", "SELECT"},
    {"restock_events", "SELECT, INSERT"},
    {"outbox", "SELECT, INSERT"},
    {"warehouse_totals", "SELECT, INSERT, UPDATE"},
};
constexpr RoleGrants kRoles[] = {
    {"sales", kSales}, {"restock", kRestock}, {"arrivals", kArrivals},
    {"relay", kRelay}, {"admin", kAdmin},
};

bool is_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

bool is_hex(std::string_view s) {
  return s.size() >= 32 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

const RoleGrants* grants_of(std::string_view role) {
  for (const auto& r : kRoles) {
    if (r.role == role) return &r;
  }
  return nullptr;
}

Status provision_one(Connection& owner, const ProvisionSettings& settings, const RoleUser& user,
                     const RoleGrants& grants) {
  const std::string account = "'" + role_user_name(user.role) + "'@'%'";
  const std::string password = " IDENTIFIED BY '" + user.password + "'";
  const std::string tls = settings.require_tls ? " REQUIRE SSL" : " REQUIRE NONE";
  DONUT_RETURN_IF_ERROR(owner.query("CREATE USER IF NOT EXISTS " + account + password + tls));
  DONUT_RETURN_IF_ERROR(owner.query("ALTER USER " + account + password + tls));
  DONUT_RETURN_IF_ERROR(owner.query("REVOKE ALL PRIVILEGES, GRANT OPTION FROM " + account));
  for (const auto& grant : grants.tables) {
    DONUT_RETURN_IF_ERROR(owner.query("GRANT " + std::string(grant.privileges) + " ON `" +
                                      settings.database + "`.`" + std::string(grant.table) +
                                      "` TO " + account));
  }
  return ok();
}

}  // namespace

std::span<const RoleGrants> role_grants() {
  return kRoles;
}

std::string role_user_name(std::string_view role) {
  return "donut_" + std::string(role);
}

Status provision_role_users(Connection& owner, const ProvisionSettings& settings,
                            std::span<const RoleUser> users) {
  if (!is_name(settings.database)) {
    return make_error(ErrorCode::invalid_argument, "database names are letters, digits and '_'");
  }
  for (const auto& user : users) {
    const RoleGrants* grants = grants_of(user.role);
    if (grants == nullptr) {
      return make_error(ErrorCode::invalid_argument, "no database role '" + user.role + "'");
    }
    if (!is_hex(user.password)) {
      return make_error(ErrorCode::invalid_argument,
                        "a role's password is 32 or more lower-case hex digits");
    }
    DONUT_RETURN_IF_ERROR(provision_one(owner, settings, user, *grants));
  }
  return ok();
}

}  // namespace donut::mysql
