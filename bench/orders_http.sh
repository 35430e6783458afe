#!/usr/bin/env bash
# POST /v1/orders on one hot product at 64 connections, side by side in one run:
#   ceiling     the same HTTP server answering 200 {} (bench/plain_server)
#   group       `donut up` with group commit (the default)
#   per-request `donut up --order-strategy per-request` (one transaction per order)
# plus group commit across 10 products, and group commit again while the operations console's
# live feed is polled as an open /ops tab polls it (GET /admin/stats, /admin/queues and
# /admin/restocks every 2 s). Reports orders/s, p50, p99 and the ratio to the ceiling.
# Durability is the same in every run (SQLite WAL, synchronous=FULL).
# With a baseline build (e.g. of main), its `donut up` runs the two group-commit runs too, in the
# same run ("group-baseline", "group-10-products-baseline"), for a before/after side by side.
# Usage: bench/orders_http.sh [build-dir] [seconds] [baseline-build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
seconds=${2:-10}
baseline=${3:-}
donut=$build/src/donut
plain=$build/bench/plain_server
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
products_json 10 >"$work/products.json"

start_donut() {  # start_donut <name> <port> [extra args]
  local name=$1 port=$2 binary=$donut
  shift 2
  [[ $name == *-baseline ]] && binary=$baseline/src/donut
  "$binary" up --data-dir "$work/$name" --port "$port" --factory-port $((port + 1)) \
    --seed-file "$work/products.json" --log-level warn --max-quantity 10 "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$port/healthz"
}

"$plain" 18180 2 >"$work/plain.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:18180/"
start_donut group 18280
start_donut per-request 18380 --order-strategy per-request
[[ -n $baseline ]] && start_donut group-baseline 18480

printf "%-22s %12s %10s %10s   %s\n" "run (64 connections)" "requests/s" "p50" "p99" "answers"
run_wrk ceiling http://127.0.0.1:18180
[[ -n $baseline ]] && run_wrk group-baseline http://127.0.0.1:18480
run_wrk group http://127.0.0.1:18280
run_wrk per-request http://127.0.0.1:18380
ten="P0,P1,P2,P3,P4,P5,P6,P7,P8,P9"
[[ -n $baseline ]] && PRODUCTS=$ten run_wrk group-10-products-baseline http://127.0.0.1:18480
PRODUCTS=$ten run_wrk group-10-products http://127.0.0.1:18280
console_feed() {  # what an open console asks, at its pace
  local token
  token=$(cat "$work/group/admin-token")
  while :; do
    for path in /admin/stats /admin/queues "/admin/restocks?limit=12"; do
      curl -fs -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:18280$path" &
    done
    wait
    sleep 2
  done
}
console_feed &
feed=$!
pids+=("$feed")
run_wrk group+console http://127.0.0.1:18280
kill $feed 2>/dev/null || true

ceiling=$(cat "$work/ceiling.rps")
runs=(group per-request group-10-products group+console)
[[ -n $baseline ]] && runs+=(group-baseline group-10-products-baseline)
for name in "${runs[@]}"; do
  awk -v n="$name" -v r="$(cat "$work/$name.rps")" -v c="$ceiling" 'BEGIN {printf "%-22s %.2f of the HTTP ceiling\n", n, r / c}'
done
awk -v g="$(cat "$work/group.rps")" -v p="$(cat "$work/per-request.rps")" 'BEGIN {printf "group commit / per-request: %.1fx\n", g / p}'
awk -v c="$(cat "$work/group+console.rps")" -v g="$(cat "$work/group.rps")" 'BEGIN {printf "group commit with the console feed / without: %.2f\n", c / g}'
for name in group per-request; do
  rss=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$(pgrep -f "data-dir $work/$name " | head -1)/status" 2>/dev/null || echo "?")
  echo "peak RSS of donut up ($name): $rss"
done
echo "load: $(uptime | sed 's/.*load average: //')"
