// deploy/kubernetes, rendered (kustomize.mjs) and checked against the Kubernetes 1.33 API
// (npm kubernetes-models 4.5.1): every object by its kind's validator, and, as strictly as an API
// server's field validation, every field known to its type (walked through the models' type
// declarations). Then what the manifests promise: restricted pods, probes on the probe
// listener, preStop and grace matching the drain, requests and limits, PDBs, the HPA, the
// NetworkPolicies, the migration Job and the MariaDB backup CronJob, secrets only as files.
//   node kube_check.mjs <rendered folder: a copy of deploy/kubernetes with secrets/> <node_modules>
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomize } from "./kustomize.mjs";

const [folder, modules] = process.argv.slice(2);
const require = createRequire(path.join(modules, "noop.js"));
const objects = kustomize(folder, modules);
const models = path.join(modules, "kubernetes-models");

// The model of an apiVersion/kind: "apps/v1" Deployment -> kubernetes-models/apps/v1/Deployment.
const modelPath = (o) => `${o.apiVersion}/${o.kind}`;
const validateObject = (o) => {
  const Model = require(path.join(models, modelPath(o)))[o.kind];
  new Model(o).validate();
  unknownFields(o, path.join(models, modelPath(o) + ".d.ts"), o.kind);
};

// The fields of a type and the type of each, read from its declaration file.
const declarations = new Map();
function fieldsOf(file) {
  if (declarations.has(file)) return declarations.get(file);
  const text = readFileSync(file, "utf8");
  const imports = new Map([...text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)].map(([, name, from]) =>
    [name, from.startsWith(".") ? path.resolve(path.dirname(file), from + ".d.ts")
      : path.join(modules, from + ".d.ts")]));
  const body = text.match(/export interface I\w+( extends TypeMeta)? \{([\s\S]*?)\n\}/);
  const fields = new Map();
  if (body[1]) { fields.set("apiVersion", null); fields.set("kind", null); }
  for (const [, name, type] of body[2].matchAll(/^ {4}"([^"]+)"\??: (.*)$/gm)) {
    const ref = type.match(/^(?:Array<)?(I\w+)>?;$/);
    fields.set(name, ref && imports.has(ref[1]) ? imports.get(ref[1]) : null);
  }
  declarations.set(file, fields);
  return fields;
}
function unknownFields(value, file, where) {
  if (Array.isArray(value)) return value.forEach((v, i) => unknownFields(v, file, `${where}[${i}]`));
  if (value === null || typeof value !== "object") return;
  const fields = fieldsOf(file);
  for (const [key, child] of Object.entries(value)) {
    if (!fields.has(key)) throw new Error(`${where}: unknown field "${key}"`);
    if (fields.get(key)) unknownFields(child, fields.get(key), `${where}.${key}`);
  }
}

const of = (kind) => objects.filter((o) => o.kind === kind);
const named = (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const deployments = of("Deployment");
const podSpecs = [...deployments.map((d) => [d.metadata.name, d.spec.template.spec]),
  ...of("Job").map((j) => [j.metadata.name, j.spec.template.spec]),
  ...of("CronJob").map((c) => [c.metadata.name, c.spec.jobTemplate.spec.template.spec])];

test("every object is valid against the Kubernetes 1.33 API, no unknown field", () => {
  assert.ok(objects.length > 20);
  for (const o of objects) {
    assert.doesNotThrow(() => validateObject(o), `${o.kind}/${o.metadata.name}`);
  }
});

test("the check can fail: a wrong type, an unknown field, a misplaced one", () => {
  const sales = structuredClone(named("Deployment", "sales"));
  sales.spec.replicas = "two";
  assert.throws(() => validateObject(sales));
  const typo = structuredClone(named("Deployment", "sales"));
  typo.spec.template.spec.containers[0].livenesProbe = {};
  assert.throws(() => validateObject(typo), /unknown field "livenesProbe"/);
  const misplaced = structuredClone(named("Deployment", "sales"));
  misplaced.spec.template.spec.containers[0].lifecycle.preStop.sleep.milliseconds = 5;
  assert.throws(() => validateObject(misplaced), /unknown field "milliseconds"/);
});

test("a Deployment per role, each with the image and its role's command", () => {
  assert.deepEqual(deployments.map((d) => d.metadata.name).sort(),
    ["arrivals", "factory", "notifier", "relay", "restock", "sales"]);
  const compose = readFileSync(path.join(folder, "../../compose.yaml"), "utf8");
  for (const d of deployments) {
    const [c] = d.spec.template.spec.containers;
    assert.match(compose, new RegExp(`image: ${c.image}\\n`), `${d.metadata.name}: the image compose.yaml runs`);
    assert.equal(c.args[0], d.metadata.name);
  }
});

test("restricted pods: non-root, read-only root, no capabilities, seccomp RuntimeDefault", () => {
  for (const [name, spec] of podSpecs) {
    assert.equal(spec.securityContext.runAsNonRoot, true, name);
    assert.ok(spec.securityContext.runAsUser > 0, name);
    assert.equal(spec.securityContext.seccompProfile.type, "RuntimeDefault", name);
    assert.equal(spec.automountServiceAccountToken, false, name);
    for (const c of spec.containers) {
      assert.equal(c.securityContext.readOnlyRootFilesystem, true, name);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false, name);
      assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"], name);
    }
  }
  assert.equal(named("Namespace", "donut-states").metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
});

test("startup, liveness and readiness probes on the probe listener's /healthz and /readyz", () => {
  const config = named("ConfigMap", "donut-config");
  for (const d of deployments) {
    const [c] = d.spec.template.spec.containers;
    const health = c.ports.find((p) => p.name === "health");
    assert.equal(String(health.containerPort), config.data.DONUT_HEALTH_PORT, d.metadata.name);
    for (const [probe, route] of [["startupProbe", "/healthz"], ["livenessProbe", "/healthz"], ["readinessProbe", "/readyz"]]) {
      assert.deepEqual(c[probe].httpGet, { path: route, port: "health" }, `${d.metadata.name} ${probe}`);
    }
  }
});

test("preStop waits with the native sleep action, and the grace period covers it and the drain", () => {
  for (const d of deployments) {
    const spec = d.spec.template.spec;
    const preStop = spec.containers[0].lifecycle?.preStop;
    const serves = ["sales", "arrivals"].includes(d.metadata.name);
    assert.equal(Boolean(preStop), serves, `${d.metadata.name}: preStop only where a Service sends traffic`);
    if (preStop) assert.deepEqual(Object.keys(preStop), ["sleep"]);
    const waited = preStop?.sleep.seconds ?? 0;
    assert.ok(spec.terminationGracePeriodSeconds >= waited + 20, d.metadata.name);
  }
});

test("requests and limits on every container; memory limited, CPU not throttled", () => {
  for (const [name, spec] of podSpecs) {
    for (const c of spec.containers) {
      assert.ok(c.resources.requests.cpu && c.resources.requests.memory, name);
      assert.ok(c.resources.limits.memory && !c.resources.limits.cpu, name);
    }
  }
});

test("PodDisruptionBudgets for what serves, an HPA for sales, Services for the HTTP roles", () => {
  assert.equal(named("PodDisruptionBudget", "sales").spec.minAvailable, 1);
  assert.equal(named("PodDisruptionBudget", "arrivals").spec.minAvailable, 1);
  const hpa = named("HorizontalPodAutoscaler", "sales");
  assert.equal(hpa.spec.scaleTargetRef.name, "sales");
  assert.ok(hpa.spec.minReplicas >= 2);
  assert.deepEqual(of("Service").map((s) => s.metadata.name).sort(), ["arrivals", "factory", "sales"]);
});

test("NetworkPolicies: deny by default, the intake from the factory only, the engines from the roles only", () => {
  assert.deepEqual(named("NetworkPolicy", "default-deny-ingress").spec.podSelector, {});
  const intake = named("NetworkPolicy", "arrivals-from-the-factory").spec;
  assert.deepEqual(intake.ingress[0].from, [{ podSelector: { matchLabels: { "app.kubernetes.io/component": "factory" } } }]);
  const factory = named("NetworkPolicy", "factory-from-restock").spec;
  assert.deepEqual(factory.ingress[0].from, [{ podSelector: { matchLabels: { "app.kubernetes.io/component": "restock" } } }]);
  const scrape = named("NetworkPolicy", "metrics-from-prometheus").spec.ingress[0];
  assert.deepEqual(scrape.from, [{
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
    podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
  }], "Prometheus of one namespace, not a pod of any namespace that calls itself prometheus");
  assert.deepEqual(scrape.ports, [{ port: 8079 }], "the probe listener only");
  for (const peer of of("NetworkPolicy").flatMap((p) => (p.spec.ingress ?? []).flatMap((i) => i.from ?? []))) {
    assert.notDeepEqual(peer.namespaceSelector, {}, "no peer from every namespace");
  }
  for (const engine of ["mariadb", "rabbitmq"]) {
    const policy = named("NetworkPolicy", `${engine}-from-the-roles`).spec;
    assert.equal(policy.ingress[0].from[0].podSelector.matchLabels["donut-states/engines"], "true");
  }
  for (const [name, spec] of podSpecs.filter(([n]) => n !== "mariadb-backup")) {
    const labels = [...deployments, ...of("Job")].find((o) => o.metadata.name === name).spec.template.metadata.labels;
    // The factory simulator opens neither engine, so it may reach neither.
    assert.equal(labels["donut-states/engines"], name === "factory" ? undefined : "true", `${name} and the engines`);
  }
});

test("the migration is a Job and MariaDB is dumped nightly with --single-transaction", () => {
  assert.deepEqual(named("Job", "migrate").spec.template.spec.containers[0].args, ["db", "migrate"]);
  const backup = named("CronJob", "mariadb-backup").spec;
  assert.match(backup.jobTemplate.spec.template.spec.containers[0].command.join(" "),
    /mariadb-dump --defaults-extra-file=\S+ \\\n\s+--single-transaction/);
  assert.equal(backup.concurrencyPolicy, "Forbid");
});

test("secrets are files: mounted read-only 0400, named by *_FILE variables, never a value", () => {
  for (const [name, spec] of podSpecs) {
    for (const v of spec.volumes.filter((v) => v.secret)) assert.equal(v.secret.defaultMode, 0o400, name);
    for (const c of spec.containers) {
      for (const e of c.env ?? []) {
        if (/TOKEN|SECRET|PASSWORD|DATABASE|BROKER/.test(e.name)) assert.match(e.name, /_FILE$/, name);
      }
    }
  }
  for (const [key, value] of Object.entries(named("ConfigMap", "donut-config").data)) {
    if (/TOKEN|SECRET|PASSWORD|DATABASE|BROKER/.test(key)) assert.match(value, /^\/etc\/donut\/secrets\//, key);
  }
});

test("the factory simulator: on the pod's address, calling back the arrivals Service; the restock worker signs", () => {
  const container = (name) => deployments.find((d) => d.metadata.name === name).spec.template.spec.containers[0];
  const factory = container("factory");
  const flag = (name) => factory.args[factory.args.indexOf(name) + 1];
  assert.equal(flag("--factory-host"), "0.0.0.0", "reachable from the restock pod (its default is loopback)");
  assert.equal(flag("--factory-callback-url"), "http://arrivals:8082/v1/stock-arrivals");
  const env = (c) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
  assert.equal(env(factory).DONUT_ADMIN_TOKEN_FILE, "/etc/donut/secrets/admin-token", "its knobs need the admin token");
  const pod = deployments.find((d) => d.metadata.name === "factory").spec.template.spec;
  assert.equal(factory.envFrom, undefined, "not donut-config, which names the engines' credentials");
  assert.deepEqual(pod.volumes.find((v) => v.secret).secret.items.map((i) => i.key).sort(),
    ["admin-token", "callback-secret"], "no engine's credentials mounted");
  for (const c of [factory, container("restock")]) {
    assert.equal(env(c).DONUT_CALLBACK_SECRET_FILE, "/etc/donut/secrets/callback-secret", "both hold the shared secret");
  }
});
