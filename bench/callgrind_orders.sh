#!/usr/bin/env bash
# Instructions per order: `donut up` under callgrind while wrk posts orders, counted only while
# the load runs. Callgrind counts instructions, not seconds, so the figure is the same on a busy
# machine and a quiet one: the way to compare two builds of the sales path when timings are
# noise. Prints instructions per order for the whole process and per thread, and the orders per
# transaction the writer saw (per-transaction work is shared by a batch, so compare runs at
# similar batch sizes). Keeps the callgrind output for callgrind_annotate.
# Usage: bench/callgrind_orders.sh [build-dir] [seconds] [PRODUCTS] [out-dir]
#   e.g. bench/callgrind_orders.sh build/release 20 HOT /tmp/cg
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
seconds=${2:-20}
products=${3:-HOT}
out=${4:-$(mktemp -d)}
mkdir -p "$out"
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$((20000 + RANDOM % 10000))

catalogue='{"products":[{"id":"HOT","name":"Hot","price_cents":100,"stock":100000000,"restock_quantity":0}'
for i in $(seq 0 9); do catalogue+=",{\"id\":\"P$i\",\"name\":\"P$i\",\"price_cents\":100,\"stock\":100000000,\"restock_quantity\":0}"; done
echo "$catalogue]}" >"$work/products.json"

valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes \
  --callgrind-out-file="$out/callgrind.out.%p" \
  "$build/src/donut" up --data-dir "$work/data" --port "$port" --factory-port $((port + 1)) \
  --seed-file "$work/products.json" --log-level warn --max-quantity 10 >"$out/donut.log" 2>&1 &
pid=$!
for _ in $(seq 600); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
metric() { curl -fs "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
orders_before=$(metric donut_orders_decided_total)
transactions_before=$(metric donut_order_transactions_total)
callgrind_control -i on "$pid" >/dev/null
PRODUCTS=$products wrk -t2 -c64 -d"${seconds}s" -s "$root/loadtest/wrk/order.lua" \
  "http://127.0.0.1:$port" >"$out/wrk.txt"
callgrind_control -i off "$pid" >/dev/null
callgrind_control -d "$pid" >/dev/null
orders=$(($(metric donut_orders_decided_total) - orders_before))
transactions=$(($(metric donut_order_transactions_total) - transactions_before))
kill -INT "$pid"
wait "$pid" 2>/dev/null || true
pid=

# The dump holds one file per thread (suffix -NN); the totals line of each is its instructions.
total=0
printf "%-16s %14s %12s\n" thread instructions per-order
for f in "$out"/callgrind.out.*.1-*; do
  ir=$(awk '/^totals:/ {print $2}' "$f")
  if [ -z "$ir" ] || [ "$ir" = 0 ]; then continue; fi
  role=$(grep -m1 -o 'OrderService::writer_loop\|scheduler::run\|QueueConsumer::loop\|OutboxRelay::[a-z_]*' "$f" || echo other)
  printf "%-16s %14s %12.0f   %s\n" "thread $(awk '/^thread:/ {print $2}' "$f")" "$ir" "$(echo "$ir / $orders" | bc -l)" "$role"
  total=$((total + ir))
done
printf "%-16s %14s %12.0f\n" "all" "$total" "$(echo "$total / $orders" | bc -l)"
echo "orders $orders in $transactions transactions ($(echo "scale=1; $orders / $transactions" | bc) per transaction); output in $out"
