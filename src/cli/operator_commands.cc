#include "cli/operator_commands.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include <boost/json.hpp>

#include "adapters/clock/clocks.h"
#include "adapters/http/http_client.h"
#include "app/topology.h"
#include "cli/options.h"
#include "cli/restocks_command.h"
#include "codec/admin_json.h"
#include "codec/sales_json.h"
#include "common/ids.h"
#include "common/private_files.h"
#include "domain/validation.h"
#include "wiring/storage.h"

namespace donut::cli {
namespace {

using local::LocalConfig;

// The warehouse and the queues, opened by this process for one command.
struct Direct {
  clock::SystemClock clock;
  wiring::Storage storage;
  ports::Store& store() { return *storage.store; }
  ports::Broker& broker() { return *storage.broker; }
};

Result<std::unique_ptr<Direct>> open_direct(const LocalConfig& c) {
  auto d = std::make_unique<Direct>();
  DONUT_RETURN_IF_ERROR(create_private_directory(c.data_dir));
  DONUT_ASSIGN_OR_RETURN(
      d->storage, wiring::open_storage(c.store_settings(), c.broker_settings(),
                                       app::pipeline_topology(c.topology_settings()), d->clock));
  return d;
}

// `sub` runs `command` on the opened warehouse and queues when it is the one parsed.
template <class Command>
void on_direct(CLI::App& sub, const LocalConfig& config, Action& action, Command command) {
  sub.callback([&config, &action, command] {
    action = [&config, command] {
      auto direct = open_direct(config);
      if (!direct) return fail(direct.error());
      return command(**direct);
    };
  });
}

// One row of `donut stock list`: stock, the restock on its way, and the replenishment policy's
// settings and figures as of now.
void print_stock_row(const domain::Product& p) {
  const auto& f = p.figures;
  std::printf(
      "%-12s %-24s %8lld %8lld  %-13s %7lld %8lld %8lld %10.2f %8.1f  %s\n", p.id.c_str(),
      p.name.c_str(), static_cast<long long>(p.stock), static_cast<long long>(p.restock_quantity),
      std::string(domain::to_string(p.replenishment.settings.policy)).c_str(),
      static_cast<long long>(f.rule.reorder_point), static_cast<long long>(f.rule.order_quantity),
      static_cast<long long>(f.max_restock_quantity), f.demand_per_second,
      std::chrono::duration<double>(f.lead_time).count(),
      p.open_restock_id.empty() ? "-" : p.open_restock_id.c_str());
}

void add_stock_list(CLI::App& stock, const LocalConfig& config, Action& action) {
  auto* list = stock.add_subcommand(
      "list", "List products, stock and each one's replenishment policy and figures");
  on_direct(*list, config, action, [](Direct& d) {
    auto products = d.store().list_products();
    if (!products) return fail(products.error());
    std::printf("%-12s %-24s %8s %8s  %-13s %7s %8s %8s %10s %8s  %s\n", "PRODUCT", "NAME", "STOCK",
                "RESTOCK", "POLICY", "REORDER", "ORDER", "MAX", "DEMAND/S", "LEAD S",
                "OPEN RESTOCK");
    for (const auto& p : *products) print_stock_row(p);
    return 0;
  });
}

void add_stock_set(CLI::App& stock, const LocalConfig& config, Action& action) {
  auto* set = stock.add_subcommand("set", "Set the stock of a product");
  struct Args {
    std::string product;
    int64_t stock = 0;
  };
  auto args = std::make_shared<Args>();
  set->add_option("product", args->product, "Product id")->required();
  set->add_option("stock", args->stock, "New stock level")->required();
  on_direct(*set, config, action, [args](Direct& d) {
    if (auto valid = domain::validate_stock_level(args->stock); !valid) return fail(valid.error());
    auto product = d.store().set_stock(args->product, args->stock);
    if (!product) return fail(product.error());
    std::cout << codec::admin_product_json(*product) << "\n";
    return 0;
  });
}

// `donut stock policy P at_zero|reorder_point [--service-level] [--max-restock-quantity]`: the
// same settings and checks as PUT /admin/products/{id}/replenishment.
void add_stock_policy(CLI::App& stock, const LocalConfig& config, Action& action) {
  auto* policy = stock.add_subcommand(
      "policy",
      "Set how a product restocks: at_zero (a fixed quantity when the shelf is empty) "
      "or reorder_point (before it is empty, sized to the demand)");
  struct Args {
    std::string product, policy;
    double service_level = 0.95;
    int64_t max_restock_quantity = 0;
  };
  auto args = std::make_shared<Args>();
  policy->add_option("product", args->product, "Product id")->required();
  policy->add_option("policy", args->policy, "at_zero or reorder_point")->required();
  policy
      ->add_option("--service-level", args->service_level,
                   "Share of lead times the safety stock covers, from 0.5 to 0.9999")
      ->capture_default_str();
  policy->add_option("--max-restock-quantity", args->max_restock_quantity,
                     "The most one restock asks for (the factory's capacity; default: ten "
                     "restock quantities)");
  on_direct(*policy, config, action, [args, policy](Direct& d) {
    boost::json::object body{{"policy", args->policy}, {"service_level", args->service_level}};
    if (policy->count("--max-restock-quantity") > 0) {
      body["max_restock_quantity"] = args->max_restock_quantity;
    }
    auto settings = codec::decode_replenishment_settings(boost::json::serialize(body));
    if (!settings) return fail(settings.error());
    auto product = d.store().set_replenishment(args->product, *settings);
    if (!product) return fail(product.error());
    std::cout << codec::admin_product_json(*product) << "\n";
    return 0;
  });
}

void add_stock_commands(CLI::App& app, const LocalConfig& config, Action& action) {
  auto* stock = app.add_subcommand("stock", "Look at or set stock levels and how products restock")
                    ->require_subcommand(1);
  add_stock_list(*stock, config, action);
  add_stock_set(*stock, config, action);
  add_stock_policy(*stock, config, action);
}

struct OrderArgs {
  std::string product;
  int64_t quantity = 1;
  std::string url = "http://127.0.0.1:8080";
  std::string idempotency_key;
};

int place_order(const OrderArgs& a) {
  if (auto valid = domain::validate_product_id(a.product); !valid) return fail(valid.error());
  boost::json::object body;
  body["product_id"] = a.product;
  body["quantity"] = a.quantity;
  std::vector<std::pair<std::string, std::string>> headers;
  if (!a.idempotency_key.empty()) headers.emplace_back("Idempotency-Key", a.idempotency_key);
  auto response =
      http_client::post_json(a.url + "/v1/orders", boost::json::serialize(body), headers);
  if (!response) return fail(response.error());
  std::cout << response->body << "\n";
  if (response->status == 201) return 0;
  std::cerr << "donut: order not placed (HTTP " << response->status << ")\n";
  return response->status == 409 ? 1 : 2;
}

void add_order_command(CLI::App& app, Action& action) {
  auto* order = app.add_subcommand("order", "Place an order through the Sales API");
  auto args = std::make_shared<OrderArgs>();
  order->add_option("product", args->product, "Product id")->required();
  order->add_option("quantity", args->quantity, "How many")->capture_default_str();
  order->add_option("--url", args->url, "Sales API base URL")
      ->envname("DONUT_URL")
      ->capture_default_str();
  order->add_option("--idempotency-key", args->idempotency_key, "Idempotency-Key header");
  order->callback([&action, args] { action = [args] { return place_order(*args); }; });
}

void add_db_command(CLI::App& app, const LocalConfig& config, Action& action) {
  auto* db = app.add_subcommand("db", "Warehouse schema and backups")->require_subcommand(1);
  auto* migrate = db->add_subcommand("migrate", "Apply the schema migrations the warehouse lacks");
  on_direct(*migrate, config, action, [&config](Direct& d) {
    std::cout << "warehouse " << wiring::describe_store(config.store_settings())
              << " is at schema version " << d.storage.schema_version << "\n";
    return 0;
  });
}

void add_restocks_command(CLI::App& app, const LocalConfig& config, Action& action) {
  auto* restocks = app.add_subcommand("restocks", "Each restock's timeline, newest first");
  struct Args {
    std::string product;
    int limit = 10;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  restocks->add_option("--product", args->product, "Only this product's restocks");
  restocks->add_option("--limit", args->limit, "How many restocks")
      ->check(CLI::Range(1, 200))
      ->capture_default_str();
  restocks->add_flag("--json", args->json, "The same as GET /admin/restocks answers");
  on_direct(*restocks, config, action, [args](Direct& d) {
    return print_restocks(d.store(), args->product, args->limit, args->json, stdout);
  });
}

void add_queues_command(CLI::App& app, const LocalConfig& config, Action& action) {
  auto* queues = app.add_subcommand("queues", "Queue depths, messages in flight, dead letters");
  on_direct(*queues, config, action, [](Direct& d) {
    std::printf("%-24s %8s %10s %8s %10s\n", "QUEUE", "VISIBLE", "IN FLIGHT", "DELAYED", "DEAD");
    for (const auto& queue : app::work_queues()) {
      auto o = app::queue_overview(d.broker(), queue);
      if (!o) return fail(o.error());
      std::printf(
          "%-24s %8lld %10lld %8lld %10lld\n", queue.c_str(),
          static_cast<long long>(o->stats.visible), static_cast<long long>(o->stats.in_flight),
          static_cast<long long>(o->stats.delayed), static_cast<long long>(o->dead_letters));
    }
    return 0;
  });
}

struct DlqArgs {
  std::string queue;
  std::string message_id;
  bool yes = false;
  // Accepts the source queue's name for convenience: "dlq list factory-requests".
  std::string dead_letter_queue() const {
    return queue.ends_with(app::kDeadLetterSuffix) ? queue : app::dead_letter_queue_of(queue);
  }
};

int list_dead_letters(Direct& d, const DlqArgs& a) {
  auto messages = d.broker().peek(a.dead_letter_queue(), 1000);
  if (!messages) return fail(messages.error());
  std::printf("%-28s %-26s %-20s %s\n", "MESSAGE", "SENT", "SOURCE", "BODY");
  for (const auto& m : *messages) {
    std::printf("%-28s %-26s %-20s %.60s\n", m.message_id.c_str(),
                format_rfc3339(m.sent_at).c_str(), m.source_queue.c_str(), m.body.c_str());
  }
  std::printf("%zu message(s)\n", messages->size());
  return 0;
}

int show_dead_letter(Direct& d, const DlqArgs& a) {
  auto messages = d.broker().peek(a.dead_letter_queue(), 1000);
  if (!messages) return fail(messages.error());
  for (const auto& m : *messages) {
    if (m.message_id != a.message_id) continue;
    std::cout << "message_id:   " << m.message_id << "\nsource_queue: " << m.source_queue
              << "\nsent_at:      " << format_rfc3339(m.sent_at) << "\nattributes:  ";
    for (const auto& [k, v] : m.attributes) std::cout << " " << k << "=" << v;
    std::cout << "\nbody:\n" << m.body << "\n";
    return 0;
  }
  return fail(make_error(ErrorCode::not_found,
                         "no message " + a.message_id + " in " + a.dead_letter_queue()));
}

int redrive_dead_letters(Direct& d, const DlqArgs& a) {
  auto moved = d.broker().redrive(a.dead_letter_queue(), 1'000'000);
  if (!moved) return fail(moved.error());
  std::cout << "moved " << *moved << " message(s) from " << a.dead_letter_queue()
            << " back to their source queue\n";
  return 0;
}

int purge_dead_letters(Direct& d, const DlqArgs& a) {
  if (!a.yes) {
    std::cerr << "donut: purging deletes the messages for good; add --yes to confirm\n";
    return 2;
  }
  auto purged = d.broker().purge(a.dead_letter_queue());
  if (!purged) return fail(purged.error());
  std::cout << "purged " << *purged << " message(s) from " << a.dead_letter_queue() << "\n";
  return 0;
}

void add_dlq_commands(CLI::App& app, const LocalConfig& config, Action& action) {
  auto* dlq =
      app.add_subcommand("dlq", "Inspect and redrive dead-letter queues")->require_subcommand(1);
  auto args = std::make_shared<DlqArgs>();
  struct Sub {
    const char* name;
    const char* help;
    int (*run)(Direct&, const DlqArgs&);
  };
  for (const Sub& s :
       {Sub{"list", "List the messages of a dead-letter queue", list_dead_letters},
        Sub{"show", "Show one dead-lettered message in full", show_dead_letter},
        Sub{"redrive", "Move dead letters back to their source queue", redrive_dead_letters},
        Sub{"purge", "Delete every message of a dead-letter queue", purge_dead_letters}}) {
    auto* sub = dlq->add_subcommand(s.name, s.help);
    sub->add_option("queue", args->queue,
                    "Dead-letter queue, e.g. factory-requests-dlq (or its source queue)")
        ->required();
    if (s.run == show_dead_letter)
      sub->add_option("message", args->message_id, "Message id")->required();
    if (s.run == purge_dead_letters) sub->add_flag("--yes", args->yes, "Confirm");
    on_direct(*sub, config, action, [args, run = s.run](Direct& d) { return run(d, *args); });
  }
}

int send_test_mail(const LocalConfig& config) {
  clock::SystemClock clock;
  const wiring::MailSettings mail = config.mail_settings();
  auto mailer = wiring::open_mailer(mail, clock);
  if (!mailer) return fail(mailer.error());
  const ports::Email email{"test-" + random_hex(8),
                           mail.from,
                           {mail.to},
                           "[donut-states] test e-mail",
                           "This is a test from Donut-States: notifications reach this address.\n"};
  if (auto sent = (*mailer)->send(email); !sent) return fail(sent.error());
  std::cout << "sent " << email.id << " to " << mail.to << " via " << wiring::describe_mail(mail)
            << "\n";
  return 0;
}

void add_mail_command(CLI::App& app, LocalConfig& config, Action& action) {
  auto* mail = app.add_subcommand("mail", "Notification e-mail")->require_subcommand(1);
  auto* test = mail->add_subcommand(
      "test", "Send one test e-mail the way the notifier would, to check the mail settings");
  add_mail_options(*test, config);
  test->callback([&config, &action] { action = [&config] { return send_test_mail(config); }; });
}

}  // namespace

void add_operator_commands(CLI::App& app, LocalConfig& config, Action& action) {
  add_stock_commands(app, config, action);
  add_order_command(app, action);
  add_db_command(app, config, action);
  add_restocks_command(app, config, action);
  add_queues_command(app, config, action);
  add_dlq_commands(app, config, action);
  add_mail_command(app, config, action);
}

}  // namespace donut::cli
