#!/usr/bin/env bash
# A seed replays anywhere: builds the simulator with clang and libc++ (Debian's clang-14,
# libc++-14-dev, libc++abi-14-dev) and compares the trace hashes of fixed seeds on both engines
# with those of the same program built with g++ and libstdc++ (`sim_replay` of the given build).
# The simulator's randomness and hashing are the project's own (common/uniform.h,
# common/fnv1a.h); a distribution or hash left to the standard library would differ here.
# libc++ 14 lacks <stop_token> and std::jthread, which the shop's code uses; tests/sim/libcxx14
# supplies them for this build only. Third-party code goes in header-only (fmt, spdlog,
# Boost.JSON, Boost.URL), since Debian's compiled copies are built against libstdc++.
# Usage: replay_anywhere.sh <build dir with sim_replay> [seeds] [steps]
# Environment: JOBS (parallel compiles, default 2), CCACHE (a launcher, default ccache if found).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
seeds=${2:-6}
steps=${3:-2000}
jobs=${JOBS:-2}
launcher=${CCACHE-$(command -v ccache || true)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in clang++-14; do
  command -v "$tool" >/dev/null || { echo "replay_anywhere: $tool is not installed" >&2; exit 1; }
done
[[ -f /usr/lib/llvm-14/include/c++/v1/vector ]] ||
  { echo "replay_anywhere: libc++-14-dev is not installed" >&2; exit 1; }

sources=(
  "$root"/src/common/*.cc "$root"/src/domain/*.cc "$root"/src/codec/*.cc "$root"/src/app/*.cc
  "$root"/src/adapters/memory/*.cc "$root"/src/adapters/sqlite/*.cc "$root"/src/sim/*.cc
  "$build"/src/generated/sqlite_migrations.cc "$root"/tests/sim/replay_main.cc
)
printf '#include <boost/json/src.hpp>\n#include <boost/url/src.hpp>\n' >"$work/boost_sources.cc"
sources+=("$work/boost_sources.cc")

flags=(-std=c++20 -O1 -stdlib=libc++ -nostdinc++ -isystem "$root/tests/sim/libcxx14"
  -isystem /usr/lib/llvm-14/include/c++/v1 -I "$root/src" -I "$build/src"
  -DFMT_HEADER_ONLY -DBOOST_JSON_NO_LIB -DBOOST_URL_NO_LIB -DBOOST_CONTAINER_NO_LIB -w)
started=$(date +%s)
export launcher work flags_line="${flags[*]}"
printf '%s\n' "${sources[@]}" | xargs -P "$jobs" -I{} bash -c \
  'object="$work/$(echo "{}" | tr "/" "_").o"; $launcher clang++-14 $flags_line -c "{}" -o "$object"'
clang++-14 -stdlib=libc++ "$work"/*.o -o "$work/sim_replay_libcxx" -lsqlite3 -lcrypto -lpthread
built=$(($(date +%s) - started))

"$build/tests/sim_replay" "$seeds" "$steps" >"$work/libstdcxx.txt"
"$work/sim_replay_libcxx" "$seeds" "$steps" >"$work/libcxx.txt"
echo "g++ $(g++ -dumpfullversion) + libstdc++:"
cat "$work/libstdcxx.txt"
echo "clang++-14 + libc++ 14 (built in ${built}s):"
cat "$work/libcxx.txt"
if ! diff -u "$work/libstdcxx.txt" "$work/libcxx.txt"; then
  echo "replay_anywhere: the same seeds made different runs on the two toolchains" >&2
  exit 1
fi
echo "replay_anywhere: $(wc -l <"$work/libcxx.txt") runs replayed the same on both toolchains"
