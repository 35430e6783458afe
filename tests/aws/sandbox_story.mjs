// The seed's story through the packaged Lambda zips, each in an al2023-shaped root
// (tools/lambda-sandbox/run), with everything AWS does between them played from the deploy/aws
// files themselves (tools/lambda-sandbox/deployment.mjs) and checked as AWS checks it: every
// call a function makes goes through a gate that recomputes its SigV4 signature (this process
// runs in a zone far from UTC; the functions in UTC, as Lambda does), evaluates the IAM policies
// Terraform attaches to that function's role and the key policies of encrypted topics and
// secrets, and keeps SES's sandbox rules; each function runs as many environments as its
// concurrency allows on an account at its starting quota (10), throttled beyond; API Gateway
// throttles as the stage says. A value the sandbox cannot take from Terraform fails the run.
//
// The story: the apply's migrate invocation has given each database function its own MySQL user
// (the sales user's grants checked); a customer buys through API Gateway until 409; the
// stock-out goes SNS -> SQS -> restock -> factory (the request signed) -> signed callback over
// HTTPS -> arrivals_intake -> SQS -> arrivals, and the stock is back; the notifier mails through
// SES; the sales user's database password rotates under the warm function; a failing factory fills the dead-letter queue and the admin function's redrive
// completes it. Nothing AWS would refuse was asked. Then each function's cold start is measured
// (`--cold-starts N`, median; `--cold-starts-only` measures them without the story, as
// bench/limits.sh does).
//
// With --deploy-dir, another copy of the Terraform is played (tests/aws/sandbox_strict.mjs
// removes a permission from one and expects the story to stop at the step that needs it, naming
// it: a step fails as soon as AWS refused something, with what it refused).
//
//   node tests/aws/sandbox_story.mjs --donut <donut binary> --lambda-dir <folder of the zips>
//        [--cold-starts N] [--cold-starts-only] [--deploy-dir <deploy/aws copy>] [--keep]
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { FunctionEnvironment } from '../../tools/lambda-sandbox/runtime.mjs';
import { startSandbox } from '../../tools/lambda-sandbox/deployment.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: options } = parseArgs({ options: {
  donut: { type: 'string' }, 'lambda-dir': { type: 'string' }, 'cold-starts': { type: 'string', default: '20' },
  'cold-starts-only': { type: 'boolean', default: false },
  'deploy-dir': { type: 'string' }, keep: { type: 'boolean', default: false } } });
if (!options.donut || !options['lambda-dir']) {
  console.error('usage: sandbox_story.mjs --donut <binary> --lambda-dir <dir> [--cold-starts N] [--deploy-dir <dir>]');
  process.exit(2);
}
const work = mkdtempSync('/tmp/donut-sandbox-story.');
const storyStarted = performance.now();
const log = (text) => console.log(`[${((performance.now() - storyStarted) / 1000).toFixed(1).padStart(6)} s] ${text}`);
let sandbox;

// Waits for `probe` to be truthy; fails at once, naming it, when AWS refused something meanwhile.
async function step(what, probe, ms = 60000) {
  const until = Date.now() + ms;
  for (;;) {
    const refused = sandbox.refusals();
    if (refused.length) throw new Error(`${what}: AWS refused\n  ${refused.join('\n  ')}`);
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// The apply's migrate invocation gave each database function its role's own MySQL user, never
// the master; and the public sales user can sell but not drop a table, delete an order, read the
// arrivals nor create a user (its grants, on this MariaDB).
function databaseUsers() {
  assert.deepEqual(sandbox.appliedInvocations.map((i) => i.function), ['migrate'], 'the apply invoked migrate');
  for (const [fn, spec] of Object.entries(sandbox.specs)) {
    const env = spec.environment;
    if (fn !== 'migrate') assert.equal(env.DONUT_DATABASE_MASTER_SECRET, undefined, `${fn} holds no master secret`);
    if (env.DONUT_DATABASE_SECRET) {
      assert.notEqual(env.DONUT_DATABASE_SECRET, sandbox.dbSecretArn, `${fn} connects as its own user`);
      assert.equal(sandbox.databaseUser(fn).username, `donut_${fn}`);
    }
  }
  const salesUser = sandbox.databaseUser('sales');
  const asSales = (sql) => spawnSync('mariadb', ['--no-defaults', '-h127.0.0.1', `-P${sandbox.ports.mariadb}`,
    `-u${salesUser.username}`, '--ssl', sandbox.dbName, '-e', sql], { env: { ...process.env, MYSQL_PWD: salesUser.password } });
  const selected = asSales('SELECT id FROM products');
  assert.equal(selected.status, 0, selected.stderr.toString());
  for (const sql of ['DROP TABLE orders', 'DELETE FROM orders', 'SELECT * FROM arrivals', 'CREATE USER x']) {
    const refused = asSales(sql);
    assert.notEqual(refused.status, 0, `the sales user was allowed: ${sql}`);
    assert.match(refused.stderr.toString(), /denied/, sql);
  }
  log('database users: each function its own, the sales user cannot DROP TABLE or read arrivals');
}

async function story() {
  const { request } = sandbox;
  const req = request.bind(sandbox);
  const admin = sandbox.adminHeaders;
  databaseUsers();
  const product = async (id) => (await req('GET', `/v1/products/${id}`)).json;
  const order = (id, quantity) => req('POST', '/v1/orders', {
    body: { product_id: id, quantity }, headers: { 'idempotency-key': randomBytes(8).toString('hex') } });

  const listed = await req('GET', '/v1/products');
  assert.equal(listed.status, 200, listed.text);
  // The storefront and the console's page come from the sales function too.
  for (const path of ['/', '/ops', '/assets/ops.js']) {
    const page = await req('GET', path);
    assert.equal(page.status, 200, `${path}: ${page.text.slice(0, 200)}`);
    assert.match(page.headers['content-security-policy'] ?? '', /script-src 'self'/, path);
  }
  const refusedAdmin = await req('PUT', '/admin/products/SBX-1', {
    body: { name: 'Sandbox Glazed', price_cents: 250, stock: 2, restock_quantity: 12 } });
  assert.equal(refusedAdmin.status, 401, refusedAdmin.text);
  assert.equal(refusedAdmin.json.error.code, 'unauthorized');
  for (const [id, stock] of [['SBX-1', 2], ['SBX-2', 1]]) {
    const put = await req('PUT', `/admin/products/${id}`, { headers: admin,
      body: { name: `Sandbox ${id}`, price_cents: 250, stock, restock_quantity: 12 } });
    assert.equal(put.status, 200, put.text);
  }
  log('catalogue set through API Gateway -> admin (bearer token from Secrets Manager)');

  const sold = await order('SBX-1', 2);
  assert.equal(sold.status, 201, sold.text);
  const refused = await order('SBX-1', 1);
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.json.error.code, 'out_of_stock');
  log('sold out: 201 then 409 through API Gateway -> sales');
  await step('SBX-1 restocked', async () => (await product('SBX-1')).stock === 12, 90000);
  log('restocked: SNS -> SQS -> restock -> factory -> HTTPS callback -> arrivals_intake -> SQS -> arrivals');
  // The sales function published the stock-out after answering; the workers' events (restock
  // requested, arrived) wait in the outbox for the relay's schedule (checked at the end).
  await step('the stock-out e-mail', async () => (await sandbox.mails()).some((x) => x.includes('SBX-1 is out of stock')));
  log('mailed through SNS -> SQS -> notifier -> SES: SBX-1 is out of stock');

  // The sales user's password rotates under the warm function.
  const salesSecretArn = sandbox.databaseUser('sales').arn;
  const readsBefore = sandbox.secretsManager.reads.get(salesSecretArn) ?? 0;
  const salesColdStarts = sandbox.functions.sales.coldStarts.length;
  sandbox.rotateDatabasePassword('sales');
  const afterRotation = await order('SBX-1', 1);
  assert.equal(afterRotation.status, 201, afterRotation.text);
  assert.equal(sandbox.functions.sales.coldStarts.length, salesColdStarts, 'the same warm sales environment answered');
  assert.ok((sandbox.secretsManager.reads.get(salesSecretArn) ?? 0) > readsBefore, 'the secret was read again');
  log('database password rotated: the warm sales function read the secret again and sold');

  // A failing factory: the request goes to the dead-letter queue; the operator redrives it.
  assert.equal((await sandbox.setFactory({ failure_rate: 1 })).status, 200);
  assert.equal((await order('SBX-2', 1)).status, 201);
  const deadLetters = await step('the request in the dead-letter queue', async () => {
    const stats = await req('GET', '/admin/queues/factory-requests-dlq', { headers: admin });
    return stats.status === 200 && stats.json.visible >= 1 && stats.json;
  }, 120000);
  log(`failing factory: the request is in ${deadLetters.queue} after ${sandbox.tf.variables.max_receive_count} deliveries`);
  const peeked = await req('GET', '/admin/queues/factory-requests/messages', { headers: admin });
  assert.equal(peeked.status, 400, 'a work queue is not looked at on SQS (a look is a counted receive)');
  assert.equal((await req('POST', '/admin/queues/factory-requests-dlq/redrive')).status, 401);
  assert.equal((await sandbox.setFactory({ failure_rate: 0 })).status, 200);
  const redriven = await req('POST', '/admin/queues/factory-requests-dlq/redrive', { headers: admin });
  assert.equal(redriven.status, 200, redriven.text);
  assert.ok(redriven.json.moved >= 1, redriven.text);
  await step('SBX-2 restocked after the redrive', async () => (await product('SBX-2')).stock === 12, 90000);
  log('redrive through API Gateway -> admin: the request went back, the stock came');

  // The scheduled relay: what the workers committed is published (or was already).
  const relayed = await sandbox.runRelay();
  assert.ok(relayed.ok, relayed.body);
  assert.ok(Number.isInteger(JSON.parse(relayed.body).published), relayed.body);
  const subjects = await step('the relayed events\' e-mails', async () => {
    const s = await sandbox.mails();
    return s.some((x) => x.includes('12 x SBX-1 arrived')) && s.some((x) => x.includes('12 x SBX-2 arrived')) && s;
  });
  assert.ok(subjects.some((x) => x.includes('restock of SBX-1 requested')), subjects.join('; '));
  log(`relay -> SNS -> notifier -> SES: ${subjects.length} e-mails in all`);
  for (const queue of sandbox.queues.filter((q) => q.resource === 'dead_letter')) {
    assert.equal(await sandbox.queueDepth(queue.name), 0, `${queue.name} is empty`);
  }
  for (const [name, f] of Object.entries(sandbox.functions)) {
    assert.deepEqual(f.initErrors, [], `${name} init`);
    assert.equal(f.stats.throttled, 0, `${name} was never throttled`);
    assert.equal(f.stats.timedOut, 0, `${name} never ran past its timeout`);
  }
  assert.deepEqual(sandbox.refusals(), [], 'nothing AWS would refuse');
}

async function coldStarts(runs) {
  const { adminHeaders: admin } = sandbox;
  const http = (method, path, headers = {}, body) => ({ version: '2.0', routeKey: `${method} ${path}`, rawPath: path,
    rawQueryString: '', headers, requestContext: { http: { method, path, sourceIp: '203.0.113.7' }, stage: '$default' },
    isBase64Encoded: false, ...(body ? { body } : {}) });
  const events = {
    sales: http('GET', '/v1/products/SBX-1'),
    admin: http('GET', '/admin/queues/factory-requests', admin),
    arrivals_intake: http('POST', '/v1/stock-arrivals', { 'content-type': 'application/json',
      'x-factory-timestamp': String(Math.floor(Date.now() / 1000)), 'x-factory-signature': '00' },
    '{"MessageAttributeProductId":"SBX-1","MessageAttributeProductQuantity":1}'),
    restock: { Records: [] }, arrivals: { Records: [] }, notifier: { Records: [] },
    relay: { 'detail-type': 'Scheduled Event', source: 'aws.events' },
    migrate: { action: 'migrate' },
  };
  console.log(`\ncold starts in the sandbox, median of ${runs}: setup (unzip, mounts; not part of Lambda's ` +
    'init), init (exec -> first Runtime API `next`), first answer (exec -> first response); peak RSS; zip size');
  for (const [name, spec] of Object.entries(sandbox.specs)) {
    await sandbox.functions[name].stop();
    const rss = [];
    const starts = [];
    for (let i = 0; i < runs; i++) {
      const env = new FunctionEnvironment(spec);
      const answer = await env.invoke(events[name]);
      assert.ok(answer.ok, `${name}: ${answer.body}`);
      rss.push(env.peakRssKib());
      starts.push(env.coldStarts[0]);
      await env.stop();
    }
    const zipKib = statSync(spec.zip).size / 1024;
    const ms = (field) => median(starts.map((x) => x[field])).toFixed(0).padStart(5);
    console.log(`  ${name.padEnd(16)} setup ${ms('setupMs')} ms  init ${ms('initMs')} ms  first answer ` +
      `${ms('firstAnswerMs')} ms  peak RSS ${(Math.max(...rss) / 1024).toFixed(1).padStart(5)} MiB  ` +
      `zip ${(zipKib / 1024).toFixed(1)} MiB`);
  }
}

async function main() {
  sandbox = await startSandbox({ root, work, donut: options.donut, lambdaDir: resolve(options['lambda-dir']),
    deployDir: options['deploy-dir'] && resolve(options['deploy-dir']), log });
  log(`sandbox ready: ${Object.keys(sandbox.functions).length} functions, ${sandbox.routes.length} routes, ` +
    `${sandbox.mappings.length} queue mappings, ${sandbox.queues.length} queues, relay ${sandbox.scheduleExpression}; ` +
    `Lambda quota ${sandbox.options.lambdaQuota}, TZ=${process.env.TZ ?? '(unset)'}`);
  if (options['cold-starts-only']) {
    await coldStarts(Number(options['cold-starts']));
    return;
  }
  await story();
  const storyMs = performance.now() - storyStarted;
  log(`story done in ${(storyMs / 1000).toFixed(1)} s; schedule fired ${sandbox.schedule.fired} times; ` +
    `gateway answered ${JSON.stringify(sandbox.gateway.answered)}`);
  for (const m of sandbox.mappings) {
    console.log(`  mapping ${m.queue} -> ${m.function} (max concurrency ${m.maximumConcurrency}): ${JSON.stringify(m.stats)}`);
  }
  for (const [name, gate] of Object.entries(sandbox.gates)) console.log(`  gate ${name}: ${gate.forwarded} calls checked and passed`);
  for (const m of sandbox.mappings) await m.stop();
  sandbox.schedule.stop();
  const runs = Number(options['cold-starts']);
  if (runs > 0) await coldStarts(runs);
  console.log(`\nsandbox story: passed; story wall time ${(storyMs / 1000).toFixed(1)} s`);
}

try {
  await main();
  await sandbox.stop();
  if (!options.keep) rmSync(work, { recursive: true, force: true });
} catch (e) {
  console.error(`\nsandbox story FAILED: ${e.stack ?? e}`);
  for (const [name, f] of Object.entries(sandbox?.functions ?? {})) {
    for (const error of f.initErrors) console.error(`${name}: init error ${error}`);
  }
  console.error(`logs in ${work} (kept)`);
  await sandbox?.stop();
  process.exit(1);
}
