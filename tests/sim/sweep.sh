#!/usr/bin/env bash
# The CI sweep of the simulator through `donut sim`, as a developer runs it: under each
# replenishment policy, 1000 seeds on the in-memory engines and 60 on SQLite, 2000 steps each
# under every fault (about two minutes in the optimised build). Also the command's usage errors.
# Usage: sweep.sh <donut binary>
set -euo pipefail
donut=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT

expect_exit() {  # <code> <command...>
  local want=$1 got=0
  shift
  "$@" >"$out" 2>&1 || got=$?
  if [[ $got -ne $want ]]; then
    echo "sweep: '$*' exited $got, not $want:" >&2
    cat "$out" >&2
    exit 1
  fi
}

expect_exit 2 "$donut" sim --faults meteor
grep -q "no fault named 'meteor'" "$out" || { echo "sweep: no message for --faults meteor" >&2; exit 1; }
expect_exit 105 "$donut" sim --engine mongodb  # CLI11 ValidationError: not one of the choices
expect_exit 105 "$donut" sim --policy just_in_case

for policy in at_zero reorder_point; do
  for engine_seeds in memory:1000 sqlite:60; do
    engine=${engine_seeds%%:*}
    seeds=${engine_seeds##*:}
    expect_exit 0 "$donut" sim --seed 1 --seeds "$seeds" --steps 2000 --engine "$engine" \
      --policy "$policy"
    echo "$policy on $engine:"
    cat "$out"
    grep -q "^$seeds seeds, " "$out" || { echo "sweep: no totals for $engine" >&2; exit 1; }
    grep -Eq "^factory-requests +[0-9]+ +[0-9]+ +0 " "$out" ||
      { echo "sweep: the total-queue report is missing or lost messages" >&2; exit 1; }
  done
done

# SIGTERM (and Ctrl-C in a terminal) ends a sweep at once: `donut` blocks both for the roles'
# orderly shutdown. (A background job of a script ignores SIGINT, so the test sends SIGTERM.)
"$donut" sim --seeds 100000000 >/dev/null &
sweep=$!
sleep 1
kill -TERM "$sweep"
for _ in $(seq 50); do kill -0 "$sweep" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$sweep" 2>/dev/null; then
  kill -9 "$sweep"
  echo "sweep: donut sim ignored SIGTERM" >&2
  exit 1
fi
status=0
wait "$sweep" || status=$?
[[ $status -eq 143 ]] || { echo "sweep: donut sim ended $status after SIGTERM, not 143" >&2; exit 1; }
