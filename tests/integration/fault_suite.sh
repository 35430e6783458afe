#!/usr/bin/env bash
# Self-hosted mode under faults, on real servers: for each fault, the roles run as separate
# processes on MariaDB + RabbitMQ (a fresh database and vhost each time), `donut surge` drives
# the flash crowd, and the fault is injected for a bounded time in the middle of it:
#
#   rabbitmq-restart   RabbitMQ stopped, then started again (a refusal, then a cold broker)
#   rabbitmq-pause     RabbitMQ SIGSTOPped, then SIGCONTed (a hang, not a refusal)
#   rabbitmq-alarm     RabbitMQ's memory alarm raised (publishers get connection.blocked)
#   mariadb-restart    MariaDB stopped, then started again
#   mariadb-pause      MariaDB SIGSTOPped, then SIGCONTed
#   role-kill          the sales and restock processes SIGKILLed, then restarted
#   factory-down       the factory in outage longer than the restock retry budget
#   rabbitmq-node-kill a three-node RabbitMQ cluster (quorum queues on all three); the node the
#                      roles use is SIGKILLed, then restarted; the roles move to a live node
#
# With DONUT_FAULT_BROKER=aws the queues are SNS + SQS on the fauxqs emulator instead, and the
# faults that apply run: sqs-pause (the emulator SIGSTOPped, then SIGCONTed: SQS unreachable
# for a while), mariadb-restart, role-kill, factory-down. The emulator keeps its queues in
# memory only, so stopping it would lose them — a loss no real SQS outage causes; the pause is
# the outage it can stand for.
#
# The verdict is the surge's own: its invariants must hold (exit 0; error answers during the
# fault are counted, not failures). After the fault each role must serve again (the time is
# measured), what went to a dead-letter queue is redriven and must complete, and nothing may be
# left in flight. Prints one line of figures per fault and exits 1 if any fault broke something:
#   sold      orders answered 201 in the whole surge; during: those answered while the fault was on
#   409       refused for lack of stock; errors: other answers by status ("no answer": no reply)
#   admin     admin calls of the surge that failed and were retried
#   recover   from the end of the fault until sales and arrivals are ready and admin calls answer
#   restock   the longest stock-out of the surge (stock at 0 until the restock arrived)
#   redriven  dead letters moved back after the fault (each must then complete)
#
# Run: tests/integration/fault_suite.sh <donut binary> [fault ...]   (default: every fault)
set -euo pipefail
donut=$(realpath "${1:?donut binary}")
shift
repo=$(cd "$(dirname "$0")/../.." && pwd)
servers="$repo/scripts/test-server"
faults=("$@")
broker=${DONUT_FAULT_BROKER:-rabbitmq}
if ((${#faults[@]} == 0)) && [[ $broker == aws ]]; then
  faults=(sqs-pause mariadb-restart role-kill factory-down)
elif ((${#faults[@]} == 0)); then
  faults=(rabbitmq-restart rabbitmq-pause rabbitmq-alarm mariadb-restart mariadb-pause role-kill
    factory-down rabbitmq-node-kill)
fi
fault_seconds=${DONUT_FAULT_SECONDS:-8}
recover_limit=60   # seconds a role may take to serve again after a fault ends

work=$(mktemp -d /tmp/donut-faults.XXXXXX)
free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}
db_port=$(free_port)
mq_port=$(free_port)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for node in mq-b mq-c mq; do "$servers" rabbitmq stop "$work/$node" >/dev/null 2>&1 || true; done
  "$servers" fauxqs stop "$work/sqs" >/dev/null 2>&1 || true
  "$servers" mariadb stop "$work/db" >/dev/null 2>&1 || true
  [[ -n ${DONUT_KEEP_FAULT_LOGS:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
"$servers" mariadb start "$work/db" "$db_port"
# One cookie for every node, so the cluster fault can join two more nodes to this one.
DONUT_RABBITMQ_COOKIE=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
export DONUT_RABBITMQ_COOKIE
if [[ $broker == aws ]]; then
  "$servers" fauxqs start "$work/sqs" "$mq_port"
  export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
  export AWS_REGION=us-east-1 AWS_ENDPOINT_URL_SQS="http://127.0.0.1:$mq_port"
  export AWS_ENDPOINT_URL_SNS="http://127.0.0.1:$mq_port"
else
  "$servers" rabbitmq start "$work/mq" "$mq_port"
fi
cluster_nodes=""

# Two more nodes joined to the first one: a three-node cluster, as users run it for HA.
form_cluster() {
  [[ -z $cluster_nodes ]] || return 0
  local node port
  cluster_nodes="127.0.0.1:$mq_port"
  for node in mq-b mq-c; do
    port=$(free_port)
    "$servers" rabbitmq start "$work/$node" "$port"
    "$servers" rabbitmq ctl "$work/$node" stop_app
    "$servers" rabbitmq ctl "$work/$node" join_cluster "donut-$mq_port@localhost"
    "$servers" rabbitmq ctl "$work/$node" start_app
    cluster_nodes+=",127.0.0.1:$port"
  done
}

now() { date +%s.%N; }
since() { awk "BEGIN { printf \"%.1f\", $(now) - $1 }"; }

# role <name> <ready marker> <args...>: starts `donut <args>` with its output in <name>.log and
# waits until it prints the marker; its PID goes to $role_pid and pids.
start_role() {
  local name=$1 marker=$2
  shift 2
  "$donut" "$@" --data-dir "$run/data" --no-seed --log-level warn >>"$run/$name.log" 2>&1 &
  role_pid=$!
  pids+=("$role_pid")
  for _ in $(seq 300); do
    grep -q "$marker" "$run/$name.log" 2>/dev/null && return 0
    kill -0 "$role_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "fault suite: $name did not start; its log:" >&2
  tail -20 "$run/$name.log" >&2
  return 1
}

admin() {  # admin <method> <path>
  curl -fsS -m 10 -X "$1" -H "Authorization: Bearer $(cat "$run/data/admin-token")" "$sales_url$2"
}
factory_config() {  # factory_config '<JSON>': the simulator's knobs take the same token
  curl -fsS -m 5 -X PUT -H "Authorization: Bearer $(cat "$run/data/admin-token")" \
    "$factory_url/admin/config" -d "$1" >/dev/null
}
json() {  # json '<JavaScript expression of d>' < document
  node -e 'let t = ""; process.stdin.on("data", (c) => (t += c)).on("end", () => { const d = JSON.parse(t); console.log(eval(process.argv[1])); })' "$1"
}

start_sales() { start_role sales "listening on" sales --port "$sales_port"; sales_pid=$role_pid; }
start_restock() {
  start_role restock "ready" restock --factory-url "$factory_url" --public-url "$arrivals_url" \
    --retry-base-ms 100 --retry-cap-ms 1000 --max-receive-count 4 --restock-lease-ms 5000
  restock_pid=$role_pid
}

# The fault itself: fault_start / fault_end.
fault_start() {
  case $1 in
    rabbitmq-restart) "$servers" rabbitmq stop "$work/mq" ;;
    rabbitmq-pause) kill -STOP "$(cat "$work/mq/rabbit.pid")" ;;
    rabbitmq-alarm) "$servers" rabbitmq ctl "$work/mq" set_vm_memory_high_watermark 0.0001 ;;
    mariadb-restart) "$servers" mariadb stop "$work/db" ;;
    mariadb-pause) kill -STOP "$(cat "$work/db/server.pid")" ;;
    role-kill)
      { kill -9 "$sales_pid" "$restock_pid"; wait "$sales_pid" "$restock_pid"; } 2>/dev/null || true
      sleep 2
      start_sales
      start_restock ;;
    factory-down) factory_config '{"outage":true}' ;;
    rabbitmq-node-kill) kill -9 "$(cat "$work/mq/rabbit.pid")" ;;
    sqs-pause) kill -STOP "$(cat "$work/sqs/server.pid")" ;;
  esac
}
fault_end() {
  case $1 in
    rabbitmq-restart) "$servers" rabbitmq start "$work/mq" "$mq_port" ;;
    rabbitmq-pause) kill -CONT "$(cat "$work/mq/rabbit.pid")" ;;
    rabbitmq-alarm) "$servers" rabbitmq ctl "$work/mq" set_vm_memory_high_watermark 0.4 ;;
    mariadb-restart) "$servers" mariadb start "$work/db" "$db_port" ;;
    mariadb-pause) kill -CONT "$(cat "$work/db/server.pid")" ;;
    role-kill) ;;
    factory-down) factory_config '{"outage":false}' ;;
    rabbitmq-node-kill) "$servers" rabbitmq start "$work/mq" "$mq_port" ;;
    sqs-pause) kill -CONT "$(cat "$work/sqs/server.pid")" ;;
  esac
}

# Serves again: both HTTP roles ready, and the admin routes (store and broker) answer.
serving() {
  curl -fsS -m 2 "$sales_url/readyz" >/dev/null 2>&1 &&
    curl -fsS -m 2 "$arrivals_url/readyz" >/dev/null 2>&1 &&
    admin GET /admin/queues/factory-requests >/dev/null 2>&1
}

in_flight() {  # messages left in the work queues
  local total=0 q n
  for q in factory-requests stock-arrivals notifications; do
    n=$(admin GET "/admin/queues/$q" | json 'd.visible + d.in_flight + d.delayed')
    total=$((total + n))
  done
  echo "$total"
}

broken=0
printf '%-17s %6s %7s %6s %-24s %6s %8s %8s %9s  %s\n' fault sold "during" "409" "errors (by status)" "admin" "recover" "restock" redriven verdict
for fault in "${faults[@]}"; do
  run="$work/$fault"
  mkdir -p "$run/data"
  vhost="v-$fault"
  export DONUT_DATABASE="mysql://root@127.0.0.1:$db_port/donut_${broker}_${fault//-/_}"
  if [[ $broker == aws ]]; then
    export DONUT_BROKER=aws DONUT_AWS_PREFIX="donut-$fault-"
  else
    "$servers" rabbitmq ctl "$work/mq" add_vhost "$vhost" >/dev/null
    "$servers" rabbitmq ctl "$work/mq" set_permissions -p "$vhost" guest ".*" ".*" ".*" >/dev/null
    export DONUT_BROKER="amqp://guest:guest@127.0.0.1:$mq_port/$vhost"
  fi
  if [[ $fault == rabbitmq-node-kill ]]; then
    form_cluster
    export DONUT_BROKER="amqp://guest:guest@$cluster_nodes/$vhost"
  fi
  "$donut" db migrate --data-dir "$run/data" >/dev/null 2>&1
  sales_port=$(free_port)
  arrivals_port=$(free_port)
  factory_port=$(free_port)
  sales_url="http://127.0.0.1:$sales_port"
  arrivals_url="http://127.0.0.1:$arrivals_port"
  factory_url="http://127.0.0.1:$factory_port"
  pids=()
  start_role factory "factory simulator on" factory --factory-port "$factory_port" --factory-delay-ms 300 \
    --factory-callback-url "$arrivals_url/v1/stock-arrivals"
  start_sales
  start_role arrivals "listening on" arrivals --port "$arrivals_port"
  start_restock
  start_role relay "ready" relay
  start_role notifier "ready" notifier --mail-dir "$run/mail"
  if [[ $fault == rabbitmq-node-kill ]]; then
    # Every quorum queue the roles declared has a member on each of the three nodes.
    members=$("$servers" rabbitmq ctl "$work/mq" list_queues -p "$vhost" --no-table-headers name members |
      awk '$1 !~ /\.retry$/ { print gsub(/donut-/, "") }' | sort -u)
    if [[ $members != 3 ]]; then
      echo "fault suite: quorum queues are not on three nodes: $members" >&2
      broken=1
    fi
  fi

  # The surge: a 3 s ramp to 300 orders/s and a hold that spans the fault. The first stock-out
  # comes about 6 s in, while the fault is on, so its restock must cross the fault.
  "$donut" surge --url "$sales_url" --admin-token "$(cat "$run/data/admin-token")" \
    --product "FAULT-1" --initial-stock 1400 --restock 1200 --start-rate 50 --peak-rate 300 \
    --ramp-s 3 --hold-s $((fault_seconds + 9)) --connections 16 --settle-timeout-s 120 \
    --tolerate-errors --chart "$run/surge.svg" >"$run/surge.out" 2>&1 &
  surge_pid=$!
  surge_started=$(now)
  sleep 4
  fault_from=$(since "$surge_started")
  fault_start "$fault"
  sleep "$fault_seconds"
  fault_end "$fault"
  ended=$(now)
  fault_to=$(since "$surge_started")
  recovered=""
  for _ in $(seq $((recover_limit * 10))); do
    if serving; then recovered=$(since "$ended"); break; fi
    sleep 0.1
  done
  set +e
  wait "$surge_pid"
  surge_rc=$?
  set -e

  verdict="ok"
  [[ -n $recovered ]] || { verdict="roles did not serve again within ${recover_limit} s"; recovered="-"; }
  ((surge_rc == 0)) || verdict="surge exit $surge_rc: $(grep -A5 '^invariants' "$run/surge.out" | tr '\n' ' ')"

  # Dead letters are redriven and must complete; then nothing may be left in flight.
  redriven=0
  if [[ $verdict == ok ]]; then
    dead=$(admin GET /admin/queues/factory-requests-dlq | json 'd.visible')
    if ((dead > 0)); then
      redriven=$(admin POST /admin/queues/factory-requests-dlq/redrive | json 'd.moved')
    fi
    settled=""
    for _ in $(seq 600); do
      open=$(admin GET /admin/stats | json 'd.products.filter((p) => p.product_id === "FAULT-1").reduce((n, p) => n + p.restocks_open + p.restocks_requested, 0)')
      if ((open == 0)) && (($(in_flight) == 0)); then settled=yes; break; fi
      sleep 0.1
    done
    [[ -n $settled ]] || verdict="restocks or messages still in flight after the redrive"
  fi

  sold=$(sed -n 's/^sold (201) *//p' "$run/surge.out")
  refused=$(sed -n 's/^out of stock *\([0-9]*\).*/\1/p' "$run/surge.out")
  errors=$(sed -n 's/^errors *//p' "$run/surge.out")
  admin_failed=$(sed -n 's/^admin calls *\([0-9]*\).*/\1/p' "$run/surge.out")
  restock=$(sed -n 's/.*back in stock after \([0-9.]*\) s/\1/p' "$run/surge.out" | sort -n | tail -1)
  # Orders sold while the fault was on, from the surge's per-second timeline.
  during=$(awk -v from="$fault_from" -v to="$fault_to" \
    '/^ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+ ms$/ && $1 + 1 > from && $1 < to { n += $2 } END { print n + 0 }' \
    "$run/surge.out")
  printf '%-17s %6s %7s %6s %-24s %6s %7ss %7ss %9s  %s\n' "$fault" "${sold:--}" "$during" "${refused:--}" \
    "${errors:--}" "${admin_failed:-0}" "$recovered" "${restock:--}" "$redriven" "$verdict"
  [[ $verdict == ok ]] || { broken=1; sed 's/^/    /' "$run/surge.out" | head -40; }

  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
done

if ((broken)); then
  echo "fault suite ($broker): broken (logs in $work)"
  DONUT_KEEP_FAULT_LOGS=1
  exit 1
fi
echo "fault suite ($broker): every fault held"
