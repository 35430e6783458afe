#!/usr/bin/env bash
# The crowd against `donut up`: <connections> visitors at once, each opening a connection,
# sending 3 orders (POST /v1/orders on one hot product, keep-alive between them) and closing
# it, then coming back on a new one; a tenth keep their connection for the whole run. The same
# crowd first runs against the plain-200 HTTP server (bench/plain_server): that ceiling shows
# how fast the generator itself can go in the same conditions. Prints one line of figures:
# orders/s, the ceiling and the ratio to it, p50/p99 of the answered orders, p99 of connecting,
# refusals (503 too_many_connections), errors, and donut's peak and final RSS.
# With CROWD_CPUS and SERVER_CPUS set (taskset lists, e.g. 1 and 0), the generator and the
# server (plain or donut) each run on their own cores, so that neither takes the other's time:
# then the ceiling run says whether the generator could go faster than donut let it.
# Usage: bench/crowd.sh <donut-binary> <connections> [seconds] [extra `donut up` options...]
set -euo pipefail
donut=$(realpath "$1")
connections=$2
seconds=${3:-10}
shift $(($# < 3 ? $# : 3))
build=$(dirname "$(dirname "$donut")")
crowd=$build/bench/crowd
plain=$build/bench/plain_server

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
figure() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" "$2"; }
pin_crowd=() pin_server=() crowd_threads=2
if [[ -n ${CROWD_CPUS:-} ]]; then
  pin_crowd=(taskset -c "$CROWD_CPUS") pin_server=(taskset -c "$SERVER_CPUS")
  crowd_threads=$(taskset -c "$CROWD_CPUS" nproc)
fi
run_crowd() {  # run_crowd <port> <out>
  "${pin_crowd[@]}" "$crowd" --port "$1" --connections "$connections" --seconds "$seconds" --threads "$crowd_threads" \
    --orders-per-visit 3 --keep-alive-share 0.1 --products HOT >"$2"
}

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo '{"products":[{"id":"HOT","name":"Hot","price_cents":100,"stock":1000000000,"restock_quantity":0}]}' \
  >"$work/products.json"

ceiling_port=$(free_port)
"${pin_server[@]}" "$plain" "$ceiling_port" 2 >"$work/plain.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$ceiling_port/"
run_crowd "$ceiling_port" "$work/ceiling.txt"
kill "${pids[0]}"

port=$(free_port)
"${pin_server[@]}" "$donut" up --data-dir "$work/donut" --port "$port" --factory-port 0 --seed-file "$work/products.json" \
  --log-level warn --max-quantity 10 "$@" >"$work/donut.log" 2>&1 &
donut_pid=$!
pids+=("$donut_pid")
wait_for "http://127.0.0.1:$port/healthz"
run_crowd "$port" "$work/donut.txt"
peak=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$donut_pid/status")
rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$donut_pid/status")

orders=$(figure answers_per_s "$work/donut.txt")
ceiling=$(figure answers_per_s "$work/ceiling.txt")
printf "%s connections: %s orders/s (ceiling %s/s, %.2f of it), p50 %s ms, p99 %s ms, connect p99 %s ms, refused %s, errors %s (ceiling run: refused %s, errors %s), donut RSS peak %s MB, at the end %s MB\n" \
  "$connections" "$orders" "$ceiling" "$(awk -v o="$orders" -v c="$ceiling" 'BEGIN {print o / c}')" \
  "$(figure p50_ms "$work/donut.txt")" "$(figure p99_ms "$work/donut.txt")" \
  "$(figure connect_p99_ms "$work/donut.txt")" "$(figure refused "$work/donut.txt")" \
  "$(figure errors "$work/donut.txt")" "$(figure refused "$work/ceiling.txt")" \
  "$(figure errors "$work/ceiling.txt")" "$peak" "$rss"
