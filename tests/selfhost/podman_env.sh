# Sourced by the self-hosted tests: podman as these machines need it, confined to the test.
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
