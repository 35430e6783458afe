#include "adapters/mysql/mysql_store.h"

#include "adapters/sql/outbox_claims_impl.h"
#include "adapters/sql/warehouse_store_impl.h"

template class donut::sql::WarehouseStore<donut::mysql::Database, donut::mysql::MysqlDialect>;
