// Wiring of the warehouse and its queues together: what a host or an operator command opens
// before anything else. One call opens the store and the broker their settings name (store.h,
// broker.h) and declares the queues and subscriptions; when the warehouse is a SQLite file and
// the broker is the embedded one, both live in that one file and share its connections, which
// stays an affair of wiring/.
// Errors: those of open_store and open_broker, or the broker's refusal of the topology.
#pragma once

#include <memory>

#include "common/error.h"
#include "ports/broker.h"
#include "ports/clock.h"
#include "ports/store.h"
#include "wiring/broker.h"
#include "wiring/store.h"

namespace donut::wiring {

struct Storage {
  std::unique_ptr<ports::Store> store;
  std::unique_ptr<ports::Broker> broker;  // `topology` declared
  int schema_version = 0;                 // the warehouse's
};

Result<Storage> open_storage(const StoreSettings& store, const BrokerSettings& broker,
                             const ports::Topology& topology, const ports::Clock& clock);

}  // namespace donut::wiring
