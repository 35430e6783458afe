#!/usr/bin/env bash
# The Kubernetes manifests where this machine can run them: checked against the Kubernetes 1.33
# API and their own promises (kube_check.mjs), then played with Debian's `podman kube play`,
# which in podman 4.3 runs Deployments, ConfigMaps and PersistentVolumeClaims but no Services,
# Secrets, Jobs, probes or preStop hooks. A test overlay (written here, rendered by kustomize.mjs)
# gives the Deployments host networking with free ports, the secrets as a host folder, and the
# test's MariaDB and RabbitMQ; the roles' probe listeners are asked what the probes would ask,
# and the story runs through the played pods.
#   tests/selfhost/kube_test.sh <donut binary>
set -uo pipefail
donut=$(realpath "${1:?donut binary}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
servers="$repo/scripts/test-server"
modules="$repo/tools/node/node_modules"
source "$(dirname "$0")/podman_env.sh"
data="$podman_root/work"
project="$podman_root/project"
mkdir -p "$data" "$project/deploy" "$project/overlay"
source "$repo/tests/cli/checks.sh"
cleanup() {
  podman kube down "$data/play.yaml" >/dev/null 2>&1
  "$servers" rabbitmq stop "$data/mq" >/dev/null 2>&1
  "$servers" mariadb stop "$data/db" >/dev/null 2>&1
  podman_cleanup
}
trap cleanup EXIT
started=$(date +%s)

db_port=$(free_port)
"$servers" mariadb start "$data/db" "$db_port" || exit 1
start_rabbitmq "$data/mq" || exit 1
cp "$repo/compose.yaml" "$project/"
cp -r "$repo/deploy/kubernetes" "$project/deploy/"
secrets="$project/deploy/kubernetes/secrets"
mkdir -p "$secrets"
chmod 0755 "$podman_root"  # the played containers' user reads the secrets through it
printf 'mysql://root@127.0.0.1:%s/donut_kube\n' "$db_port" >"$secrets/database-url"
printf 'amqp://guest:guest@127.0.0.1:%s/\n' "$mq_port" >"$secrets/broker-url"
openssl rand -hex 32 >"$secrets/callback-secret"
openssl rand -hex 32 >"$secrets/admin-token"
printf '[client]\nhost=127.0.0.1\nport=%s\nuser=root\n' "$db_port" >"$secrets/mariadb-client.cnf"
chmod 0644 "$secrets"/*

check "the manifests pass their checks against the Kubernetes 1.33 API" 0 \
  node "$(dirname "$0")/kube_check.mjs" "$project/deploy/kubernetes" "$modules"
grep -E '^(not )?ok ' "$data/out"

check "scripts/build-image" 0 "$repo/scripts/build-image" --binary "$donut"

# The overlay: one replica each on the host's network, every port free, the secrets a folder.
roles=(sales arrivals restock notifier relay factory)
declare -A health
for role in "${roles[@]}"; do health[$role]=$(free_port); done
sales_port=$(free_port); arrivals_port=$(free_port); factory_port=$(free_port)
mkdir -p "$data/mail" && chown 10001:10001 "$data/mail"
{
  echo "resources: [../deploy/kubernetes]"
  echo "patches:"
  echo "  - target: {kind: ConfigMap, name: donut-config}"
  echo "    patch: |"
  echo "      - {op: replace, path: /data/DONUT_FACTORY_URL, value: 'http://127.0.0.1:$factory_port'}"
  echo "      - {op: replace, path: /data/DONUT_PUBLIC_URL, value: 'http://127.0.0.1:$arrivals_port'}"
  echo "      - {op: add, path: /data/DONUT_HOST, value: 127.0.0.1}"
  echo "      - {op: remove, path: /data/DONUT_HEALTH_PORT}"
  for role in "${roles[@]}"; do
    echo "  - target: {kind: Deployment, name: $role}"
    echo "    patch: |"
    echo "      - {op: replace, path: /spec/replicas, value: 1}"
    echo "      - {op: add, path: /spec/template/spec/hostNetwork, value: true}"
    echo "      - {op: remove, path: /spec/template/spec/containers/0/ports}"  # no mapping on the host's network
    echo "      - {op: add, path: /spec/template/spec/containers/0/args/-, value: --health-port}"
    echo "      - {op: add, path: /spec/template/spec/containers/0/args/-, value: '${health[$role]}'}"
    echo "      - {op: replace, path: /spec/template/spec/volumes/0, value: {name: secrets, hostPath: {path: '$secrets', type: Directory}}}"
    case $role in
      sales) echo "      - {op: replace, path: /spec/template/spec/containers/0/args/2, value: '$sales_port'}" ;;
      arrivals) echo "      - {op: replace, path: /spec/template/spec/containers/0/args/2, value: '$arrivals_port'}" ;;
      factory) echo "      - {op: replace, path: /spec/template/spec/containers/0/args/2, value: '$factory_port'}"
               # On the host's network: loopback, and the arrivals role where this test runs it.
               echo "      - {op: replace, path: /spec/template/spec/containers/0/args/4, value: 127.0.0.1}"
               echo "      - {op: replace, path: /spec/template/spec/containers/0/args/6, value: 'http://127.0.0.1:$arrivals_port/v1/stock-arrivals'}"
               echo "      - {op: add, path: /spec/template/spec/containers/0/args/-, value: --factory-delay-ms}"
               echo "      - {op: add, path: /spec/template/spec/containers/0/args/-, value: '500'}" ;;
      notifier) echo "      - {op: replace, path: /spec/template/spec/volumes/1, value: {name: data, hostPath: {path: '$data/mail', type: Directory}}}" ;;
    esac
  done
} >"$project/overlay/kustomization.yaml"
check "the test overlay renders" 0 node "$(dirname "$0")/kustomize.mjs" "$project/overlay" "$modules"
# What podman kube play 4.3 runs: the Deployments and the ConfigMap they read.
node -e '
  const YAML = require(process.argv[1] + "/yaml");
  const docs = YAML.parseAllDocuments(require("fs").readFileSync(process.argv[2], "utf8")).map((d) => d.toJS());
  const played = docs.filter((o) => ["Deployment", "ConfigMap"].includes(o.kind));
  process.stdout.write(played.map((o) => YAML.stringify(o)).join("---\n"));' "$modules" "$data/out" >"$data/play.yaml"
check "the play file holds the six Deployments" 0 bash -c "grep -c '^kind: Deployment' '$data/play.yaml' | grep -qx 6"

up_started=$(date +%s)
check "podman kube play runs the Deployments" 0 podman kube play "$data/play.yaml"
ready() {  # every role's /readyz on its probe listener: what the readiness probe asks
  local role
  for role in "${roles[@]}"; do curl -fsS -m 2 "http://127.0.0.1:${health[$role]}/readyz" >/dev/null 2>&1 || return 1; done
}
for _ in $(seq 120); do ready && break; sleep 0.5; done
check "every played role is ready (/readyz on its probe listener)" 0 ready
echo "the played roles were ready $(( $(date +%s) - up_started )) s after kube play"
for role in "${roles[@]}"; do
  check "$role is alive (/healthz, the liveness and startup probes' route)" 0 \
    curl -fsS "http://127.0.0.1:${health[$role]}/healthz"
done
container=$(podman ps --format '{{.Names}}' | grep -E '^sales-pod-0-sales$|^sales-pod-[a-z0-9]*-sales$' | head -1)
[[ -n $container ]] || container=$(podman ps --format '{{.Names}}' | grep -- '-sales$' | head -1)
pid=$(podman inspect --format '{{.State.Pid}}' "$container")
check "the played sales container runs as uid 10001" 0 test "$(stat -c %u "/proc/$pid")" = 10001
check "on a read-only root" 0 test "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$container")" = true
check "without capabilities" 0 grep -q 'CapEff:\s*0000000000000000' "/proc/$pid/status"

# The story, through the played pods.
shop="http://127.0.0.1:$sales_port"
story "$shop" "$data/mail/mail" "the played pods"
check "the admin routes take the token from the Secret's file" 0 curl -fsS \
  -H "Authorization: Bearer $(cat "$secrets/admin-token")" "$shop/admin/queues"

echo "kube test: $(( $(date +%s) - started )) s"
if [[ $failures -gt 0 ]]; then echo "$failures failure(s)"; podman ps -a; exit 1; fi
echo "all kube checks passed"
