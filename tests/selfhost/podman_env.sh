# Sourced by the self-hosted tests: podman as these machines need it, confined to the test, and
# the helpers those tests share (free_port, start_rabbitmq, story).
# Everything podman keeps (images, containers, volumes, secrets, networks, its runtime state)
# lives under $podman_root, a temp folder of the test's own, through CONTAINERS_CONF and
# CONTAINERS_STORAGE_CONF; the user's storage and configuration are never read or touched.
# Its settings: the runc runtime with the cgroupfs manager (no systemd, cgroup v1 here), no
# default ulimits (the stock ones exceed what these machines allow), netavark networks with
# aardvark's DNS (compose services find each other by name), events in a file.
# `podman_cleanup` removes every container, pod, volume, network and image, then the folder; the
# tests call it from their EXIT trap, so a failure leaves nothing behind.
podman_root=$(mktemp -d /tmp/donut-podman.XXXXXX)
mkdir -p "$podman_root/net" "$podman_root/tmp"
cat >"$podman_root/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$podman_root/storage"
runroot = "$podman_root/run"
CONF
cat >"$podman_root/containers.conf" <<CONF
[containers]
default_ulimits = []
log_driver = "k8s-file"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$podman_root/events.log"
tmp_dir = "$podman_root/tmp"
[network]
network_backend = "netavark"
network_config_dir = "$podman_root/net"
CONF
export CONTAINERS_CONF="$podman_root/containers.conf" CONTAINERS_STORAGE_CONF="$podman_root/storage.conf"

podman_cleanup() {
  podman pod rm -af -t 0 >/dev/null 2>&1 || true
  podman rm -af -t 0 >/dev/null 2>&1 || true
  podman volume rm -af >/dev/null 2>&1 || true
  podman network prune -f >/dev/null 2>&1 || true
  podman secret ls -q 2>/dev/null | xargs -r podman secret rm >/dev/null 2>&1 || true
  podman rmi -af >/dev/null 2>&1 || true
  # Whatever is still mounted under the root (a container podman could not remove) goes too.
  grep -o " $podman_root[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$podman_root"
}

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

# RabbitMQ through scripts/test-server on a free port it sets as $mq_port, tried three times: its
# Erlang distribution port (the next one up) is found free a moment before the node binds it, and
# another process's connection may take it in between.
start_rabbitmq() {  # start_rabbitmq <folder>
  local servers attempt
  servers="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/test-server"
  for attempt in 1 2 3; do
    mq_port=$(free_port)
    ERL_CRASH_DUMP="$1.crash.dump" "$servers" rabbitmq start "$1" "$mq_port" >>"$1.start.log" 2>&1 && return 0
    "$servers" rabbitmq stop "$1" >/dev/null 2>&1
    rm -rf "$1"
  done
  cat "$1.start.log" >&2
  return 1
}

# The README's story against a shop at <url>, with the checks of tests/cli/checks.sh: Maple Bar
# sold out in four orders, the fifth refused with the restock on its way, then the stock back once
# the factory's callback went through, and the warehouse mailed into <mail folder>.
story() {  # story <shop url> <mail folder> <what carried it>
  local shop=$1 mail=$2 through=$3 i restocked=""
  check "the catalogue: Maple Bar" 0 curl -fsS "$shop/v1/products/CP-502104"
  contains "starts with 20" '"stock":20' "$data/out"
  for i in 1 2 3 4; do
    check "order $i of 5 Maple Bars" 0 curl -fsS -X POST "$shop/v1/orders" \
      -H 'Content-Type: application/json' -d '{"product_id":"CP-502104","quantity":5}'
  done
  contains "the fourth empties the shelf" '"stock_left":0' "$data/out"
  curl -sS -X POST "$shop/v1/orders" -H 'Content-Type: application/json' \
    -d '{"product_id":"CP-502104","quantity":1}' >"$data/refused.json"
  contains "the next customer gets 409 with the restock on its way" \
    '"code":"out_of_stock".*"restock_id":"' "$data/refused.json"
  for _ in $(seq 120); do
    curl -fsS "$shop/v1/products/CP-502104" 2>/dev/null | grep -q '"stock":20' && { restocked=yes; break; }
    sleep 0.5
  done
  check "the restock went factory -> arrivals through $through: the stock is back" 0 test -n "$restocked"
  for _ in $(seq 40); do compgen -G "$mail/*.eml" >/dev/null && break; sleep 0.5; done
  check "the warehouse staff were mailed" 0 compgen -G "$mail/*.eml"
}
