# Sourced by the compose and kube tests: local stand-ins for the images compose.yaml names but
# this machine cannot pull (no registry is reachable). Each is assembled from the Debian packages
# installed on the host (MariaDB, RabbitMQ, Prometheus; busybox-static for the shell their
# official images have) and tagged with the official image's name, so that compose.yaml runs
# unchanged. They honour what compose.yaml uses of the official images: MariaDB's
# MARIADB_{DATABASE,USER,PASSWORD_FILE,ROOT_PASSWORD_FILE} and healthcheck.sh, RabbitMQ's
# /etc/rabbitmq/conf.d and rabbitmq-diagnostics, Prometheus's /bin/prometheus. Grafana has no
# Debian package, so it has no stand-in.
#   build_stand_ins <work folder>      # into the current (the test's) podman storage
stand_in_mariadb=docker.io/library/mariadb:11.4
stand_in_rabbitmq=docker.io/library/rabbitmq:3.13
stand_in_prometheus=docker.io/prom/prometheus:v2.53.0

# copy_into <root> <file...>: each file at its own path, with the libraries ldd finds for it.
copy_into() {
  local root=$1 file lib
  shift
  for file in "$@"; do
    install -D "$(readlink -f "$file")" "$root$file"
    ldd "$file" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }' | while read -r lib; do
      [[ -e $root$lib ]] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
    done
  done
}

# A root with busybox as /bin/sh and its applets, /etc/passwd with root and <user>:<uid>.
base_root() {
  local root=$1 user=$2 uid=$3 applet
  install -d "$root/bin" "$root/etc" "$root/tmp" "$root/run" "$root/usr/local/bin"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ -e $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n%s:x:%s:%s::/var/lib/%s:/bin/sh\n' "$user" "$uid" "$uid" "$user" >"$root/etc/passwd"
  printf 'root:x:0:\n%s:x:%s:\n' "$user" "$uid" >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
}

# commit_root <root> <image> <buildah config arguments...>
commit_root() {
  local root=$1 image=$2 container
  shift 2
  tar -C "$root" --numeric-owner -cf "$root.tar" .
  container=$(buildah from --format docker scratch)
  buildah add "$container" "$root.tar" / >/dev/null
  buildah config "$@" "$container"
  buildah commit --quiet --format docker --rm "$container" "$image" >/dev/null
  rm -rf "$root" "$root.tar"
}

stand_in_mariadb() {
  local root=$1/mariadb
  base_root "$root" mysql 999
  copy_into "$root" /usr/sbin/mariadbd /usr/bin/mariadb /usr/bin/mariadb-admin
  cp -a /usr/share/mysql "$root/usr/share/"
  install -d "$root/var/lib/mysql" "$root/run/mysqld"
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$root/var/lib/mysql" \
    --auth-root-authentication-method=normal --skip-test-db >"$1/mariadb-install.log" 2>&1 || return 1
  chown -R 999:999 "$root/var/lib/mysql" "$root/run/mysqld"
  cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
# The official image's contract, in short: the database, the user and the passwords from
# MARIADB_* (the passwords from *_FILE), applied at every start by an init file.
set -e
password=$(cat "$MARIADB_PASSWORD_FILE")
root_password=$(cat "$MARIADB_ROOT_PASSWORD_FILE")
cat >/tmp/init.sql <<SQL
CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;
CREATE USER IF NOT EXISTS '$MARIADB_USER'@'%' IDENTIFIED BY '$password';
ALTER USER '$MARIADB_USER'@'%' IDENTIFIED BY '$password';
GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$MARIADB_USER'@'%';
ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_password';
SQL
exec mariadbd --no-defaults --user=mysql --datadir=/var/lib/mysql --bind-address=0.0.0.0 \
  --port=3306 --socket=/run/mysqld/mysqld.sock --skip-name-resolve --init-file=/tmp/init.sql "$@"
SH
  cat >"$root/usr/local/bin/healthcheck.sh" <<'SH'
#!/bin/sh
# The official image's healthcheck.sh --connect --innodb_initialized, in short: the server
# answers a login over TCP.
exec mariadb-admin --no-defaults --protocol=tcp -h127.0.0.1 -u"$MARIADB_USER" \
  -p"$(cat "$MARIADB_PASSWORD_FILE")" status >/dev/null
SH
  chmod 0755 "$root/usr/local/bin/"*.sh
  commit_root "$root" "$stand_in_mariadb" --entrypoint '["/usr/local/bin/docker-entrypoint.sh"]' \
    --port 3306 --volume /var/lib/mysql --env PATH=/usr/local/bin:/usr/bin:/usr/sbin:/bin
}

stand_in_rabbitmq() {
  local root=$1/rabbitmq file
  base_root "$root" rabbitmq 999
  cp -a /usr/lib/erlang /usr/lib/rabbitmq "$root/usr/lib/" 2>/dev/null || { install -d "$root/usr/lib"; cp -a /usr/lib/erlang /usr/lib/rabbitmq "$root/usr/lib/"; }
  # Every native program and library of Erlang and RabbitMQ, with what it links.
  find "$root/usr/lib/erlang" "$root/usr/lib/rabbitmq" -type f \( -name '*.so' -o -perm -u+x \) |
    while read -r file; do
      ldd "$file" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }' | while read -r lib; do
        [[ -e $root$lib ]] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
      done
    done
  for file in /usr/lib/rabbitmq/bin/*; do ln -s "$file" "$root/usr/local/bin/$(basename "$file")"; done
  ln -s ../lib/erlang/bin/erl "$root/usr/local/bin/erl"
  install -d "$root/etc/rabbitmq/conf.d" "$root/var/lib/rabbitmq" "$root/var/log/rabbitmq"
  printf '[rabbitmq_prometheus].\n' >"$root/etc/rabbitmq/enabled_plugins"
  printf '[].\n' >"$root/etc/rabbitmq/enabled_plugins"
  chown -R 999:999 "$root/var/lib/rabbitmq" "$root/var/log/rabbitmq" "$root/etc/rabbitmq"
  commit_root "$root" "$stand_in_rabbitmq" --user 999:999 --entrypoint '["rabbitmq-server"]' \
    --port 5672 --volume /var/lib/rabbitmq \
    --env PATH=/usr/local/bin:/usr/lib/erlang/bin:/bin --env HOME=/var/lib/rabbitmq \
    --env RABBITMQ_CONFIG_FILES=/etc/rabbitmq/conf.d --env RABBITMQ_LOGS=- \
    --env RABBITMQ_ENABLED_PLUGINS_FILE=/etc/rabbitmq/enabled_plugins
}

stand_in_prometheus() {
  local root=$1/prometheus
  base_root "$root" nobody 65534
  copy_into "$root" /usr/bin/prometheus
  ln -s ../usr/bin/prometheus "$root/bin/prometheus"
  install -d -o 65534 -g 65534 "$root/prometheus" "$root/etc/prometheus"
  commit_root "$root" "$stand_in_prometheus" --user 65534:65534 --workingdir /prometheus \
    --entrypoint '["/bin/prometheus"]' --cmd '--config.file=/etc/prometheus/prometheus.yml' --port 9090
}

build_stand_ins() {
  mkdir -p "$1"
  stand_in_mariadb "$1" && stand_in_rabbitmq "$1" && stand_in_prometheus "$1"
}
