#!/usr/bin/env bash
# The `donut` binary from the outside: help everywhere, operator commands on a data folder,
# clear errors with non-zero exits.
set -uo pipefail
donut="$1"
data=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
source "$(dirname "$0")/checks.sh"

check "--help" 0 "$donut" --help
contains "help lists the roles" "restock" "$data/out"
if [[ ${DONUT_EXPECT_ALLOCATOR:-} == mimalloc ]]; then
  # Linked is not enough: malloc must resolve to mimalloc's, which then says so when asked.
  MIMALLOC_VERBOSE=1 "$donut" --version >"$data/out" 2>&1
  contains "donut allocates with mimalloc" "mimalloc: process init" "$data/out"
fi
for sub in up sales restock arrivals notifier relay factory stock order queues dlq db "db migrate" mail "mail test" restocks; do
  check "$sub --help" 0 "$donut" $sub --help  # word-split: "mail test" is two words
done
# Each role is offered only the options it reads.
check "relay --help" 0 "$donut" relay --help
contains "relay --help lists the queue options" "--max-receive-count" "$data/out"
contains "relay --help points to the common options" "donut --help" "$data/out"
check "relay --help lists no factory knobs" 1 grep -q -- "--factory-failure-rate" "$data/out"
check "a factory knob on the relay is refused" 109 "$donut" relay --factory-failure-rate 0.5
check "sales --help" 0 "$donut" sales --help
contains "sales --help lists the order strategy" "--order-strategy" "$data/out"
check "sales --help lists no mail options" 1 grep -q -- "--smtp-url" "$data/out"
check "restock --help" 0 "$donut" restock --help
contains "restock --help lists the factory URL" "--factory-url" "$data/out"
contains "restock --help lists the callback secret's file (it signs its requests)" "--callback-secret-file" "$data/out"
check "restock --help lists no listening port" 1 grep -q -- "--port " "$data/out"
check "up --help" 0 "$donut" up --help
for option in --order-strategy --factory-url --factory-delay-ms --mailer --callback-secret --host; do
  contains "up --help lists $option" "$option" "$data/out"
done
check "no subcommand is an error" 106 "$donut"
check "unknown option is an error" 109 "$donut" up --no-such-option
check "bad strategy is refused" 105 "$donut" up --order-strategy fastest
check "unknown mailer is refused" 105 "$donut" up --mailer pigeon
check "SMTP credentials without TLS are refused" 2 env DONUT_SMTP_USER=donut DONUT_SMTP_PASSWORD=hunter2-secret \
  "$donut" notifier --mailer smtp --smtp-tls none --data-dir "$data/smtp"
contains "it says why" "unencrypted" "$data/err"
check "the password is not echoed" 1 grep -q hunter2-secret "$data/out" "$data/err"
check "mail test writes to the outbox" 0 "$donut" mail test --data-dir "$data/m"
check "the test e-mail is there" 0 compgen -G "$data/m/mail/test-*.eml"
check "mail test against no server exits 3" 3 "$donut" mail test --mailer smtp \
  --smtp-url smtp://127.0.0.1:1 --smtp-tls none --data-dir "$data/m"
check "the AWS broker without credentials exits 2" 2 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
  "$donut" queues --broker aws --data-dir "$data/aws"
contains "it names what is missing" "AWS_ACCESS_KEY_ID" "$data/err"

# Secrets at rest: the data folder is 0700 and each secret file 0600 from the open() that
# creates it (no create-then-chmod window, seen in the system calls); a secret given as a flag
# works but warns, since every user can read a command line; a secret file option is read.
strace -f -qq -e trace=openat,open,creat,chmod,fchmod,fchmodat -o "$data/strace" \
  "$donut" relay --data-dir "$data/fresh/dir" >"$data/relay.log" 2>&1 &
tracer=$!
for _ in $(seq 100); do grep -q ready "$data/relay.log" && break; sleep 0.1; done
kill -TERM "$(pgrep -P $tracer)"; wait $tracer
check "the data folder is created 0700" 0 test "$(stat -c %a "$data/fresh/dir")" = 700
check "the admin token file is 0600" 0 test "$(stat -c %a "$data/fresh/dir/admin-token")" = 600
check "the callback secret file is 0600" 0 test "$(stat -c %a "$data/fresh/dir/callback-secret")" = 600
check "secret files are created 0600, exclusively, in the open() itself" 0 \
  grep -qE 'open(at)?\(.*admin-token\.tmp[0-9a-f]+", O_WRONLY\|O_CREAT\|O_EXCL\|O_NOFOLLOW\|O_CLOEXEC, 0600\) = [0-9]' "$data/strace"
check "and never chmod'ed afterwards" 1 grep -qE 'chmod.*(admin-token|callback-secret)' "$data/strace"
check "a secret given as a flag is used but warned about" 3 "$donut" sales --admin-token hunter2-token \
  --database "mysql://donut:hunter3-password@127.0.0.1:1/donut" --data-dir "$data/flags"
contains "the warning names the token flag" "--admin-token given on the command line" "$data/err"
contains "and the URL with a password" "--database (a URL with a password)" "$data/err"
check "neither secret is echoed" 1 grep -qE "hunter2-token|hunter3-password" "$data/out" "$data/err"
check "no warning when they come from the environment" 3 env DONUT_ADMIN_TOKEN=hunter2-token \
  DONUT_DATABASE="mysql://donut:hunter3-password@127.0.0.1:1/donut" "$donut" sales --data-dir "$data/flags"
check "so nothing is said about flags" 1 grep -q "given on the command line" "$data/err"
printf 'token-from-a-file\n' >"$data/token"; chmod 600 "$data/token"
sport=$((20000 + RANDOM % 20000))
"$donut" sales --data-dir "$data/tf" --port $sport --admin-token-file "$data/token" >"$data/tf.log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$sport/healthz" >/dev/null && break; sleep 0.1; done
check "--admin-token-file is the token" 0 curl -fs -H "Authorization: Bearer token-from-a-file" \
  "http://127.0.0.1:$sport/admin/queues"
check "and the data folder's own token is not" 22 curl -fs -H "Authorization: Bearer $(cat "$data/tf/admin-token" 2>/dev/null)" \
  "http://127.0.0.1:$sport/admin/queues"
kill -TERM $pid; wait $pid

# A seed file is input like any other: its ids follow the API's rule.
printf '{"products":[{"id":"CP-1","stock":1},{"id":"<img src=x>","stock":1}]}' >"$data/hostile.json"
check "a seed file with a hostile id is refused" 2 timeout 20 "$donut" relay --seed-file "$data/hostile.json" --data-dir "$data/seed"
contains "it names the file, the product and the rule" "hostile.json: product 2: product_id must be" "$data/err"
printf '{"products":[{"id":"CP-1","stock":-5}]}' >"$data/negative.json"
check "and one with a negative stock" 2 timeout 20 "$donut" relay --seed-file "$data/negative.json" --data-dir "$data/seed"

# Schema migrations: applied once, reported on every run; a warehouse from a newer donut is refused.
# The latest version is the number of the SQLite scripts beside this test's sources.
latest=$(find "$(dirname "$0")/../../src/adapters/sqlite/migrations" -name '[0-9]*.sql' | wc -l)
check "db migrate" 0 "$donut" db migrate --data-dir "$data/schema"
contains "db migrate names the schema version" "is at schema version $latest" "$data/out"
check "db migrate again changes nothing" 0 "$donut" db migrate --data-dir "$data/schema"
contains "the version stays" "is at schema version $latest" "$data/out"
sqlite3 "$data/schema/warehouse.db" "PRAGMA user_version = 42"
check "a newer warehouse is refused" 2 "$donut" db migrate --data-dir "$data/schema"
contains "it says why" "newer than this donut knows" "$data/err"
check "db migrate against no server exits 3" 3 "$donut" db migrate --database mysql://root@127.0.0.1:1/donut \
  --data-dir "$data/schema-mysql"

# Start the system on free-ish ports, then use the operator commands on its data folder.
port=$((20000 + RANDOM % 20000)); fport=$((port + 1))
"$donut" up --data-dir "$data/d" --port $port --factory-port $fport --factory-delay-ms 1500 \
  --log-format json >"$data/up.json" 2>"$data/up.log" &
pid=$!
# Serving comes first and the lines saying so after it: wait for both (an ASan build is slow).
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && grep -q '"msg":"ready"' "$data/up.json" && break
  sleep 0.1
done
contains "up says where it listens, as a JSON log line" "\"msg\":\"listening on http://127.0.0.1:$port" "$data/up.json"
check "stock list" 0 "$donut" stock list --data-dir "$data/d"
contains "stock list shows the catalogue" "CP-502104" "$data/out"
contains "stock list shows how each product restocks" "CP-502101 .* reorder_point " "$data/out"
contains "Maple Bar restocks at zero, as the README tells" "CP-502104 .* at_zero " "$data/out"
# How a product restocks, set from the command line with the admin API's checks.
check "stock policy" 0 "$donut" stock policy CP-502103 at_zero --data-dir "$data/d"
contains "stock policy prints the product with its policy" '"replenishment":{"policy":"at_zero"' "$data/out"
check "stock policy with its settings" 0 "$donut" stock policy CP-502103 reorder_point \
  --service-level 0.99 --max-restock-quantity 120 --data-dir "$data/d"
contains "stock policy keeps the settings" '"service_level":9.9E-1,"max_restock_quantity":120' "$data/out"
check "stock policy refuses an unknown policy" 2 "$donut" stock policy CP-502103 hoard --data-dir "$data/d"
contains "and names the choices" 'policy must be "at_zero" or "reorder_point"' "$data/err"
check "stock policy refuses a maximum below the restock quantity" 2 "$donut" stock policy CP-502103 \
  reorder_point --max-restock-quantity 29 --data-dir "$data/d"
contains "and says the least" "max_restock_quantity must be an integer from 30" "$data/err"
check "stock policy refuses a service level out of range" 2 "$donut" stock policy CP-502103 \
  reorder_point --service-level 1.5 --data-dir "$data/d"
check "stock policy unknown product" 2 "$donut" stock policy NOPE at_zero --data-dir "$data/d"
check "stock list after the change" 0 "$donut" stock list --data-dir "$data/d"
contains "stock list shows the new maximum" "CP-502103 .* reorder_point .* 120 " "$data/out"
check "stock set" 0 "$donut" stock set CP-502104 3 --data-dir "$data/d"
check "stock set refuses negative" 2 "$donut" stock set CP-502104 -1 --data-dir "$data/d"
check "stock set unknown product" 2 "$donut" stock set NOPE 1 --data-dir "$data/d"
check "order sells" 0 "$donut" order CP-502104 3 --url "http://127.0.0.1:$port"
check "order out of stock exits 1" 1 "$donut" order CP-502104 1 --url "http://127.0.0.1:$port"
check "order bad product id exits 2" 2 "$donut" order "bad id" 1 --url "http://127.0.0.1:$port"
check "order against nothing exits 3" 3 "$donut" order CP-502104 1 --url "http://127.0.0.1:1"
for _ in $(seq 200); do curl -fs "http://127.0.0.1:$port/v1/products/CP-502104" | grep -q '"stock":20' && break; sleep 0.1; done
check "restocked after the stock-out" 0 grep -q '"stock":20' <(curl -fs "http://127.0.0.1:$port/v1/products/CP-502104")
check "restocks" 0 "$donut" restocks --product CP-502104 --data-dir "$data/d"
contains "restocks shows the stock-out and its order" "stock_out .*order .* took the last 3" "$data/out"
contains "restocks shows the factory's answer" "factory_accepted .*accepted 20" "$data/out"
contains "restocks shows the arrival with its lead time" "arrived .*20 added" "$data/out"
check "restocks --json" 0 "$donut" restocks --json --limit 1 --data-dir "$data/d"
contains "restocks --json is the admin route's shape" '"restocks":\[{"id":' "$data/out"
check "restocks --limit out of range" 105 "$donut" restocks --limit 0 --data-dir "$data/d"
check "JSON logs are one object per line" 0 node -e '
  for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) JSON.parse(l);' "$data/up.json"
contains "the restock worker's lines name the restock and its trace" \
  '"msg":"restock [0-9A-Z]*: factory accepted 20 x CP-502104".*"restock_id":"[0-9A-Z]*".*"trace_id":"[0-9a-f]\{32\}"' "$data/up.json"
contains "the order that emptied the shelf is linked to its restock" \
  '"msg":"sales: order [0-9A-Z]* took the last of CP-502104; restock [0-9A-Z]* opened".*"order_id":' "$data/up.json"
check "queues" 0 "$donut" queues --data-dir "$data/d"
contains "queues lists factory-requests" "factory-requests" "$data/out"
check "dlq list" 0 "$donut" dlq list factory-requests --data-dir "$data/d"
check "dlq redrive" 0 "$donut" dlq redrive factory-requests-dlq --data-dir "$data/d"
check "dlq purge needs --yes" 2 "$donut" dlq purge factory-requests --data-dir "$data/d"
check "dlq purge" 0 "$donut" dlq purge factory-requests --yes --data-dir "$data/d"
check "dlq show unknown message" 2 "$donut" dlq show factory-requests nope --data-dir "$data/d"
check "dlq of an unknown queue" 2 "$donut" dlq list nothing --data-dir "$data/d"
kill -TERM $pid; wait $pid; status=$?
if [[ $status -eq 0 ]]; then echo "ok: up stops cleanly on SIGTERM"; else echo "FAIL: up exited $status"; failures=$((failures + 1)); fi

# The factory simulator is a test stand-in: it stays on loopback when the shop is exposed.
xport=$((port + 4)); xfport=$((port + 5))
"$donut" up --data-dir "$data/x" --host 0.0.0.0 --port $xport --factory-port $xfport >"$data/x.log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$xport/healthz" >/dev/null && break; sleep 0.1; done
check "--host 0.0.0.0 exposes the shop" 0 grep -q "0.0.0.0:$xport " <(ss -ltnH)
check "the factory simulator still listens on loopback only" 0 grep -q "127.0.0.1:$xfport " <(ss -ltnH)
check "and nowhere else" 1 grep -q "0.0.0.0:$xfport " <(ss -ltnH)
kill -TERM $pid; wait $pid

# A configuration file: common keys at the top, role keys in the role's section.
cport=$((port + 2))
printf 'data-dir = "%s"\n[up]\nport = %d\nfactory-port = %d\n' "$data/c" $cport $((cport + 1)) >"$data/donut.toml"
"$donut" --config "$data/donut.toml" up >"$data/c.log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$cport/healthz" >/dev/null && break; sleep 0.1; done
check "config file sets the port" 0 curl -fs "http://127.0.0.1:$cport/healthz"
check "config file sets the data folder" 0 test -f "$data/c/warehouse.db"
kill -TERM $pid; wait $pid; status=$?
if [[ $status -eq 0 ]]; then echo "ok: up stops cleanly on SIGTERM"; else echo "FAIL: up exited $status"; failures=$((failures + 1)); fi
mails=$(ls "$data/d/mail" | wc -l)
if [[ $mails -ge 3 ]]; then echo "ok: $mails e-mails in the outbox"; else echo "FAIL: only $mails e-mails"; failures=$((failures + 1)); fi

if [[ $failures -gt 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "all CLI checks passed"
