#!/usr/bin/env bash
# POST /v1/orders on one hot product at 64 connections against MariaDB (durable:
# innodb_flush_log_at_trx_commit=1), side by side in one run: `donut sales` with one
# transaction per order (per-request) and with group commit (group), plus the plain-200 HTTP
# ceiling. Starts a throw-away MariaDB with scripts/test-server.
# With a baseline build (e.g. of main), its `donut sales` runs group commit too, in the same
# run against the same server ("group-baseline"), for a before/after measured side by side.
# Usage: bench/orders_mysql.sh [build-dir] [seconds] [baseline-build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
seconds=${2:-10}
baseline=${3:-}
donut=$build/src/donut
work=$(mktemp -d)
pids=()
port=$((30000 + RANDOM % 10000))
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$root/scripts/test-server" mariadb stop "$work/mariadb"
  rm -rf "$work"
}
trap cleanup EXIT
"$root/scripts/test-server" mariadb start "$work/mariadb" "$port"

wait_for() { for _ in $(seq 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not up: $1"; exit 1; }
seed='{"products":[{"id":"HOT","name":"Hot","price_cents":100,"stock":100000000,"restock_quantity":0}]}'
echo "$seed" >"$work/products.json"

start_sales() {  # start_sales <name> <http port> [extra args]
  local name=$1 http=$2 binary=$donut
  shift 2
  [[ $name == *-baseline ]] && binary=$baseline/src/donut
  "$binary" sales --database "mysql://root@127.0.0.1:$port/bench_${name//-/_}" --data-dir "$work/$name" \
    --port "$http" --seed-file "$work/products.json" --log-level warn "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$http/healthz"
}

run_wrk() {  # run_wrk <name> <url>
  wrk -t2 -c64 -d"${seconds}s" --latency -s "$root/loadtest/wrk/order.lua" "$2" >"$work/$1.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$1.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/$1.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/$1.txt")
  printf "%-22s %12s %10s %10s   %s\n" "$1" "$rps" "$p50" "$p99" "$(grep '^statuses:' "$work/$1.txt" | cut -d' ' -f2-)"
  echo "$rps" >"$work/$1.rps"
}

"$build/bench/plain_server" 18190 2 >"$work/plain.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:18190/"
start_sales per-request 18390 --order-strategy per-request
start_sales group 18290
[[ -n $baseline ]] && start_sales group-baseline 18490

printf "%-22s %12s %10s %10s   %s\n" "run (64 connections)" "requests/s" "p50" "p99" "answers"
run_wrk ceiling http://127.0.0.1:18190
run_wrk per-request http://127.0.0.1:18390
[[ -n $baseline ]] && run_wrk group-baseline http://127.0.0.1:18490
run_wrk group http://127.0.0.1:18290
awk -v g="$(cat "$work/group.rps")" -v p="$(cat "$work/per-request.rps")" -v c="$(cat "$work/ceiling.rps")" \
  'BEGIN {printf "group commit / per-request on MariaDB: %.1fx; group commit at %.2f of the HTTP ceiling\n", g / p, g / c}'
if [[ -n $baseline ]]; then
  awk -v b="$(cat "$work/group-baseline.rps")" -v g="$(cat "$work/group.rps")" -v c="$(cat "$work/ceiling.rps")" \
    'BEGIN {printf "baseline group commit at %.2f of the HTTP ceiling; this build / baseline: %.2fx\n", b / c, g / b}'
fi
echo "load: $(uptime | sed 's/.*load average: //')"
