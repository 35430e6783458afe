#!/usr/bin/env bash
# The restore drill, on both warehouses, as docs/SELF-HOSTED.md (Backups) tells an operator:
#   SQLite:  `donut db backup` mid-surge, `donut db restore` into a fresh data folder;
#   MariaDB: `mariadb-dump --single-transaction` mid-surge, loaded into a fresh database.
# Each time the shop restarts on the copy and: no order answered 201 before the backup began is
# missing, the copy's stock adds up (initial + arrived - sold = stock, never negative), and a
# surge on the restored shop holds every invariant.
#   tests/selfhost/restore_drill.sh <donut binary>
set -uo pipefail
donut=$(realpath "${1:?donut binary}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
servers="$repo/scripts/test-server"
source "$(dirname "$0")/podman_env.sh"  # free_port, start_rabbitmq, a temp folder; no container
data="$podman_root/work"
mkdir -p "$data"
source "$repo/tests/cli/checks.sh"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  "$servers" rabbitmq stop "$data/mq" >/dev/null 2>&1
  "$servers" mariadb stop "$data/db" >/dev/null 2>&1
  rm -rf "$podman_root"
}
trap cleanup EXIT
started=$(date +%s)
printf '{"products":[{"id":"DRILL-1","name":"Drill","price_cents":100,"stock":400,"restock_quantity":300}]}\n' \
  >"$data/catalogue.json"

# up <name> <donut options...>: the whole shop in one process; sets $shop and $token.
up() {
  local name=$1
  shift
  "$donut" up --port 0 --factory-port 0 --factory-delay-ms 300 --seed-file "$data/catalogue.json" \
    --log-format json --log-level warn "$@" >"$data/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do grep -qs '"msg":"ready"' "$data/$name.log" && break; sleep 0.05; done
  shop=$(sed -n 's/.*"msg":"listening on \(http[^"]*\)".*/\1/p' "$data/$name.log" | head -1)
}
stop_last() { kill -TERM "${pids[-1]}"; wait "${pids[-1]}"; }
admin() { curl -fsS -H "Authorization: Bearer $token" "$shop$1"; }

# drill <engine> <backup command> <restore command> <restored up options...>
drill() {
  local engine=$1 backup=$2 restore=$3 stream began missing sold_before
  shift 3
  node "$(dirname "$0")/order_stream.mjs" "$shop" DRILL-1 8 8 "$data/$engine.orders" >"$data/$engine.stream" &
  stream=$!
  sleep 4
  began=$(date +%s%3N)
  check "$engine: the backup, mid-surge" 0 bash -c "$backup"
  wait "$stream"
  echo "    $engine: $(cat "$data/$engine.stream") while the backup ran"
  sold_before=$(awk -v t="$began" '$2 < t' "$data/$engine.orders" | wc -l)
  stop_last
  check "$engine: the restore" 0 bash -c "$restore"
  up "$engine-restored" "$@"
  check "$engine: the shop starts on the copy" 0 curl -fsS "$shop/readyz"
  missing=0
  while read -r id at; do
    ((at < began)) || continue
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$shop/v1/orders/$id") == 200 ]] || missing=$((missing + 1))
  done <"$data/$engine.orders"
  check "$engine: none of the $sold_before orders answered 201 before the backup is missing" 0 test "$missing" = 0
  check "$engine: some were sold before it" 0 test "$sold_before" -gt 0
  admin /admin/stats >"$data/$engine.stats"
  check "$engine: the copy adds up: 400 + arrived - sold = stock >= 0" 0 node -e '
    const p = JSON.parse(require("fs").readFileSync(process.argv[1])).products.find((p) => p.product_id === "DRILL-1");
    if (p.stock < 0 || 400 + p.units_arrived - p.units_sold !== p.stock) { console.log(p); process.exit(1); }' \
    "$data/$engine.stats"
  check "$engine: a surge on the restored shop holds every invariant" 0 "$donut" surge --url "$shop" \
    --admin-token "$token" --product "AFTER-$engine" --initial-stock 100 --restock 80 --start-rate 20 \
    --peak-rate 100 --ramp-s 1 --hold-s 3 --connections 4 --settle-timeout-s 60 --chart "$data/$engine.svg"
  grep -q '^invariants: all hold' "$data/out" || cat "$data/out"
  stop_last
}

# SQLite: the default warehouse, its queues in the same file.
up sqlite --data-dir "$data/sqlite"
token=$(cat "$data/sqlite/admin-token")
mkdir -p "$data/sqlite-fresh"
cp "$data/sqlite/admin-token" "$data/sqlite/callback-secret" "$data/sqlite-fresh/"  # secrets are not in the backup
drill sqlite "'$donut' db backup '$data/sqlite.backup' --data-dir '$data/sqlite'" \
  "'$donut' db restore '$data/sqlite.backup' --data-dir '$data/sqlite-fresh'" --data-dir "$data/sqlite-fresh"

# MariaDB: the documented mariadb-dump, restored into a fresh database.
db_port=$(free_port)
"$servers" mariadb start "$data/db" "$db_port" || exit 1
start_rabbitmq "$data/mq" || exit 1
mysql_client=(mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$db_port" -uroot)
"$servers" rabbitmq ctl "$data/mq" add_vhost restored >/dev/null
"$servers" rabbitmq ctl "$data/mq" set_permissions -p restored guest '.*' '.*' '.*' >/dev/null
up mariadb --data-dir "$data/maria" --database "mysql://root@127.0.0.1:$db_port/donut" \
  --broker "amqp://guest:guest@127.0.0.1:$mq_port/"
token=$(cat "$data/maria/admin-token")
drill mariadb \
  "mariadb-dump --no-defaults --protocol=tcp -h127.0.0.1 -P$db_port -uroot --single-transaction --quick --routines --triggers --events donut >'$data/donut.sql'" \
  "${mysql_client[*]} -e 'CREATE DATABASE donut_restored' && ${mysql_client[*]} donut_restored <'$data/donut.sql'" \
  --data-dir "$data/maria" --database "mysql://root@127.0.0.1:$db_port/donut_restored" \
  --broker "amqp://guest:guest@127.0.0.1:$mq_port/restored"

echo "restore drill: $(( $(date +%s) - started )) s"
if [[ $failures -gt 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "the restore drill held on SQLite and on MariaDB"
