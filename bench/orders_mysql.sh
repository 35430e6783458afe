#!/usr/bin/env bash
# POST /v1/orders on one hot product at 64 connections against MariaDB (durable:
# innodb_flush_log_at_trx_commit=1), side by side in one run: `donut sales` with one
# transaction per order (per-request) as one process and as several processes on one database
# (the shape of AWS, where each Lambda `sales` environment commits its own transactions), with
# group commit (group), plus the plain-200 HTTP ceiling. Starts a throw-away MariaDB with
# scripts/test-server. The several-process run splits the 64 connections over one wrk per
# process, all at once, and adds their rates; its p50/p99 are the worst process's. A last
# per-request row spreads the same processes' orders over 8 products instead of one: 8 row
# locks instead of one, what splitting the hot product's stock over 8 rows could give at best.
# Last, the several processes on the hot product again without an fsync at each commit.
# Beside each database row: MariaDB's row-lock waits and statements per commit, and the CPU
# time MariaDB and the `donut` processes spent per commit (from /proc), so a run shows where
# the time goes.
# Extra `donut sales` options for the per-request runs: PER_REQUEST_ARGS (e.g. "--http-threads 8").
# With a baseline build (e.g. of main), its `donut sales` runs group commit too, in the same
# run against the same server ("group-baseline"), for a before/after measured side by side.
# Usage: bench/orders_mysql.sh [build-dir] [seconds] [processes] [baseline-build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
seconds=${2:-10}
processes=${3:-4}
read -r -a per_request_args <<<"${PER_REQUEST_ARGS:-}"
baseline=${4:-}
donut=$build/src/donut
port=$((30000 + RANDOM % 10000))
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
on_exit() { "$root/scripts/test-server" mariadb stop "$work/mariadb"; }
"$root/scripts/test-server" mariadb start "$work/mariadb" "$port"

spread=HOT,S2,S3,S4,S5,S6,S7,S8
product() { echo "{\"id\":\"$1\",\"name\":\"$1\",\"price_cents\":100,\"stock\":100000000,\"restock_quantity\":0}"; }
echo "{\"products\":[$(for id in ${spread//,/ }; do product "$id"; done | paste -sd,)]}" >"$work/products.json"

start_sales() {  # start_sales <name> <database> <http port> [extra args]
  local name=$1 database=$2 http=$3 binary=$donut
  shift 3
  [[ $name == *-baseline ]] && binary=$baseline/src/donut
  "$binary" sales --database "mysql://root@127.0.0.1:$port/$database" --data-dir "$work/$name" \
    --port "$http" --seed-file "$work/products.json" --log-level warn "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$http/healthz"
}

print_row() {  # print_row <name> <requests/s> <p50> <p99> <answers>
  printf "%-28s %12s %10s %10s %s\n" "$@"
  echo "$2" >"$work/$1.rps"
}

mariadb_figures() {  # the servers' CPU ticks (MariaDB's, ours), commits, row-lock waits, statements
  local status ours=0
  for p in "${pids[@]}"; do ours=$((ours + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  status=$(mysql --no-defaults -h127.0.0.1 -P"$port" -uroot -N -e "SHOW GLOBAL STATUS WHERE \
    Variable_name IN ('Com_commit', 'Innodb_row_lock_waits', 'Questions')" | awk '{print $2}' | paste -sd' ')
  echo "$(awk '{print $14 + $15}' "/proc/$(cat "$work/mariadb/server.pid")/stat") $ours $status"
}

mariadb_delta() {  # mariadb_delta <figures before>: per commit since then
  read -r ticks ours commits waits statements <<<"$1"
  read -r ticks2 ours2 commits2 waits2 statements2 <<<"$(mariadb_figures)"
  awk -v t=$((ticks2 - ticks)) -v o=$((ours2 - ours)) -v c=$((commits2 - commits)) \
    -v w=$((waits2 - waits)) -v s=$((statements2 - statements)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN {if (c > 0) printf "%11.2f %11.1f %11.3f %11.3f  ", w / c, s / c, t * 1000 / hz / c, o * 1000 / hz / c;
           else printf "%11s %11s %11s %11s  ", "-", "-", "-", "-"}'
}

wrk_once() {  # wrk_once <out> <threads> <connections> <url>
  PRODUCTS=${PRODUCTS:-HOT} wrk -t"$2" -c"$3" -d"${seconds}s" --latency -s "$root/loadtest/wrk/order.lua" "$4" >"$1"
}

run_wrk() {  # run_wrk <name> <url>
  local before
  before=$(mariadb_figures)
  wrk_once "$work/$1.txt" 2 64 "$2"
  print_row "$1" "$(awk '/Requests\/sec/ {print $2}' "$work/$1.txt")" \
    "$(awk '$1=="50%" {print $2}' "$work/$1.txt")" "$(awk '$1=="99%" {print $2}' "$work/$1.txt")" \
    "$(mariadb_delta "$before")$(grep '^statuses:' "$work/$1.txt" | cut -d' ' -f2-)"
}

run_wrk_each() {  # run_wrk_each <name> <url>...: one wrk per url at once, 64 connections split
  local name=$1 i=0 each waits=() before
  shift
  before=$(mariadb_figures)
  each=$((64 / $#))
  for url in "$@"; do
    wrk_once "$work/$name.$i.txt" 1 "$each" "$url" &
    waits+=($!)
    i=$((i + 1))
  done
  wait "${waits[@]}"
  print_row "$name" "$(awk '/Requests\/sec/ {s += $2} END {printf "%.2f", s}' "$work/$name".*.txt)" \
    "$(awk '$1=="50%" {print $2}' "$work/$name".*.txt | sort -h | tail -1)" \
    "$(awk '$1=="99%" {print $2}' "$work/$name".*.txt | sort -h | tail -1)" \
    "$(mariadb_delta "$before")$(cat "$work/$name".*.txt | grep '^statuses:' | cut -d' ' -f2- | tr '\n' ' ')"
}

"$build/bench/plain_server" 18190 2 >"$work/plain.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:18190/"
start_sales per-request bench_per_request 18390 --order-strategy per-request "${per_request_args[@]}"
several=()
for i in $(seq "$processes"); do
  start_sales "per-request-$i" bench_per_request_several $((18400 + i)) \
    --order-strategy per-request "${per_request_args[@]}"
  several+=("http://127.0.0.1:$((18400 + i))")
done
start_sales group bench_group 18290
[[ -n $baseline ]] && start_sales group-baseline bench_group_baseline 18490

echo "load: $(uptime | sed 's/.*load average: //')"
printf "%-28s %12s %10s %10s %11s %11s %11s %11s  %s\n" "run (64 connections)" "requests/s" "p50" "p99" \
  "waits/tx" "stmts/tx" "db ms/tx" "donut ms/tx" "answers"
run_wrk ceiling http://127.0.0.1:18190
run_wrk per-request http://127.0.0.1:18390
run_wrk_each "per-request x$processes" "${several[@]}"
[[ -n $baseline ]] && run_wrk group-baseline http://127.0.0.1:18490
run_wrk group http://127.0.0.1:18290
PRODUCTS=$spread run_wrk_each "per-request x$processes, 8 products" "${several[@]}"
# Whether the fsync is what the hot row waits for: the same run with the log written at each
# commit but flushed once a second (not durable; a diagnosis only).
mysql --no-defaults -h127.0.0.1 -P"$port" -uroot -e "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
run_wrk_each "per-request x$processes, no fsync" "${several[@]}"
echo "load: $(uptime | sed 's/.*load average: //')"
awk -v g="$(cat "$work/group.rps")" -v p="$(cat "$work/per-request.rps")" \
  -v s="$(cat "$work/per-request x$processes.rps")" -v c="$(cat "$work/ceiling.rps")" -v n="$processes" \
  -v e="$(cat "$work/per-request x$processes, 8 products.rps")" \
  'BEGIN {printf "group commit / per-request on MariaDB: %.1fx (%.1fx against %d processes); group commit at %.2f of the HTTP ceiling\n", g / p, g / s, n, g / c;
         printf "per-request, %d processes: 8 products / 1 hot product: %.1fx\n", n, e / s}'
if [[ -n $baseline ]]; then
  awk -v g="$(cat "$work/group.rps")" -v b="$(cat "$work/group-baseline.rps")" \
    'BEGIN {printf "group commit, this build / the baseline: %.2fx\n", g / b}'
fi
