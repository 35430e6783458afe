#!/usr/bin/env bash
# compose.yaml where it runs: validated (compose_check.mjs: the Compose Specification's schema
# and the stack's rules), then brought up with Debian's podman-compose in storage of the test's
# own, on the image scripts/build-image makes and local stand-ins for MariaDB, RabbitMQ and
# Prometheus (stand_ins.sh; Grafana has no stand-in and is not started). podman-compose 1.0.3
# ignores `depends_on` conditions, so the test brings the stack up in their order and waits on
# each health check itself. The story runs through the stack: sell out, 409 with the restock on
# its way, the factory's callback, the stock back, the e-mail, Prometheus scraping every role.
#   tests/selfhost/compose_test.sh <donut binary>
set -uo pipefail
donut=$(realpath "${1:?donut binary}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
source "$(dirname "$0")/podman_env.sh"
source "$(dirname "$0")/stand_ins.sh"
data="$podman_root/work"
project_dir="$podman_root/project"
mkdir -p "$data" "$project_dir/deploy"
source "$repo/tests/cli/checks.sh"
project="donut$$"
compose() { (cd "$project_dir" && podman-compose -p "$project" "$@") >>"$data/compose.log" 2>&1; }
cleanup() {
  compose down -v -t 10
  podman_cleanup
}
trap cleanup EXIT
started=$(date +%s)

check "compose.yaml and the cluster override pass their checks" 0 \
  node "$(dirname "$0")/compose_check.mjs" "$repo" "$repo/tools/node/node_modules"
grep -E '^(not )?ok ' "$data/out"

# The project as a user has it: the compose files and what they mount, and its secrets.
cp "$repo/compose.yaml" "$project_dir/"
cp -r "$repo/deploy/compose" "$repo/deploy/prometheus" "$repo/deploy/grafana" "$project_dir/deploy/"
rm -rf "$project_dir/deploy/compose/secrets"
check "scripts/compose-secrets makes the secrets" 0 "$repo/scripts/compose-secrets" "$project_dir/deploy/compose/secrets"
check "they are not readable by other users of the machine" 0 \
  test "$(stat -c %a "$project_dir/deploy/compose/secrets")" = 700
check "a second run keeps them" 0 bash -c "before=\$(cat $project_dir/deploy/compose/secrets/admin-token); \
  '$repo/scripts/compose-secrets' '$project_dir/deploy/compose/secrets' >/dev/null; \
  test \"\$before\" = \"\$(cat $project_dir/deploy/compose/secrets/admin-token)\""

# The three-node override as podman-compose reads it (not started: three more RabbitMQ nodes are
# more than this test's budget; the fault suite runs such a cluster).
(cd "$project_dir" && podman-compose --dry-run -p dry -f compose.yaml -f deploy/compose/cluster.yaml up -d) \
  >"$data/cluster.dry" 2>&1
check "podman-compose merges the cluster override: three RabbitMQ nodes" 0 \
  test "$(grep -o -- '--name=dry_rabbitmq[-0-9]*_1' "$data/cluster.dry" | sort -u | wc -l)" = 3
# (the migration and the five roles that use the broker; the factory simulator has no broker URL)
check "and every donut container gets the cluster's broker URL" 0 \
  test "$(grep -o 'broker-url-cluster:/run/secrets/broker-url' "$data/cluster.dry" | wc -l)" = 6
check "no node mounts a file twice or runs its health check twice" 1 \
  grep -E -- '(20-credentials.conf:ro,rprivate,rbind).*\1|check_port_connectivity.*check_port_connectivity' "$data/cluster.dry"

version=$("$donut" --version | awk '{print $2}')
check "compose.yaml names this version's image" 0 grep -q "image: localhost/donut-states:$version" "$repo/compose.yaml"
check "scripts/build-image" 0 "$repo/scripts/build-image" --binary "$donut"
built=$(date +%s)
check "the stand-ins for MariaDB, RabbitMQ and Prometheus" 0 build_stand_ins "$data/stand-ins"
echo "images built in $(( $(date +%s) - started )) s (donut $(( built - started )) s)"

export DONUT_SHOP_PORT=$(free_port) DONUT_PROMETHEUS_PORT=$(free_port) DONUT_GRAFANA_PORT=$(free_port)
shop="http://127.0.0.1:$DONUT_SHOP_PORT"
container() { echo "${project}_$1_1"; }
healthy() {  # healthy <service...>: each one's health check passes now
  local service
  for service in "$@"; do podman healthcheck run "$(container "$service")" >/dev/null 2>&1 || return 1; done
}
wait_healthy() {  # wait_healthy <seconds> <service...>
  local limit=$1
  shift
  for _ in $(seq $((limit * 2))); do healthy "$@" && return 0; sleep 0.5; done
  return 1
}
up_started=$(date +%s)
compose up -d mariadb rabbitmq
check "MariaDB and RabbitMQ become healthy" 0 wait_healthy 120 mariadb rabbitmq
compose up -d migrate
for _ in $(seq 120); do
  [[ $(podman inspect --format '{{.State.Status}}' "$(container migrate)" 2>/dev/null) == exited ]] && break
  sleep 0.5
done
check "the migration ran once and succeeded" 0 test "$(podman inspect --format '{{.State.ExitCode}}' "$(container migrate)")" = 0
podman logs "$(container migrate)" >"$data/migrate.log" 2>&1
contains "it migrated MariaDB" "warehouse mysql://donut@mariadb:3306/donut is at schema version" "$data/migrate.log"
check "its log names no password" 1 grep -q "$(cat "$project_dir/deploy/compose/secrets/mariadb-password")" "$data/migrate.log"
compose up -d sales arrivals restock notifier relay factory prometheus
check "every role and Prometheus become healthy" 0 \
  wait_healthy 120 sales arrivals restock notifier relay factory prometheus
up_seconds=$(( $(date +%s) - up_started ))
echo "the stack came up in $up_seconds s (images present; MariaDB, RabbitMQ, migration, roles, Prometheus)"

# The story, through the published shop port only.
story "$shop" "$(podman volume inspect --format '{{.Mountpoint}}' "${project}_notifier-data")/mail" "the stack"
check "donut queues, in the sales container" 0 podman exec "$(container sales)" /usr/bin/donut queues
contains "the work queues and their dead letters" "factory-requests" "$data/out"
check "the console is served" 0 curl -fsS "$shop/ops"
for service in arrivals factory restock mariadb rabbitmq; do
  check "$service publishes no port" 0 test -z "$(podman port "$(container "$service")")"
done

# Prometheus scrapes every role and has the repository's rules.
prometheus="http://127.0.0.1:$DONUT_PROMETHEUS_PORT"
up_targets=""
for _ in $(seq 60); do
  up_targets=$(curl -fsS "$prometheus/api/v1/query?query=sum(up)" 2>/dev/null | sed -n 's/.*"value":\[[0-9.]*,"\([0-9]*\)"\].*/\1/p')
  [[ $up_targets == 5 ]] && break
  sleep 1
done
check "Prometheus scrapes the five donut processes" 0 test "$up_targets" = 5
check "with the alert rules loaded" 0 curl -fsS "$prometheus/api/v1/rules"
contains "DonutDeadLetters among them" '"name":"DonutDeadLetters"' "$data/out"

# podman stop drains a role here too: the restock worker, on its STOPSIGNAL.
check "podman stop drains the restock worker" 0 podman stop -t 30 "$(container restock)"
check "it exited 0, not killed" 0 test "$(podman inspect --format '{{.State.ExitCode}}' "$(container restock)")" = 0

echo "compose test: $(( $(date +%s) - started )) s, the stack up in $up_seconds s"
if [[ $failures -gt 0 ]]; then echo "$failures failure(s)"; tail -40 "$data/compose.log"; exit 1; fi
echo "all compose checks passed"
