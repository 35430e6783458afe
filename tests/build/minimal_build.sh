#!/usr/bin/env bash
# The build's perimeter: the shop builds and runs without its optional parts (MariaDB
# Connector/C, rabbitmq-c, Node, Graphviz), and a role asked for an engine the build left out
# says so and exits 2.
#   1. A parts-required configure (DONUT_WITH_RABBITMQ=ON) without rabbitmq-c stops with a
#      message naming what is missing.
#   2. A configure where the libraries cannot be found (CMAKE_DISABLE_FIND_PACKAGE_*: AUTO leaves
#      them out, with a message) and the programs are turned off, then the `donut` target only.
#      The compiler, build type and flags are the calling build's, so with ccache most objects
#      come from the cache (same depth of build folder: <source>/build/minimal).
#   3. The binary links neither library; `donut up` serves the shop (no /docs: no Redocly);
#      mysql:// and amqp:// are refused with the reason.
# Usage: minimal_build.sh <source dir> <build type> <C++ compiler> [compiler launcher]
set -uo pipefail
source_dir=$1 build_type=$2 compiler=$3 launcher=${4:-}
export CCACHE_NOHASHDIR=true  # as scripts/test builds: the folder is not part of an object's hash
build="$source_dir/build/minimal"
scratch=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$scratch"' EXIT
failures=0
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
expect() {  # expect <description> <pattern> <file>; CMake wraps its messages: lines are joined
  if tr -s ' \n' '  ' <"$3" | grep -q -- "$2"; then ok "$1"; else fail "$1: '$2' not in $3"; cat "$3"; fi
}
common=(-G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DCMAKE_CXX_COMPILER="$compiler"
        -DDONUT_WERROR=ON -DDONUT_BUILD_TESTS=OFF -DDONUT_BUILD_BENCH=OFF)
[[ -n $launcher ]] && common+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")

# 1. A part asked for (ON) but missing stops the configure.
if cmake -S "$source_dir" -B "$scratch/required" "${common[@]}" -DDONUT_WITH_RABBITMQ=ON \
     -DCMAKE_DISABLE_FIND_PACKAGE_rabbitmq-c=ON >"$scratch/required.log" 2>&1; then
  fail "configuring with DONUT_WITH_RABBITMQ=ON and no rabbitmq-c succeeded"
else
  expect "DONUT_WITH_RABBITMQ=ON without rabbitmq-c stops with the reason" \
    "DONUT_WITH_RABBITMQ=ON requires it" "$scratch/required.log"
fi

# 2. Libraries not found (AUTO leaves them out), programs off; the donut target alone. pkg-config
#    is pointed at an empty folder, so libmariadb.pc is not there (OpenSSL is found without it).
rm -f "$build/CMakeCache.txt"
mkdir -p "$scratch/no-pkgconfig"
if ! PKG_CONFIG_LIBDIR="$scratch/no-pkgconfig" PKG_CONFIG_PATH= \
     cmake -S "$source_dir" -B "$build" "${common[@]}" -DDONUT_WITH_MYSQL=AUTO \
     -DDONUT_WITH_RABBITMQ=AUTO -DDONUT_WITH_NODE=OFF -DDONUT_WITH_GRAPHVIZ=OFF \
     -DCMAKE_DISABLE_FIND_PACKAGE_rabbitmq-c=ON >"$scratch/configure.log" 2>&1; then
  cat "$scratch/configure.log"
  echo "FAIL: the minimal configure failed"
  exit 1
fi
expect "MariaDB Connector/C not found: left out, said so" \
  "MySQL/MariaDB warehouse (MariaDB Connector/C): not found, left out" "$scratch/configure.log"
expect "rabbitmq-c not found: left out, said so" \
  "RabbitMQ broker (rabbitmq-c): not found, left out" "$scratch/configure.log"
expect "the Node tools off, said so" "Node tools .*: off" "$scratch/configure.log"
expect "Graphviz off, said so" "Architecture diagrams (Graphviz): off" "$scratch/configure.log"
expect "no Lambda zips, said so" "Lambda zips (lambda_packages): left out" "$scratch/configure.log"
started=$SECONDS
if ! cmake --build "$build" --target donut -j 2 >"$scratch/build.log" 2>&1; then
  tail -50 "$scratch/build.log"
  echo "FAIL: the minimal build of donut failed"
  exit 1
fi
ok "donut built without MariaDB, rabbitmq-c, Node and Graphviz in $((SECONDS - started)) s"
donut="$build/src/donut"
if ldd "$donut" | grep -E "libmariadb|librabbitmq"; then
  fail "the minimal donut links a left-out library"
else
  ok "the minimal donut links neither libmariadb nor librabbitmq"
fi

# 3. The shop runs; the left-out engines are refused with the reason.
"$donut" up --broker amqp://guest:guest@127.0.0.1:5672/ --data-dir "$scratch/amqp" \
  >"$scratch/amqp.out" 2>"$scratch/amqp.err"
[[ $? -eq 2 ]] && ok "--broker amqp:// exits 2" || fail "--broker amqp:// did not exit 2"
expect "and says the build has no RabbitMQ" "built without RabbitMQ" "$scratch/amqp.err"
"$donut" db migrate --database mysql://root@127.0.0.1:3306/donut --data-dir "$scratch/mysql" \
  >"$scratch/mysql.out" 2>"$scratch/mysql.err"
[[ $? -eq 2 ]] && ok "--database mysql:// exits 2" || fail "--database mysql:// did not exit 2"
expect "and says the build has no MySQL" "built without MySQL" "$scratch/mysql.err"

"$donut" up --data-dir "$scratch/shop" --port 0 --factory-port 0 >"$scratch/up.out" 2>&1 &
pid=$!
url=
for _ in $(seq 100); do
  url=$(grep -o 'Sales API *http://[0-9.:]*' "$scratch/up.out" | grep -o 'http://.*') && break
  sleep 0.1
done
if [[ -z $url ]]; then
  fail "donut up did not start"; cat "$scratch/up.out"
else
  curl -s "$url/v1/products" >"$scratch/products.json"
  expect "the shop serves its catalogue" '"id":"CP-502104"' "$scratch/products.json"
  status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/v1/orders" \
    -H 'Content-Type: application/json' -d '{"product_id":"CP-502104","quantity":1}')
  [[ $status == 201 ]] && ok "and sells (201)" || fail "an order was answered $status"
  status=$(curl -s -o /dev/null -w '%{http_code}' "$url/docs")
  [[ $status == 404 ]] && ok "no /docs without Redocly (404)" || fail "/docs answered $status"
  curl -s "$url/openapi.json" >"$scratch/openapi.json"
  if grep -q '"/docs"' "$scratch/openapi.json"; then
    fail "/openapi.json describes a /docs it does not serve"
  else
    ok "/openapi.json does not describe /docs"
  fi
fi
exit $((failures > 0))
