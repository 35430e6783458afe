# shellcheck shell=bash disable=SC2154  # root, seconds: set by the script that sources this
# What the bench scripts share: sourced, never run. Sourcing it makes `work`, a temporary
# folder, and `pids`, the processes to stop: on exit each is stopped, then `on_exit` runs if the
# script defines one (to stop a database), then the folder is removed.

work=$(mktemp -d)
pids=()
bench_exit() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if declare -F on_exit >/dev/null; then on_exit; fi
  rm -rf "$work"
}
trap bench_exit EXIT
trap "exit 1" INT TERM HUP PIPE  # exit runs bench_exit

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_for() {  # wait_for <url>: up to 30 s (a MariaDB busy migrating takes a while)
  for _ in $(seq 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "not up: $1" >&2
  exit 1
}

# run_wrk <name> <url> [wrk options...]: POST /v1/orders at 64 connections for $seconds
# (PRODUCTS and KEY_PREFIX pass to loadtest/wrk/order.lua). Leaves $work/<name>.txt and
# $work/<name>.rps, and prints one row: requests/s, p50, p99 and the answers by status.
run_wrk() {
  local name=$1 url=$2
  shift 2
  wrk -t2 -c64 -d"${seconds}s" --latency -s "$root/loadtest/wrk/order.lua" "$@" "$url" >"$work/$name.txt"
  local rps p50 p99 statuses
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$name.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/$name.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/$name.txt")
  statuses=$(grep '^statuses:' "$work/$name.txt" | cut -d' ' -f2-)
  printf "%-26s %12s %10s %10s   %s\n" "$name" "$rps" "$p50" "$p99" "$statuses"
  echo "$rps" >"$work/$name.rps"
}

# sold <name>: the orders a run_wrk run sold (its 201 answers).
sold() { grep '^statuses:' "$work/$1.txt" | tr ' ' '\n' | sed -n 's/^201=//p' | head -1; }

# products_json <count>: HOT plus P0..P<count-1>, each with stock for any run and no restock.
products_json() {
  local json='{"products":[{"id":"HOT","name":"Hot","price_cents":100,"stock":1000000000000,"restock_quantity":0}'
  for i in $(seq 0 $(($1 - 1))); do
    json+=",{\"id\":\"P$i\",\"name\":\"P$i\",\"price_cents\":100,\"stock\":1000000000000,\"restock_quantity\":0}"
  done
  echo "$json]}"
}

peak_rss_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
