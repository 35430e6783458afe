// The AWS deployment at its limits, in the sandbox (tools/lambda-sandbox/deployment.mjs: the
// packaged zips, deploy/aws played and checked as AWS checks it):
//
// 1. The flash crowd. `sales` may run 2 environments (reserved, as on an account with the
//    default quota: a small set, through Terraform's variables; the rule, not the size, is what
//    is tested). Its time per order invocation is measured with both environments busy; the
//    stage's throttling is derived from it (sales_invocation_ms); then `donut surge` sends three
//    times what sales can serve through API Gateway, and no answer is a 5xx: API Gateway turns
//    the excess away with 429, which surge retries with the same Idempotency-Key, and Lambda
//    never throttles (which API Gateway would answer 500). A control run with the stage's old
//    limits (1,000/s, burst 2,000) shows the 500s that rule prevents.
// 2. Deadlines. SNS answers publishes 4 s late: the customer whose order empties the shelf is
//    answered at once, and sales' publishing after the answer stops within its budget (the
//    relay publishes later). The factory answers after 11 s (more than the client's 10 s) and
//    the queue functions time out at 20 s: restock's two factory calls are cut to fit, no
//    invocation runs past its timeout, and the restock goes through once the factory is quick.
// 3. SES's sandbox rate. 50 products sell out at once; the notifier paces itself to the
//    account's send quota (GetAccount) across its environments: every e-mail (stock-out,
//    request, arrival) is sent and none is in the notifications dead-letter queue.
//
//   node tests/aws/sandbox_load.mjs --donut <donut binary> --lambda-dir <folder of the zips>
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { startSandbox } from '../../tools/lambda-sandbox/deployment.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: options } = parseArgs({ options: {
  donut: { type: 'string' }, 'lambda-dir': { type: 'string' }, keep: { type: 'boolean', default: false } } });
const started = performance.now();
const log = (text) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${text}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
let sandbox;
let work;

async function waitFor(what, probe, ms = 120000) {
  const until = Date.now() + ms;
  for (;;) {
    const refused = sandbox.refusals();
    if (refused.length) throw new Error(`${what}: AWS refused\n  ${refused.join('\n  ')}`);
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(500);
  }
}

async function boot(name, settings) {
  work = mkdtempSync(`/tmp/donut-sandbox-${name}.`);
  sandbox = await startSandbox({ root, work, donut: options.donut, lambdaDir: resolve(options['lambda-dir']), log, ...settings });
}

async function shutdown() {
  await sandbox?.stop();
  if (!options.keep && work) rmSync(work, { recursive: true, force: true });
  sandbox = null;
}

const put = (id, stock, restock) => sandbox.request('PUT', `/admin/products/${id}`, { headers: sandbox.adminHeaders,
  body: { name: `Sandbox ${id}`, price_cents: 250, stock, restock_quantity: restock } });
const order = (id, quantity = 1, key = randomBytes(8).toString('hex')) => sandbox.request('POST', '/v1/orders',
  { body: { product_id: id, quantity }, headers: { 'idempotency-key': key } });

function surge(args) {
  return new Promise((done) => {
    execFile(options.donut, ['surge', '--url', sandbox.gatewayUrl, '--admin-token', sandbox.variables.admin_token,
      '--chart', join(work, 'surge.svg'), ...args],
    { env: { ...process.env, DONUT_CA_BUNDLE: join(sandbox.caDir, 'ca.pem'), DONUT_LOG_LEVEL: 'warn' }, maxBuffer: 1 << 24 },
    (error, stdout, stderr) => done({ code: error?.code ?? 0, out: stdout + stderr }));
  });
}
const figure = (out, pattern) => Number(pattern.exec(out)?.[1] ?? NaN);

// --- 1. the flash crowd -----------------------------------------------------------------------
async function flashCrowd() {
  // An account with the default quota: the functions' concurrency is reserved.
  await boot('crowd', { lambdaQuota: 1000, variables: { capacity_profile: 'standard', db_instance_class: 'db.t4g.small',
    concurrency: { sales: 2, arrivals_intake: 1 } } });
  const sales = sandbox.functions.sales;
  assert.ok(sales.reserved >= 2, 'sales reserves its 2 environments, and room for its routes\' bursts');
  log(`sales: concurrency 2, ${sales.reserved} environments reserved (its routes' bursts together)`);
  // Time per order invocation with both environments busy (two clients, one each), as Lambda's
  // Duration counts it: until the environment is free again, publishing after a stock-out too.
  assert.equal((await put('LOAD-M', 15, 15)).status, 200);
  sandbox.gateway.setThrottling(null);  // measuring what the function does, not the gateway
  const from = sales.occupancy.length;
  const until = Date.now() + 8000;
  await Promise.all(Array.from({ length: 2 }, async () => {
    while (Date.now() < until) await order('LOAD-M');
  }));
  const measured = sales.occupancy.slice(from);
  const invocationMs = Math.ceil(percentile(measured, 0.99));
  const capacity = (2 * 1000) / invocationMs;
  log(`sales: ${measured.length} order invocations measured with 2 environments busy: median ` +
    `${percentile(measured, 0.5).toFixed(1)} ms, p99 ${invocationMs} ms; capacity 2 x 1000 / ${invocationMs} = ${capacity.toFixed(0)}/s`);

  // The control: the stage's old limits let the crowd through to a sales function that throttles.
  sandbox.gateway.setThrottling({ default: { rate: 1000, burst: 2000 }, routes: {} });
  const throttledBefore = sales.stats.throttled;
  const control = await surge(['--product', 'LOAD-C', '--initial-stock', '100000', '--restock', '0',
    '--connections', '32', '--start-rate', String(Math.ceil(3 * capacity)), '--peak-rate', String(Math.ceil(3 * capacity)),
    '--ramp-s', '0', '--hold-s', '3', '--settle-timeout-s', '5', '--tolerate-errors']);
  const control500 = figure(control.out, /500: (\d+)/);
  log(`control, the stage at 1,000/s: sales throttled ${sales.stats.throttled - throttledBefore} times, ` +
    `${control500} orders answered 500`);
  assert.ok(control500 > 0, `the old limits must show the 500s:\n${control.out}`);

  // The rule: the stage's throttling from the measured time, then three times the capacity.
  sandbox.updateStage({ sales_invocation_ms: invocationMs });
  const orders = sandbox.gateway.throttling.routes['POST /v1/orders'];
  log(`stage: POST /v1/orders ${orders.rate}/s, burst ${orders.burst}`);
  const answeredBefore = { ...sandbox.gateway.answered };
  const throttledAtStart = sales.stats.throttled;
  const peak = Math.ceil(3 * capacity);
  const run = await surge(['--product', 'LOAD-S', '--initial-stock', '40', '--restock', '40', '--connections', '32',
    '--start-rate', String(peak), '--peak-rate', String(peak), '--ramp-s', '0', '--hold-s', '10', '--settle-timeout-s', '60']);
  const delta = (status) => (sandbox.gateway.answered[status] ?? 0) - (answeredBefore[status] ?? 0);
  const result = { sold: figure(run.out, /sold \(201\)\s+(\d+)/), refused409: figure(run.out, /out of stock\s+(\d+)/),
    turnedAway429: figure(run.out, /turned away\s+(\d+)/), errors: figure(run.out, /errors\s+(\d+)/),
    gateway5xx: delta(500) + delta(502) + delta(503) + delta(504), lambdaThrottles: sales.stats.throttled - throttledAtStart };
  console.log(run.out);
  log(`surge at ${peak} orders/s (3 x ${capacity.toFixed(0)}/s) through API Gateway: sold ${result.sold}, ` +
    `409 ${result.refused409}, 429 ${result.turnedAway429} (retried), 5xx ${result.gateway5xx}; ` +
    `sales throttled by Lambda ${result.lambdaThrottles} times; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  assert.equal(run.code, 0, 'the surge\'s invariants hold and no order failed');
  assert.equal(result.gateway5xx, 0, 'no 5xx through API Gateway');
  assert.equal(result.lambdaThrottles, 0, 'API Gateway answered 429 before Lambda throttled');
  assert.ok(result.turnedAway429 > 0, 'the excess was turned away');
  assert.deepEqual(sandbox.refusals(), []);
  await shutdown();
}

// --- 2 and 3. deadlines and SES's rate --------------------------------------------------------
async function deadlinesAndMail() {
  // The queue functions time out at 20 s; SES sends 2 a second (the rule, not the size). The
  // account's Lambda quota was raised (on a quota of 10, the 7 functions share 10 environments,
  // and a crowd that keeps the queue consumers busy can find them all taken: docs/AWS.md).
  await boot('limits', { lambdaQuota: 1000, variables: { lambda_timeout_seconds: 20 },
    sesQuota: { maxSendRate: 2, max24HourSend: 200 } });

  // sales near its budget: SNS answers 4 s late (a warm sales environment first).
  assert.equal((await put('LATE-0', 5, 5)).status, 200);
  assert.equal((await order('LATE-0')).status, 201);
  assert.equal((await put('LATE-1', 1, 4)).status, 200);
  sandbox.gates.sns.slow.Publish = 4000;
  const t0 = performance.now();
  const emptied = await order('LATE-1');
  const answeredMs = performance.now() - t0;
  assert.equal(emptied.status, 201, emptied.text);
  assert.ok(answeredMs < 4000, `the order that emptied the shelf was answered in ${answeredMs.toFixed(0)} ms, not after SNS`);
  await waitFor('sales free again', async () => sandbox.functions.sales.active === 0, 10000);
  assert.equal(sandbox.functions.sales.stats.timedOut, 0);
  delete sandbox.gates.sns.slow.Publish;
  const relayed = await sandbox.runRelay();
  assert.ok(relayed.ok, relayed.body);
  await waitFor('LATE-1 restocked', async () => (await sandbox.request('GET', '/v1/products/LATE-1')).json?.stock === 4);
  log(`sales with SNS 4 s late: answered in ${answeredMs.toFixed(0)} ms; its publish gave up within its budget; the relay published`);

  // restock near its deadline: the factory answers after 11 s, the function times out at 20 s.
  assert.equal((await sandbox.setFactory({ response_delay_ms: 11000 })).status, 200);
  assert.equal((await put('SLOW-1', 1, 6)).status, 200);
  assert.equal((await order('SLOW-1')).status, 201);
  const restock = sandbox.functions.restock;
  await waitFor('a restock invocation near its deadline', async () => restock.durations.some((ms) => ms > 15000), 90000);
  assert.equal(restock.stats.timedOut, 0, 'no restock invocation ran past its timeout');
  const longest = Math.max(...restock.durations);
  assert.equal((await sandbox.setFactory({ response_delay_ms: 0 })).status, 200);
  await waitFor('SLOW-1 restocked', async () => (await sandbox.request('GET', '/v1/products/SLOW-1')).json?.stock === 6, 180000);
  assert.equal(restock.stats.timedOut, 0);
  log(`restock with the factory 11 s late and a 20 s timeout: longest invocation ${(longest / 1000).toFixed(1)} s, none timed out; restocked once the factory was quick`);

  // 50 stock-outs in a few seconds (two customers at a time, each order emptying a shelf and
  // publishing after its answer): every e-mail, none dead-lettered.
  const ids = Array.from({ length: 50 }, (_, i) => `MAIL-${i}`);
  for (const id of ids) assert.equal((await put(id, 1, 1)).status, 200);
  const soldOutAt = performance.now();
  const left = [...ids];
  await Promise.all([1, 2].map(async () => {
    for (let id = left.shift(); id; id = left.shift()) assert.equal((await order(id)).status, 201);
  }));
  log(`50 products sold out in ${((performance.now() - soldOutAt) / 1000).toFixed(1)} s`);
  const expected = (subjects) => ids.every((id) => subjects.some((s) => s.includes(`${id} is out of stock`))) &&
    ids.every((id) => subjects.some((s) => s.includes(`1 x ${id} arrived`)));
  const relay = setInterval(() => { sandbox.runRelay(); }, 5000);  // the schedule, sooner
  try {
    await waitFor('every e-mail of the 50 stock-outs', async () => expected(await sandbox.mails()), 300000);
  } finally {
    clearInterval(relay);
  }
  const dlq = sandbox.queues.find((q) => q.resource === 'dead_letter' && q.key === 'notifications');
  assert.equal(await sandbox.queueDepth(dlq.name), 0, 'no e-mail in the dead-letter queue');
  const sent = (await sandbox.mails()).filter((s) => /MAIL-/.test(s)).length;
  const throttled = sandbox.throttled();
  log(`50 stock-outs: ${sent} e-mails sent at SES's 2 a second, none dead-lettered; SES throttled ` +
    `${throttled} sends (each sent on a later turn)`);
  assert.ok(throttled <= sent / 10, `the notifier kept to the send rate: ${throttled} of ${sent} sends throttled`);
  assert.deepEqual(sandbox.refusals(), []);
  await shutdown();
}

try {
  await flashCrowd();
  await deadlinesAndMail();
  console.log(`\nsandbox load: passed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
} catch (e) {
  console.error(`\nsandbox load FAILED: ${e.stack ?? e}`);
  if (work) console.error(`logs in ${work} (kept)`);
  options.keep = true;
  await shutdown();
  process.exit(1);
}
