#!/usr/bin/env bash
# What an orchestrator relies on, from the outside of the `donut` binary: the probe listener of
# each role (--health-port) with a stuck consumer making /healthz fail, `donut probe` (the image's
# health check), secrets read from DONUT_*_FILE files, and `donut db backup` / `restore`.
set -uo pipefail
donut="$1"
data=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$data"' EXIT
source "$(dirname "$0")/checks.sh"
wait_for() {  # wait_for <pattern> <file>: the line a role prints once it listens
  for _ in $(seq 100); do grep -q -- "$1" "$2" && return 0; sleep 0.1; done
  echo "FAIL: '$1' never appeared in $2"; cat "$2"; failures=$((failures + 1)); return 1
}
port_of() { sed -n "s/.*$1 http:\/\/127.0.0.1:\([0-9]*\).*/\1/p" "$2" | head -1; }

# A factory that accepts connections and never answers: a restock call hangs until its timeout.
node -e 'const s = require("net").createServer(() => {}).listen(0, "127.0.0.1", () => console.log(s.address().port))' \
  >"$data/blackhole.port" &
pids+=($!)
wait_for . "$data/blackhole.port"
blackhole=$(cat "$data/blackhole.port")

# Every role but the factory, with a factory call that outlasts the stall limit. With JSON logs
# `up` reports its addresses as log lines on stdout, as the roles do. /metrics only for the
# probe listener's scraper (the image's setting): the public port asks for the admin token.
check "--metrics-access probe without a probe listener is refused" 2 \
  "$donut" up --data-dir "$data/refused" --port 0 --metrics-access probe
contains "saying what is missing" "give --health-port too" "$data/err"
"$donut" up --data-dir "$data/d" --port 0 --health-port 0 --stall-limit-ms 1500 --metrics-access probe \
  --factory-url "http://127.0.0.1:$blackhole" --factory-timeout-ms 60000 --log-format json \
  >"$data/up.out" 2>"$data/up.err" &
pids+=($!)
wait_for "health on" "$data/up.out"
health=$(port_of "health on" "$data/up.out")
sales=$(port_of "listening on" "$data/up.out")
check "/healthz answers 200 while every loop turns" 0 curl -fsS "http://127.0.0.1:$health/healthz"
check "/readyz answers 200 with the store and broker up" 0 curl -fsS "http://127.0.0.1:$health/readyz"
check "/metrics is served on the probe listener" 0 curl -fsS "http://127.0.0.1:$health/metrics"
contains "with this process's series" "donut_http_requests_total\|donut_order" "$data/out"
check "the public /metrics asks for the admin token" 22 curl -fsS "http://127.0.0.1:$sales/metrics"
check "and answers with it" 0 curl -fsS -H "Authorization: Bearer $(cat "$data/d/admin-token")" \
  "http://127.0.0.1:$sales/metrics"
check "donut probe: healthy" 0 env DONUT_HEALTH_PORT="$health" "$donut" probe
check "donut probe --path /readyz" 0 "$donut" probe --port "$health" --path /readyz
check "donut probe of nothing exits 3" 3 "$donut" probe --port 1
check "donut probe refuses other paths" 105 "$donut" probe --port "$health" --path /admin/stats
# Sell Maple Bar out: its restock goes to the factory that never answers.
for _ in 1 2 3 4; do
  curl -fsS -X POST "http://127.0.0.1:$sales/v1/orders" -H 'Content-Type: application/json' \
    -d '{"product_id":"CP-502104","quantity":5}' >/dev/null
done
stuck=""
for _ in $(seq 100); do
  if ! curl -fsS "http://127.0.0.1:$health/healthz" >/dev/null 2>&1; then stuck=yes; break; fi
  sleep 0.1
done
if [[ -n $stuck ]]; then echo "ok: a consumer stuck past the stall limit fails /healthz"; else
  echo "FAIL: /healthz stayed 200 with the restock consumer stuck"; failures=$((failures + 1)); fi
curl -sS "http://127.0.0.1:$health/healthz" >"$data/stuck.json"
contains "503 names the stuck consumer" '"code":"unavailable".*factory-requests consumer has not completed a pass' "$data/stuck.json"
check "donut probe: unhealthy exits 1" 1 "$donut" probe --port "$health"
check "/readyz still answers 200: the engines are fine, a restart is what helps" 0 \
  curl -fsS "http://127.0.0.1:$health/readyz"
check "the public /healthz stays up (the sales routes are not stuck)" 0 curl -fsS "http://127.0.0.1:$sales/healthz"
kill -9 "${pids[1]}"; wait "${pids[1]}" 2>/dev/null

# A flag wins over the environment, even where other commands read the same variable (the image
# sets DONUT_HEALTH_PORT; a role given --health-port must listen there).
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
read -r env_port env_health flag_port flag_health < <(echo "$(free_port) $(free_port) $(free_port) $(free_port)")
DONUT_HEALTH_PORT=$env_health DONUT_PORT=$env_port "$donut" sales --data-dir "$data/f" --port "$flag_port" \
  --health-port "$flag_health" >"$data/flags.out" 2>&1 &
pids+=($!)
wait_for "ready" "$data/flags.out"
contains "--port wins over DONUT_PORT" "listening on http://127.0.0.1:$flag_port$" "$data/flags.out"
contains "--health-port wins over DONUT_HEALTH_PORT" "health on http://127.0.0.1:$flag_health$" "$data/flags.out"
kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null

# Secrets from files: DONUT_<NAME>_FILE stands in for DONUT_<NAME>.
printf 'token-from-a-file\n' >"$data/admin-token"
DONUT_ADMIN_TOKEN_FILE="$data/admin-token" "$donut" sales --data-dir "$data/s" --port 0 \
  >"$data/sales.out" 2>"$data/sales.err" &
pids+=($!)
wait_for "listening on" "$data/sales.out"
sales=$(port_of "listening on" "$data/sales.out")
check "the admin token comes from the file (newline dropped)" 0 \
  curl -fsS -H 'Authorization: Bearer token-from-a-file' "http://127.0.0.1:$sales/admin/stats"
check "and no other" 22 curl -fsS -H 'Authorization: Bearer token-from-a-file\n' "http://127.0.0.1:$sales/admin/stats"
check "a missing secret file is refused" 2 env DONUT_ADMIN_TOKEN_FILE="$data/nope" "$donut" queues --data-dir "$data/s"
contains "it names the setting and the file" "DONUT_ADMIN_TOKEN_FILE: cannot read $data/nope" "$data/err"
: >"$data/empty"
check "an empty secret file is refused" 2 env DONUT_CALLBACK_SECRET_FILE="$data/empty" "$donut" queues --data-dir "$data/s"
check "a secret both in a file and the environment is refused" 2 \
  env DONUT_BROKER=embedded DONUT_BROKER_FILE="$data/admin-token" "$donut" queues --data-dir "$data/s"
printf 'mysql://donut:pw-in-a-file@127.0.0.1:1/donut\n' >"$data/database-url"
check "the database URL comes from its file" 3 env DONUT_DATABASE_FILE="$data/database-url" \
  "$donut" db migrate --data-dir "$data/s"
contains "the URL from the file is the one tried" "127.0.0.1:1\|127.0.0.1' (\|port 1\|Can't connect" "$data/err"
check "its password is not printed" 1 grep -q pw-in-a-file "$data/out" "$data/err"

# The factory simulator alone needs no warehouse nor broker, and opens neither: unreachable
# ones, named in its environment, neither stop it nor make it unready; it warehouses nothing.
DONUT_DATABASE_FILE="$data/database-url" DONUT_BROKER=amqp://guest:guest@127.0.0.1:1/ \
  "$donut" factory --data-dir "$data/factory" --factory-port 0 --health-port 0 \
  >"$data/factory.out" 2>"$data/factory.err" &
pids+=($!)
wait_for "health on" "$data/factory.out"
factory_health=$(port_of "health on" "$data/factory.out")
check "the factory alone is ready with the engines out of reach" 0 \
  curl -fsS "http://127.0.0.1:$factory_health/readyz"
check "and keeps no warehouse" 1 test -e "$data/factory/warehouse.db"

# Backups of the SQLite warehouse; restore only into a data folder without one.
check "db backup" 0 "$donut" db backup "$data/backup.db" --data-dir "$data/s"
contains "it says what it copied" "backed up .*warehouse.db to $data/backup.db" "$data/out"
check "the copy is one self-contained file in rollback mode" 0 test "$(sqlite3 "$data/backup.db" 'PRAGMA journal_mode')" = delete
check "db backup of no warehouse exits 2" 2 "$donut" db backup "$data/b2.db" --database "$data/none.db"
check "db backup into a missing folder exits 2" 2 "$donut" db backup "$data/no/such/dir/b.db" --data-dir "$data/s"
check "db backup on MySQL points to mariadb-dump" 2 "$donut" db backup "$data/b3.db" \
  --database mysql://root@127.0.0.1:1/donut
contains "it says how" "mariadb-dump --single-transaction" "$data/err"
check "db restore over a warehouse is refused" 2 "$donut" db restore "$data/backup.db" --data-dir "$data/s"
check "db restore of something else is refused" 2 "$donut" db restore "$data/admin-token" --data-dir "$data/r0"
check "db restore into a fresh data folder" 0 "$donut" db restore "$data/backup.db" --data-dir "$data/r"
check "the backup is the owner's alone" 0 test "$(stat -c %a "$data/backup.db")" = 600
check "the data folder restore creates is 0700" 0 test "$(stat -c %a "$data/r")" = 700
check "the restored warehouse opens" 0 "$donut" stock list --data-dir "$data/r"
contains "with the catalogue" "CP-502104" "$data/out"

if [[ $failures -gt 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "all health, secret-file and backup checks passed"
