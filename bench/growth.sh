#!/usr/bin/env bash
# Does the shop slow down as its history grows? Keyed orders (each its own Idempotency-Key, as
# the storefront sends them) over 10 products go into one `donut up` until it holds <target>
# orders. Each round sells for <seconds> into that growing warehouse and, at the same time and
# with the same load, into a fresh, empty one started for the round, so that whatever else the
# machine does moves both figures alike: the ratio of the two is the growth's own cost. After each
# round the admin stats (GET /admin/stats) and the scrape (GET /metrics) are timed on both,
# median of 5. Durability is the default's (SQLite WAL, synchronous=FULL).
# Usage: bench/growth.sh [build-dir] [target orders] [seconds per round]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
target=${2:-10000000}
round_seconds=${3:-15}
donut=$build/src/donut
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

products_json 10 >"$work/products.json"
ten=P0,P1,P2,P3,P4,P5,P6,P7,P8,P9

start_up() {  # start_up <data dir> <port>: prints the pid
  "$donut" up --data-dir "$1" --port "$2" --factory-port 0 --seed-file "$work/products.json" \
    --log-level warn --max-quantity 10 >>"$work/up.log" 2>&1 &
  echo $!
}

# median_ms <port> <path> <token>: the median of 5 answers' total time, in ms.
median_ms() {
  for _ in 1 2 3 4 5; do
    curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $3" "http://127.0.0.1:$1$2"
  done | sort -n | sed -n 3p | awk '{printf "%.1f", $1 * 1000}'
}

big_port=$(free_port)
big_pid=$(start_up "$work/big" "$big_port")
pids+=("$big_pid")
wait_for "http://127.0.0.1:$big_port/healthz"
big_token=$(cat "$work/big/admin-token")

printf "%-12s %10s %10s %6s   %-13s %-13s %8s\n" "orders held" "orders/s" "empty" "ratio" \
  "stats ms" "metrics ms" "db MB"
printf "%-12s %10s %10s %6s   %-13s %-13s %8s\n" "" "(growing)" "(fresh)" "" "(grow/fresh)" \
  "(grow/fresh)" ""
held=0
round=0
while ((held < target)); do
  round=$((round + 1))
  seconds=$round_seconds
  fresh_port=$(free_port)
  fresh_pid=$(start_up "$work/fresh-$round" "$fresh_port")
  pids+=("$fresh_pid")
  wait_for "http://127.0.0.1:$fresh_port/healthz"
  PRODUCTS=$ten KEY_PREFIX="g$round" run_wrk "big-$round" "http://127.0.0.1:$big_port" >/dev/null &
  growing_wrk=$!
  PRODUCTS=$ten KEY_PREFIX="f$round" run_wrk "fresh-$round" "http://127.0.0.1:$fresh_port" >/dev/null
  wait "$growing_wrk"
  held=$((held + $(sold "big-$round")))
  fresh_token=$(cat "$work/fresh-$round/admin-token")

  stats="$(median_ms "$big_port" /admin/stats "$big_token")/$(median_ms "$fresh_port" /admin/stats "$fresh_token")"
  metrics="$(median_ms "$big_port" /metrics "$big_token")/$(median_ms "$fresh_port" /metrics "$fresh_token")"
  kill "$fresh_pid"
  wait "$fresh_pid" 2>/dev/null || true
  rm -rf "$work/fresh-$round"
  big_rps=$(cat "$work/big-$round.rps")
  fresh_rps=$(cat "$work/fresh-$round.rps")
  db_mb=$(du -sm "$work/big" | cut -f1)
  printf "%-12s %10.0f %10.0f %6.2f   %-13s %-13s %8s\n" "$held" "$big_rps" "$fresh_rps" \
    "$(awk -v a="$big_rps" -v b="$fresh_rps" 'BEGIN {print a / b}')" "$stats" "$metrics" "$db_mb"
done
echo "peak RSS of the growing donut up: $(peak_rss_kb "$big_pid") kB"
