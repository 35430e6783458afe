#!/usr/bin/env bash
# The figures behind the Kubernetes manifests' resource requests and limits: each role as its own
# process on MariaDB and RabbitMQ (started here, as the fault suite does), a `donut surge`
# through them, and per role its peak resident memory (VmHWM), its mean CPU over the surge and
# its busiest second. Prints one line per role. Not a test: run it by hand on a quiet machine.
#   tests/selfhost/measure_roles.sh <donut binary> [peak orders/s, default 1000] [hold s, default 20]
set -euo pipefail
donut=$(realpath "${1:?donut binary}")
peak=${2:-1000}
hold=${3:-20}
repo=$(cd "$(dirname "$0")/../.." && pwd)
servers="$repo/scripts/test-server"
source "$(dirname "$0")/podman_env.sh"  # for free_port and a temp folder; no container is run
work="$podman_root/measure"
mkdir -p "$work/data"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  "$servers" rabbitmq stop "$work/mq" >/dev/null 2>&1 || true
  "$servers" mariadb stop "$work/db" >/dev/null 2>&1 || true
  rm -rf "$podman_root"
}
trap cleanup EXIT
db_port=$(free_port)
"$servers" mariadb start "$work/db" "$db_port"
start_rabbitmq "$work/mq"
export DONUT_DATABASE="mysql://root@127.0.0.1:$db_port/donut" DONUT_BROKER="amqp://guest:guest@127.0.0.1:$mq_port/"
export DONUT_DATA_DIR="$work/data"
"$donut" db migrate >/dev/null
sales=$(free_port); arrivals=$(free_port); factory=$(free_port)
declare -A role_pid
start() {  # start <role> <args...>
  "$donut" "$@" --log-level warn >"$work/$1.log" 2>&1 &
  role_pid[$1]=$!
  pids+=($!)
}
start factory --factory-port "$factory" --factory-delay-ms 500 --factory-callback-url "http://127.0.0.1:$arrivals/v1/stock-arrivals"
start sales --port "$sales"
start arrivals --port "$arrivals"
start restock --public-url "http://127.0.0.1:$arrivals" --factory-url "http://127.0.0.1:$factory"
start notifier
start relay
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$sales/readyz" >/dev/null && curl -fs "http://127.0.0.1:$arrivals/readyz" >/dev/null && break; sleep 0.1; done

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
declare -A start_ticks busiest last
for role in "${!role_pid[@]}"; do start_ticks[$role]=$(cpu_ticks "${role_pid[$role]}"); last[$role]=${start_ticks[$role]}; busiest[$role]=0; done
"$donut" surge --url "http://127.0.0.1:$sales" --admin-token "$(cat "$work/data/admin-token")" \
  --initial-stock 5000 --restock 4000 --peak-rate "$peak" --ramp-s 5 --hold-s "$hold" --connections 32 \
  --chart "$work/surge.svg" >"$work/surge.out" 2>&1 &
surge=$!
began=$(date +%s.%N)
while kill -0 "$surge" 2>/dev/null; do
  sleep 1
  for role in "${!role_pid[@]}"; do
    now=$(cpu_ticks "${role_pid[$role]}")
    (( now - last[$role] > busiest[$role] )) && busiest[$role]=$((now - last[$role]))
    last[$role]=$now
  done
done
wait "$surge" || { cat "$work/surge.out"; exit 1; }
seconds=$(awk "BEGIN { print $(date +%s.%N) - $began }")
grep -E '^(sold|orders/s|invariants)' "$work/surge.out"
printf '%-9s %12s %14s %16s\n' role "peak RSS" "mean CPU" "busiest second"
for role in sales arrivals restock notifier relay factory; do
  pid=${role_pid[$role]}
  rss=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
  used=$(( $(cpu_ticks "$pid") - start_ticks[$role] ))
  printf '%-9s %9d MiB %10.0f mCPU %12.0f mCPU\n' "$role" $((rss / 1024)) \
    "$(awk "BEGIN { print 1000 * $used / $ticks / $seconds }")" \
    "$(awk "BEGIN { print 1000 * ${busiest[$role]} / $ticks }")"
done
echo "load: $(uptime)"
