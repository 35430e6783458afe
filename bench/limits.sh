#!/usr/bin/env bash
# Every figure of "how close to the machine's limit" in one run, side by side, as ratios:
#   1. POST /v1/orders at 64 keep-alive connections (wrk -t2 -c64): the HTTP ceiling (the same
#      server answering 200 {}, bench/plain_server), `donut up` on SQLite (group commit on one
#      hot product, with an Idempotency-Key on every order as the storefront sends, and on 10
#      products; one transaction per order), `donut sales` on MariaDB (group commit, without and
#      with keys; one transaction per order in one process and in <processes> processes at
#      once, as Lambda's environments each commit their own), and the ceiling again at the end
#      to show how much the machine moved meanwhile. Each row's share is of the first ceiling.
#   2. The crowd (bench/crowd.sh): 64 and then 10,000 visitors opening and closing connections
#      against `donut up`, each against the same crowd on the plain server; the generator on the
#      last core and the server on the others, so that the ceiling run shows whether the
#      generator could go faster than the shop let it.
#   3. Lambda: each packaged zip's size and its function's cold start in the al2023-shaped
#      sandbox (init: exec to the first Runtime API `next`, median of <cold starts>), when the
#      zips are built (`--target lambda_packages`).
# Durability is the same everywhere: SQLite WAL synchronous=FULL, InnoDB
# innodb_flush_log_at_trx_commit=1. Growth with the history is bench/growth.sh (it takes long).
# Usage: bench/limits.sh [build-dir] [seconds per row] [processes] [cold starts]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$root/build/release}")
seconds=${2:-10}
processes=${3:-4}
cold_starts=${4:-20}
donut=$build/src/donut
mariadb_port=$((30000 + RANDOM % 10000))
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
on_exit() { if [[ -d $work/mariadb ]]; then "$root/scripts/test-server" mariadb stop "$work/mariadb"; fi; }

products_json 10 >"$work/products.json"
ten=P0,P1,P2,P3,P4,P5,P6,P7,P8,P9
url() { echo "http://127.0.0.1:$1"; }

# Both leave the port of what they started in `started` (not printed: a $(...) subshell would
# keep the process out of `pids`).
start_up() {  # start_up <name> [extra args]: `donut up` on SQLite
  local name=$1 port
  shift
  port=$(free_port)
  "$donut" up --data-dir "$work/$name" --port "$port" --factory-port 0 --seed-file "$work/products.json" \
    --log-level warn --max-quantity 10 "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  wait_for "$(url "$port")/healthz"
  started=$port
}

start_sales() {  # start_sales <name> <database> [extra args]: `donut sales` on MariaDB
  local name=$1 database=$2 port
  shift 2
  port=$(free_port)
  "$donut" sales --database "mysql://root@127.0.0.1:$mariadb_port/$database" --data-dir "$work/$name" \
    --port "$port" --seed-file "$work/products.json" --log-level warn --max-quantity 10 "$@" \
    >"$work/$name.log" 2>&1 &
  pids+=($!)
  wait_for "$(url "$port")/healthz"
  started=$port
}

# run_spread <name> <ports...>: the 64 connections spread over several processes' ports, one
# wrk each, at once; the row adds their orders/s and takes the worst p99.
run_spread() {
  local name=$1 n=0 each runs=()
  shift
  each=$((64 / $#))
  for port in "$@"; do
    n=$((n + 1))
    wrk -t1 -c"$each" -d"${seconds}s" --latency -s "$root/loadtest/wrk/order.lua" "$(url "$port")" \
      >"$work/$name.$n.txt" &
    runs+=($!)
  done
  wait "${runs[@]}"
  local rps p99
  rps=$(cat "$work/$name".*.txt | awk '/Requests\/sec/ {s += $2} END {printf "%.2f", s}')
  p99=$(cat "$work/$name".*.txt | awk '$1=="99%" {print $2}' | sort -h | tail -1)
  printf "%-26s %12s %10s %10s   %s processes, 201s: %s\n" "$name" "$rps" "-" "$p99" "$#" \
    "$(cat "$work/$name".*.txt | sed -n 's/^statuses:.*201=\([0-9]*\).*/\1/p' | paste -sd+ | bc)"
  echo "$rps" >"$work/$name.rps"
}

echo "== 1. orders at 64 connections ($seconds s each; $(uptime | sed 's/.*load/load/'))"
plain=$(free_port)
"$build/bench/plain_server" "$plain" 2 >"$work/plain.log" 2>&1 &
pids+=($!)
wait_for "$(url "$plain")/"
"$root/scripts/test-server" mariadb start "$work/mariadb" "$mariadb_port"
start_up sqlite-group && group=$started
start_up sqlite-per-request --order-strategy per-request && per_request=$started
start_sales mariadb-group bench_group && my_group=$started
start_sales mariadb-per-request bench_per_request --order-strategy per-request && my_per_request=$started
spread=()
for i in $(seq "$processes"); do
  start_sales "mariadb-per-request-$i" bench_spread --order-strategy per-request && spread+=("$started")
done

printf "%-26s %12s %10s %10s   %s\n" "run" "requests/s" "p50" "p99" "answers"
run_wrk ceiling "$(url "$plain")"
run_wrk sqlite-group "$(url "$group")"
KEY_PREFIX=sqlite-$$ run_wrk sqlite-group-keyed "$(url "$group")"
PRODUCTS=$ten run_wrk sqlite-group-10-products "$(url "$group")"
run_wrk sqlite-per-request "$(url "$per_request")"
run_wrk mariadb-group "$(url "$my_group")"
KEY_PREFIX=mariadb-$$ run_wrk mariadb-group-keyed "$(url "$my_group")"
run_wrk mariadb-per-request "$(url "$my_per_request")"
run_spread "mariadb-per-request-x$processes" "${spread[@]}"
run_wrk ceiling-again "$(url "$plain")"

ceiling=$(cat "$work/ceiling.rps")
echo
printf "%-26s %s\n" "run" "share of the HTTP ceiling"
for name in sqlite-group sqlite-group-keyed sqlite-group-10-products sqlite-per-request \
  mariadb-group mariadb-group-keyed mariadb-per-request "mariadb-per-request-x$processes" ceiling-again; do
  awk -v n="$name" -v r="$(cat "$work/$name.rps")" -v c="$ceiling" 'BEGIN {printf "%-26s %.2f\n", n, r / c}'
done
awk -v g="$(cat "$work/sqlite-group.rps")" -v p="$(cat "$work/sqlite-per-request.rps")" \
  -v mg="$(cat "$work/mariadb-group.rps")" -v mp="$(cat "$work/mariadb-per-request.rps")" \
  -v ms="$(cat "$work/mariadb-per-request-x$processes.rps")" -v n="$processes" \
  'BEGIN {printf "group commit / per request: SQLite %.1fx, MariaDB %.1fx; MariaDB per request, %d processes / one: %.2fx\n", g / p, mg / mp, n, ms / mp}'
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()

echo
last_cpu=$(($(nproc) - 1))
export CROWD_CPUS=$last_cpu SERVER_CPUS=0-$((last_cpu > 0 ? last_cpu - 1 : 0))
echo "== 2. the crowd (20 s each; generator on cpu $CROWD_CPUS, server on $SERVER_CPUS; $(uptime | sed 's/.*load/load/'))"
"$root/bench/crowd.sh" "$donut" 64 20 | tee "$work/crowd-64.txt"
"$root/bench/crowd.sh" "$donut" 10000 20 | tee "$work/crowd-10000.txt"
awk '{print $3}' "$work/crowd-64.txt" "$work/crowd-10000.txt" | paste -sd' ' |
  awk '{printf "10,000 connections / 64: %.2f\n", $2 / $1}'

echo
echo "== 3. Lambda ($(uptime | sed 's/.*load/load/'))"
if ! compgen -G "$build/lambda/*.zip" >/dev/null; then
  echo "no zips in $build/lambda: build them with --target lambda_packages"
  exit 0
fi
for zip in "$build"/lambda/*.zip; do
  printf "%-28s %6.2f MB\n" "$(basename "$zip")" "$(stat -c %s "$zip" | awk '{print $1 / 1e6}')"
done
TZ=Pacific/Kiritimati node "$root/tests/aws/sandbox_story.mjs" --donut "$donut" --lambda-dir "$build/lambda" \
  --cold-starts "$cold_starts" --cold-starts-only | sed -n '/^cold starts/,$p'
