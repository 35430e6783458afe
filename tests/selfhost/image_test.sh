#!/usr/bin/env bash
# The image where it runs: built by scripts/build-image into storage of the test's own, then every
# role run from it under podman (read-only root, no capabilities, its own user) against a MariaDB
# and a RabbitMQ the test starts, with its secrets as files. A `donut surge` goes through the
# containers and its invariants are the verdict; mid-surge `podman stop` drains the sales
# container (SIGTERM, the image's STOPSIGNAL): every order it accepted is answered, none is lost.
#   tests/selfhost/image_test.sh <donut binary>
set -uo pipefail
donut=$(realpath "${1:?donut binary}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
servers="$repo/scripts/test-server"
source "$(dirname "$0")/podman_env.sh"
data="$podman_root/work"
mkdir -p "$data"
source "$repo/tests/cli/checks.sh"
cleanup() {
  "$servers" rabbitmq stop "$data/mq" >/dev/null 2>&1
  "$servers" mariadb stop "$data/db" >/dev/null 2>&1
  podman_cleanup
}
trap cleanup EXIT
started=$(date +%s)

image=localhost/donut-states:test
check "scripts/build-image builds the image" 0 "$repo/scripts/build-image" --binary "$donut" --tag "$image"
cat "$data/out"
inspect() { podman image inspect --format "$1" "$image"; }
size=$(inspect '{{.Size}}')
echo "image size: $size bytes ($((size / 1000000)) MB unpacked); compressed layers: $(podman save "$image" 2>/dev/null | gzip -1 | wc -c) bytes"
check "the image runs as a user that is not root" 0 test "$(inspect '{{.User}}')" = 10001:10001
check "its STOPSIGNAL is the signal the roles drain on" 0 test "$(inspect '{{.Config.StopSignal}}')" = SIGTERM
check "it has a health check: donut probe" 0 test "$(inspect '{{json .Config.Healthcheck.Test}}')" = '["CMD","/usr/bin/donut","probe"]'
check "its logs are JSON" 0 grep -q DONUT_LOG_FORMAT=json <(inspect '{{json .Config.Env}}')
for label in source revision version; do
  check "OCI label $label" 0 test -n "$(inspect "{{index .Labels \"org.opencontainers.image.$label\"}}")"
done
check "the revision label is this commit" 0 test "$(inspect '{{index .Labels "org.opencontainers.image.revision"}}')" = "$(git -C "$repo" rev-parse HEAD)"
check "no shell in the image" 127 podman run --rm --entrypoint /bin/sh "$image" -c true
check "no package manager either" 127 podman run --rm --entrypoint /usr/bin/apt-get "$image"
check "every role is a command of the image" 0 podman run --rm "$image" restock --help
check "on a read-only root nothing can be written" 3 podman run --rm --read-only "$image" db migrate --data-dir /usr/share/donut
check "but in a volume it can" 0 podman run --rm --read-only --tmpfs /usr/share/donut "$image" db migrate --data-dir /usr/share/donut

# The servers, on the host's loopback; the containers share the host's network.
db_port=$(free_port)
"$servers" mariadb start "$data/db" "$db_port" || exit 1
start_rabbitmq "$data/mq" || exit 1
secret() {  # secret <name> <value>: a podman secret
  printf '%s\n' "$2" | podman secret create "$1" - >/dev/null
}
# Mounted as files readable by donut only, at /etc/donut/secrets/<name> as the Kubernetes
# manifests do (podman 4.3 cannot mount a secret under /run/secrets of a read-only root).
secrets=()
for name in database-url broker-url callback-secret admin-token; do
  secrets+=(--secret "$name,target=/etc/donut/secrets/$name,uid=10001,mode=0400")
done
secret_env=(-e DONUT_DATABASE_FILE=/etc/donut/secrets/database-url
  -e DONUT_BROKER_FILE=/etc/donut/secrets/broker-url
  -e DONUT_CALLBACK_SECRET_FILE=/etc/donut/secrets/callback-secret
  -e DONUT_ADMIN_TOKEN_FILE=/etc/donut/secrets/admin-token)
secret database-url "mysql://root@127.0.0.1:$db_port/donut_image"
secret broker-url "amqp://guest:guest@127.0.0.1:$mq_port/"
secret callback-secret "$(openssl rand -hex 32)"
admin_token=$(openssl rand -hex 32)
secret admin-token "$admin_token"
sales_port=$(free_port); arrivals_port=$(free_port); factory_port=$(free_port)
mkdir -p "$data/mail" && chown 10001:10001 "$data/mail"
role() {  # role <name> <health port> <donut arguments...>: a container running one role
  local name=$1 health=$2
  shift 2
  podman run -d --name "$name" --network host --read-only --cap-drop all \
    --security-opt no-new-privileges -e DONUT_HOST=127.0.0.1 -e DONUT_HEALTH_PORT="$health" \
    "${secrets[@]}" "${secret_env[@]}" -v "$data/mail:/data/mail" "$image" "$@" \
    >/dev/null 2>>"$data/podman.err"
}
check "db migrate from the image" 0 podman run --rm --network host --read-only \
  "${secrets[@]}" "${secret_env[@]}" "$image" db migrate
contains "the schema is in MariaDB" "warehouse mysql://root@127.0.0.1:$db_port/donut_image is at schema version" "$data/out"
role factory "$(free_port)" factory --factory-port "$factory_port" --factory-delay-ms 500 \
  --factory-callback-url "http://127.0.0.1:$arrivals_port/v1/stock-arrivals"
sales_health=$(free_port)
role sales "$sales_health" sales --port "$sales_port"
role arrivals "$(free_port)" arrivals --port "$arrivals_port"
role restock "$(free_port)" restock --public-url "http://127.0.0.1:$arrivals_port" --factory-url "http://127.0.0.1:$factory_port"
role notifier "$(free_port)" notifier
role relay "$(free_port)" relay
healthy() {  # every role's own health check (the image's HEALTHCHECK, run by podman) passes
  local name
  for name in factory sales arrivals restock notifier relay; do
    podman healthcheck run "$name" >/dev/null 2>&1 || return 1
  done
}
for _ in $(seq 150); do healthy && break; sleep 0.2; done
check "every role passes its health check" 0 healthy
echo "the roles were healthy $(( $(date +%s) - started )) s after the test started"
pid=$(podman inspect --format '{{.State.Pid}}' sales)
check "the sales process runs as uid 10001" 0 test "$(stat -c %u "/proc/$pid")" = 10001
check "with no capabilities" 0 grep -q 'CapEff:\s*0000000000000000' "/proc/$pid/status"
check "on a read-only root" 0 test "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' sales)" = true
check "the image's public /metrics asks for the admin token" 22 curl -fsS "http://127.0.0.1:$sales_port/metrics"
check "its probe listener's is open to the scraper" 0 curl -fsS "http://127.0.0.1:$sales_health/metrics"
check "JSON log lines on stdout" 0 bash -c "podman logs sales 2>/dev/null | grep -q '^{\"time\":.*\"msg\":\"listening on http://127.0.0.1:$sales_port\"}'"

# The surge through the containers; 4 s in, the sales container is stopped (drained) and started.
"$donut" surge --url "http://127.0.0.1:$sales_port" --admin-token "$admin_token" --product IMAGE-1 \
  --initial-stock 600 --restock 400 --start-rate 50 --peak-rate 200 --ramp-s 2 --hold-s 8 \
  --connections 8 --settle-timeout-s 90 --tolerate-errors --chart "$data/surge.svg" >"$data/surge.out" 2>&1 &
surge=$!
sleep 4
stop_started=$(date +%s%N)
check "podman stop drains the sales container" 0 podman stop -t 30 sales
echo "sales drained in $(( ($(date +%s%N) - stop_started) / 1000000 )) ms"
check "it exited 0: it drained on SIGTERM, no SIGKILL" 0 test "$(podman inspect --format '{{.State.ExitCode}}' sales)" = 0
check "it said so" 0 bash -c "podman logs sales 2>/dev/null | grep -q 'received SIGTERM, shutting down'"
check "podman start brings it back" 0 podman start sales
wait "$surge"
surge_rc=$?
sed 's/^/    /' "$data/surge.out" | grep -v '^ *[0-9]* *[0-9]* *[0-9]* *[0-9]* *[0-9.]* ms$'
check "the surge's invariants hold through the containers" 0 test "$surge_rc" = 0
check "every order the drained sales container accepted was answered (none sold unanswered)" 1 \
  grep -q '^unanswered sold' "$data/surge.out"
check "orders were sold" 0 grep -q '^sold (201) *[1-9]' "$data/surge.out"
check "the restocks arrived through the containers" 0 grep -q 'back in stock after' "$data/surge.out"
check "the notifier's e-mails are in its volume" 0 compgen -G "$data/mail/*.eml"

echo "image test: $(( $(date +%s) - started )) s"
if [[ $failures -gt 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "all image checks passed"
