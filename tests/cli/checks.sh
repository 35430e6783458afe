# The assertions of the shell tests, sourced by them. Each counts its failures in `failures`
# and writes a command's output to "$data/out" and "$data/err" (the caller sets `data`).
failures=0
check() {  # check <description> <expected exit> <command...>
  local what=$1 expected=$2
  shift 2
  "$@" >"$data/out" 2>"$data/err"
  local got=$?
  if [[ $got -ne $expected ]]; then
    echo "FAIL: $what: exit $got, expected $expected"; cat "$data/out" "$data/err"; failures=$((failures + 1))
  else
    echo "ok: $what"
  fi
}
contains() {  # contains <description> <text> <file>
  if grep -q -- "$2" "$3"; then echo "ok: $1"; else echo "FAIL: $1: '$2' not in $3"; cat "$3"; failures=$((failures + 1)); fi
}
