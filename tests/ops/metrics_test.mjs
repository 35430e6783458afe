// The operator's metrics, alert rules and dashboard, checked with the tools an operator uses:
// a running `donut up` sells out, restocks and has a dead letter; its /metrics must pass
// `promtool check metrics` and hold every series the rules and the dashboard read, with none
// of the zero-valued series that carry no information; deploy/prometheus passes `promtool check
// config`, `check rules` and its rule unit tests (`promtool test rules`); every query of the
// Grafana dashboard is valid PromQL (checked by promtool as recording rules) over series that
// exist.
//   node tests/ops/metrics_test.mjs <donut binary> <repository>
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startDonut } from '../support/donut_up.mjs';

const [donut, repo] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'donut-metrics-'));
const promtool = (args, input) => execFileSync('promtool', args, { input, cwd: join(repo, 'deploy/prometheus') }).toString();
let shop;
let scrape = '';

const json = async (res) => ({ status: res.status, body: await res.json() });
const admin = () => ({ authorization: `Bearer ${shop.token}`, 'content-type': 'application/json' });

before(async () => {
  // The factory takes a second to manufacture, so the refused order below is placed while the
  // restock is still under way, however slow the build (ASan) answers the first one.
  shop = await startDonut(donut, dir, ['--factory-delay-ms', '1000', '--retry-base-ms', '50',
    '--retry-cap-ms', '100', '--max-receive-count', '2']);
  const put = (id, stock) => fetch(`${shop.url}/admin/products/${id}`, { method: 'PUT', headers: admin(),
    body: JSON.stringify({ name: id, price_cents: 100, stock, restock_quantity: 5 }) });
  assert.equal((await put('M-1', 2)).status, 200);
  const order = (id, quantity) => fetch(`${shop.url}/v1/orders`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ product_id: id, quantity }) });
  assert.equal((await order('M-1', 2)).status, 201);
  assert.equal((await order('M-1', 1)).status, 409);
  await eventually('M-1 restocked', async () => (await json(await fetch(`${shop.url}/v1/products/M-1`))).body.stock === 5);
  // A failing factory: the next restock ends in the dead-letter queue.
  const knobs = await fetch(`${shop.factory}/admin/config`, { method: 'PUT',
    headers: { ...admin(), 'content-type': 'application/json' }, body: JSON.stringify({ failure_rate: 1 }) });
  assert.equal(knobs.status, 200);
  assert.equal((await put('M-2', 1)).status, 200);
  assert.equal((await order('M-2', 1)).status, 201);
  await eventually('a dead letter', async () => {
    const q = await json(await fetch(`${shop.url}/admin/queues/factory-requests-dlq`, { headers: admin() }));
    return q.body.visible >= 1;
  });
  await eventually('the metrics to show it', async () => {
    scrape = await (await fetch(`${shop.url}/metrics`)).text();
    return /donut_queue_dead_letters\{queue="factory-requests"\} 1/.test(scrape);
  });
});

after(() => {
  shop?.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const value = (series) => {
  const line = scrape.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('promtool check metrics accepts /metrics', () => {
  promtool(['check', 'metrics'], scrape);  // throws on a problem (exit code 1)
});

test('the series an operator alerts on are there, with the story in them', () => {
  assert.equal(value('donut_stock_units{product="M-1"}'), 5);
  assert.equal(value('donut_orders_total{outcome="sold",product="M-1"}'), 1);
  assert.equal(value('donut_orders_total{outcome="out_of_stock",product="M-1"}'), 1);
  assert.equal(value('donut_restock_lead_time_seconds_count'), 1);
  assert.equal(value('donut_restock_lead_time_seconds_bucket{le="+Inf"}'), 1);
  assert.ok(value('donut_factory_calls_total{outcome="accepted"}') >= 1);
  assert.ok(value('donut_factory_calls_total{outcome="unavailable"}') >= 2, 'failures by kind');
  assert.ok(value('donut_factory_call_duration_seconds_count{outcome="accepted"}') >= 1);
  assert.equal(value('donut_arrivals_total{result="applied"}'), 1);
  assert.equal(value('donut_queue_dead_letters{queue="factory-requests"}'), 1);
  assert.notEqual(value('donut_queue_messages{queue="stock-arrivals",state="visible"}'), undefined);
  assert.notEqual(value('donut_outbox_pending'), undefined);
  assert.notEqual(value('donut_outbox_oldest_age_seconds'), undefined);
  assert.ok(value('donut_order_batch_size_count') >= 3);
  assert.equal(value('donut_restocks_in_flight{product="M-2",state="open"}'), 1);
  assert.equal(value('donut_arrivals_held_total{product="M-1"}'), 0, 'every delivery answered a restock');
  assert.equal(value('donut_arrivals_held_waiting{product="M-1"}'), 0);
  assert.equal(value('donut_warehouse_up'), 1);
  assert.equal(value('donut_broker_up'), 1);
  // The replenishment policy per product: M-1 restocks at zero (the default of a new product),
  // the built-in Chocolate Glazed at its reorder point; M-1's refusal is a sale lost, and its
  // restock taught it a lead time of about the factory's second.
  assert.equal(value('donut_replenishment_policy{product="M-1",policy="at_zero"}'), 1);
  assert.equal(value('donut_replenishment_policy{product="CP-502101",policy="reorder_point"}'), 1);
  assert.equal(value('donut_lost_sales_total{product="M-1"}'), 1);
  assert.equal(value('donut_reorder_point_units{product="M-1"}'), 0);
  assert.equal(value('donut_order_quantity_units{product="M-1"}'), 5);
  assert.ok(value('donut_lead_time_estimate_seconds{product="M-1"}') >= 1);
  assert.ok(value('donut_lead_time_estimate_seconds{product="M-1"}') < 10, 'learned, not the prior');
  assert.ok(value('donut_demand_rate{product="M-1"}') >= 0);
});

test('no HTTP series is created before it has something to count', () => {
  const zeros = scrape.split('\n').filter((l) => /^donut_http_requests_total\{.*\} 0$/.test(l));
  assert.deepEqual(zeros, []);
  const lines = scrape.split('\n').filter((l) => l && !l.startsWith('#')).length;
  console.log(`# /metrics after the story: ${lines} samples`);
});

// Every donut_* metric name an expression reads, without histogram suffixes.
const names = (text) => [...new Set([...text.matchAll(/\b(donut_[a-z_]+)/g)].map((m) => m[1]))];
const known = (name) => {
  const exists = (n) => scrape.includes(`# TYPE ${n} `) || scrape.includes(`\n${n}{`) || scrape.includes(`\n${n} `);
  return exists(name) || exists(name.replace(/_(bucket|sum|count)$/, ''));
};

test('the alert rules pass promtool check and their unit tests, over series that exist', () => {
  promtool(['check', 'config', 'prometheus.yml']);
  promtool(['check', 'rules', 'alerts.yml']);
  promtool(['test', 'rules', 'alerts_test.yml']);
  const missing = names(readFileSync(join(repo, 'deploy/prometheus/alerts.yml'), 'utf8')).filter((n) => !known(n));
  assert.deepEqual(missing, [], 'every metric the rules read is served');
});

test('every dashboard query is valid PromQL over series that exist', () => {
  const dashboard = JSON.parse(readFileSync(join(repo, 'deploy/grafana/donut-states.json'), 'utf8'));
  assert.equal(dashboard.uid, 'donut-states');
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
  assert.ok(exprs.length >= 15);
  const rules = `groups:\n  - name: dashboard\n    rules:\n${exprs.map((e, i) =>
    `      - record: dashboard:panel_${i}\n        expr: ${JSON.stringify(e)}\n`).join('')}`;
  const file = join(dir, 'dashboard-rules.yml');
  writeFileSync(file, rules);
  execFileSync('promtool', ['check', 'rules', file]);
  const missing = names(exprs.join('\n')).filter((n) => !known(n));
  assert.deepEqual(missing, []);
});
