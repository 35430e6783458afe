#!/usr/bin/env bash
# `donut up --max-connections` under a crowd (bench/crowd): a crowd below the cap opening and
# closing connections gets no refusal and no error; a crowd that holds more connections than
# the cap gets the clear refusal (503 too_many_connections) on the surplus, never a reset or a
# connection left hanging (the generator counts a step that makes no progress in 10 s as a
# timeout), while the connections within the cap keep being served.
# Usage: crowd_test.sh <donut binary> <crowd binary>
set -uo pipefail
donut=$1
crowd=$2
data=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$data"' EXIT
source "$(dirname "$0")/../cli/checks.sh"
figure() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" "$data/out"; }
expect() {  # expect <description> <figure> <test> <value>
  local got
  got=$(figure "$2")
  if [[ -n $got ]] && test "$got" "$3" "$4"; then echo "ok: $1 ($2=$got)"; else
    echo "FAIL: $1: $2=$got, expected $3 $4"; cat "$data/out"; failures=$((failures + 1))
  fi
}

echo '{"products":[{"id":"HOT","name":"Hot","price_cents":100,"stock":100000000,"restock_quantity":0}]}' \
  >"$data/products.json"
"$donut" up --data-dir "$data/d" --port 0 --factory-port 0 --seed-file "$data/products.json" \
  --max-connections 100 --log-level warn >"$data/up.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "Sales API" "$data/up.out" && break; sleep 0.1; done
port=$(sed -n 's/.*Sales API *http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$data/up.out")
[[ -n $port ]] || { echo "FAIL: donut up did not start"; cat "$data/up.out"; exit 1; }

check "a crowd of 80 below the cap of 100" 0 \
  "$crowd" --port "$port" --connections 80 --seconds 3 --keep-alive-share 0.25
expect "... is served" answered -gt 0
expect "... without a refusal" refused -eq 0
expect "... without an error" errors -eq 0

check "a crowd of 300 holding its connections, over the cap of 100" 0 \
  "$crowd" --port "$port" --connections 300 --seconds 3 --keep-alive-share 1
expect "... is served within the cap" answered -gt 0
expect "... and refused beyond it" refused -gt 0
expect "... each refusal read in full, never a reset" errors -eq 0
expect "... and never a hang" timeouts -eq 0
contains "donut up is still up" '"status"' <(curl -s "http://127.0.0.1:$port/healthz")

[[ $failures -eq 0 ]] || { echo "$failures check(s) failed"; exit 1; }
echo "all crowd checks passed"
