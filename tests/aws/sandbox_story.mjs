// The seed's story through the packaged Lambda zips, each in an al2023-shaped root
// (tools/lambda-sandbox/run), with everything AWS does between them played from the
// deploy/aws files themselves: the queues, dead-letter queues, redrive policies and topic
// subscriptions Terraform declares are created on the SNS/SQS emulator (fauxqs); the functions
// get the environment Terraform gives them; API Gateway's routes, the event source mappings'
// batch settings and the relay's schedule are read from the same files. Every AWS endpoint is
// reached over TLS (stunnel, a private CA installed only at the al2023 path), MySQL too (the test
// MariaDB offers TLS with a certificate from that CA; RDS's require_secure_transport is applied
// from the parameter group). A value the sandbox cannot take from Terraform fails the run.
//
// The story: a customer buys through API Gateway until 409; the stock-out goes SNS -> SQS ->
// restock -> factory -> signed callback over HTTPS -> arrivals_intake -> SQS -> arrivals, and
// the stock is back; the notifier mails through SES; the database password rotates under warm
// functions; a failing factory fills the dead-letter queue and the admin function's redrive
// completes it. Then each function's cold start is measured (`--cold-starts N`, median).
//
//   node tests/aws/sandbox_story.mjs --donut <donut binary> --lambda-dir <folder of the zips>
//        [--cold-starts N]
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { eventually } from '../support/donut_up.mjs';
import { parseDeployment } from '../../tools/terraform/parse.mjs';
import { Evaluator, rateMillis } from '../../tools/lambda-sandbox/terraform.mjs';
import { FunctionEnvironment } from '../../tools/lambda-sandbox/runtime.mjs';
import { HttpApiGateway } from '../../tools/lambda-sandbox/gateway.mjs';
import { queueAttributes, Schedule, SecretsManagerStandIn, SqsEventSource, sns, sqs }
  from '../../tools/lambda-sandbox/aws.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: options } = parseArgs({ options: {
  donut: { type: 'string' }, 'lambda-dir': { type: 'string' }, 'cold-starts': { type: 'string', default: '20' },
  keep: { type: 'boolean', default: false } } });
if (!options.donut || !options['lambda-dir']) {
  console.error('usage: sandbox_story.mjs --donut <binary> --lambda-dir <dir> [--cold-starts N]');
  process.exit(2);
}
const lambdaDir = resolve(options['lambda-dir']);
const work = mkdtempSync('/tmp/donut-sandbox-story.');
const cleanups = [];
const functions = {};  // by Terraform key: the execution environments
const storyStarted = performance.now();
const log = (text) => console.log(`[${((performance.now() - storyStarted) / 1000).toFixed(1).padStart(6)} s] ${text}`);

async function cleanup() {
  for (const f of cleanups.splice(0).reverse()) {
    try { await f(); } catch (e) { console.error(`cleanup: ${e.message}`); }
  }
  if (!options.keep) rmSync(work, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => cleanup().then(() => process.exit(1)));

const freePort = () => new Promise((done) => {
  const server = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => done(port));
  });
});
function testServer(engine, action, dir, port, env = {}) {
  execFileSync(join(root, 'scripts/test-server'), [engine, action, dir, ...(port ? [String(port)] : [])],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
}

function startProcess(name, command, args, env = {}) {
  const out = openSync(join(work, `${name}.log`), 'a');
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  cleanups.push(() => new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.on('exit', done);
    child.kill('SIGTERM');
  }));
  return child;
}

async function waitForPort(port, what) {
  await eventually(what, () => new Promise((done) => {
    const s = net.connect(port, '127.0.0.1', () => { s.end(); done(true); });
    s.on('error', () => done(false));
  }), 15000);
}

// HTTPS to API Gateway, trusting only the private CA (as a client of the real API trusts AWS's).
let ca;
function request(method, url, { body, headers = {} } = {}) {
  return new Promise((done, fail) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = https.request(url, { method, ca, headers: {
      ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        done({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', fail);
    if (payload) req.write(payload);
    req.end();
  });
}

function mariadb(socket, sql) {
  return execFileSync('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-N', '-e', sql]).toString();
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  // --- TLS: a private CA; every endpoint's certificate is from it -------------------------
  const caDir = join(work, 'ca');
  mkdirSync(caDir);
  execFileSync('sh', ['-c', [
    'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=donut-sandbox-ca -keyout ca.key -out ca.pem',
    'openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost -keyout server.key -out server.csr',
    "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.cnf",
    'openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.cnf -out server.pem',
  ].join(' && ')], { cwd: caDir, stdio: ['ignore', 'ignore', 'ignore'] });
  ca = readFileSync(join(caDir, 'ca.pem'));

  // --- servers: MariaDB with TLS, the SNS/SQS and SES emulators, Secrets Manager ----------
  const ports = { mariadb: await freePort(), fauxqs: await freePort(), ses: await freePort(),
    factory: await freePort(), awsTls: await freePort(), sesTls: await freePort(),
    secretsTls: await freePort(), gatewayTls: await freePort() };
  const servers = { mariadb: join(work, 'mariadb'), fauxqs: join(work, 'fauxqs'), ses: join(work, 'ses') };
  testServer('mariadb', 'start', servers.mariadb, ports.mariadb, { DONUT_MARIADB_TLS_DIR: caDir });
  cleanups.push(() => testServer('mariadb', 'stop', servers.mariadb));
  testServer('fauxqs', 'start', servers.fauxqs, ports.fauxqs);
  cleanups.push(() => testServer('fauxqs', 'stop', servers.fauxqs));
  testServer('ses', 'start', servers.ses, ports.ses);
  cleanups.push(() => testServer('ses', 'stop', servers.ses));
  const fauxqs = `http://127.0.0.1:${ports.fauxqs}`;

  // --- what Terraform would create, from deploy/aws -------------------------------------------
  const deployment = await parseDeployment(join(root, 'deploy/aws'), join(root, 'tools/node/node_modules'));
  const secretsManager = new SecretsManagerStandIn('us-east-1');
  await secretsManager.listen();
  cleanups.push(() => secretsManager.close());
  const variables = {
    artifacts_dir: lambdaDir,
    alarm_email: 'ops@donut-states.example',
    mail_sender: 'shop@donut-states.example',
    factory_url: `http://127.0.0.1:${ports.factory}`,
    callback_secret: randomBytes(16).toString('hex'),
    admin_token: randomBytes(16).toString('hex'),
  };
  const standIns = { aws_sns_topic: {}, aws_sqs_queue: { dead_letter: {}, work: {} }, aws_db_instance: {},
    aws_secretsmanager_secret: {}, aws_apigatewayv2_api: {}, aws_apigatewayv2_integration: { function: {} },
    aws_lambda_function: { function: {} }, aws_cloudwatch_event_rule: {} };
  const tf = new Evaluator(deployment, variables, standIns);
  const region = tf.variables.region;
  const account = '000000000000';

  const topic = deployment.one('aws_sns_topic', 'stock_events');
  const topicName = tf.value(topic.name);
  const topicArn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(await sns(fauxqs, 'CreateTopic', { Name: topicName }))[1];
  standIns.aws_sns_topic.stock_events = { arn: topicArn, id: topicArn, name: topicName };

  const queues = [];  // { resource, key, name, url, arn }
  for (const resource of ['dead_letter', 'work']) {  // dead-letter queues first: the others name them
    for (const { key, scope, body } of tf.instances('aws_sqs_queue', resource)) {
      const evaluated = Object.fromEntries(Object.keys(body).filter((k) => k !== 'for_each')
        .map((k) => [k, tf.value(body[k], scope)]));
      const attributes = queueAttributes(evaluated);
      const { QueueUrl } = await sqs(fauxqs, 'CreateQueue', { QueueName: evaluated.name, Attributes: attributes });
      const arn = `arn:aws:sqs:${region}:${account}:${evaluated.name}`;
      standIns.aws_sqs_queue[resource][key] = { url: QueueUrl, id: QueueUrl, arn, name: evaluated.name };
      queues.push({ resource, key, name: evaluated.name, url: QueueUrl, arn, attributes });
    }
  }
  for (const [name] of Object.entries(deployment.merged.resource.aws_sns_topic_subscription)) {
    for (const { scope, body } of tf.instances('aws_sns_topic_subscription', name)) {
      // The alarm path (CloudWatch -> alerts topic -> e-mail) is not played here: the sandbox
      // has no CloudWatch; tests/deploy checks that path's settings.
      if (tf.value(body.protocol, scope) !== 'sqs') continue;
      const params = { TopicArn: tf.value(body.topic_arn, scope), Protocol: 'sqs', Endpoint: tf.value(body.endpoint, scope) };
      let n = 0;
      const attribute = (k, v) => { n++; params[`Attributes.entry.${n}.key`] = k; params[`Attributes.entry.${n}.value`] = v; };
      if (body.raw_message_delivery !== undefined) attribute('RawMessageDelivery', String(tf.value(body.raw_message_delivery, scope)));
      if (body.filter_policy !== undefined) attribute('FilterPolicy', tf.value(body.filter_policy, scope));
      await sns(fauxqs, 'Subscribe', params);
    }
  }

  // The database: the master user and password RDS would create, in a secret RDS manages.
  const db = deployment.one('aws_db_instance', 'warehouse');
  const dbUser = tf.value(db.username), dbName = tf.value(db.db_name);
  const dbSecretArn = `arn:aws:secretsmanager:${region}:${account}:secret:rds!db-${randomBytes(4).toString('hex')}`;
  const dbPassword = randomBytes(12).toString('base64url');
  const socket = join(servers.mariadb, 'mysqld.sock');
  // As RDS makes its master user: everything on the database, with the right to grant it on,
  // and to create users.
  mariadb(socket, `FLUSH PRIVILEGES; CREATE USER '${dbUser}'@'%' IDENTIFIED BY '${dbPassword}';
    GRANT ALL ON \`${dbName}\`.* TO '${dbUser}'@'%' WITH GRANT OPTION;
    GRANT CREATE USER ON *.* TO '${dbUser}'@'%';`);
  const group = deployment.one('aws_db_parameter_group', 'warehouse');
  for (const p of [].concat(group.parameter)) mariadb(socket, `SET GLOBAL ${tf.value(p.name)} = ${Number(tf.value(p.value))}`);
  secretsManager.put(dbSecretArn, `rds!db-${dbName}`, JSON.stringify({ username: dbUser, password: dbPassword }));
  standIns.aws_db_instance.warehouse = { address: '127.0.0.1', db_name: dbName,
    master_user_secret: [{ secret_arn: dbSecretArn }] };
  for (const name of Object.keys(deployment.merged.resource.aws_secretsmanager_secret)) {
    for (const { key, scope, body } of tf.instances('aws_secretsmanager_secret', name)) {
      const secretName = tf.value(body.name, scope);
      const arn = `arn:aws:secretsmanager:${region}:${account}:secret:${secretName}-${randomBytes(3).toString('hex')}`;
      const standIn = { arn, id: arn, name: secretName };
      if (key === null) standIns.aws_secretsmanager_secret[name] = standIn;
      else (standIns.aws_secretsmanager_secret[name] ??= {})[key] = standIn;
      secretsManager.put(arn, secretName, undefined);  // no value until one is put
    }
  }
  for (const name of Object.keys(deployment.merged.resource.aws_secretsmanager_secret_version)) {
    const version = deployment.one('aws_secretsmanager_secret_version', name);
    const arn = tf.value(version.secret_id);
    secretsManager.put(arn, name, tf.value(version.secret_string));
  }

  // --- TLS in front of every endpoint the functions (and the factory) call ------------------
  const gatewayUrl = `https://127.0.0.1:${ports.gatewayTls}`;
  const api = deployment.one('aws_apigatewayv2_api', 'http');
  assert.equal(api.protocol_type, 'HTTP');
  standIns.aws_apigatewayv2_api.http = { api_endpoint: gatewayUrl, id: 'sandbox',
    execution_arn: `arn:aws:execute-api:${region}:${account}:sandbox` };
  const gateway = new HttpApiGateway([], { domainName: '127.0.0.1' });  // routes below
  await gateway.listen();
  cleanups.push(() => gateway.close());
  const tunnels = [['aws', ports.awsTls, ports.fauxqs], ['ses', ports.sesTls, ports.ses],
    ['secrets', ports.secretsTls, secretsManager.port], ['gateway', ports.gatewayTls, gateway.port]];
  writeFileSync(join(work, 'stunnel.conf'), ['foreground = yes', 'pid =',
    ...tunnels.flatMap(([name, accept, connect]) => [`[${name}]`, `accept = 127.0.0.1:${accept}`,
      `connect = 127.0.0.1:${connect}`, `cert = ${caDir}/server.pem`, `key = ${caDir}/server.key`])].join('\n') + '\n');
  startProcess('stunnel', 'stunnel4', [join(work, 'stunnel.conf')]);
  for (const [name, accept] of tunnels) await waitForPort(accept, `stunnel ${name}`);

  // The Legacy Factory (simulator): called over plain HTTP as var.factory_url says, it takes
  // only requests the restock function signed with the shared secret, and calls back only API
  // Gateway's callback URL, over HTTPS, trusting the private CA. Its secrets come from the
  // environment, never the command line.
  startProcess('factory', options.donut, ['factory', '--factory-port', String(ports.factory),
    '--factory-callback-url', `${gatewayUrl}/v1/stock-arrivals`, '--factory-delay-ms', '300',
    '--data-dir', join(work, 'factory')], { DONUT_CA_BUNDLE: join(caDir, 'ca.pem'), DONUT_LOG_LEVEL: 'warn',
    DONUT_CALLBACK_SECRET: variables.callback_secret, DONUT_ADMIN_TOKEN: variables.admin_token });
  await waitForPort(ports.factory, 'the factory simulator');
  const factory = `http://127.0.0.1:${ports.factory}`;

  // --- the functions, as aws_lambda_function declares them ---------------------------------
  const sandboxEnvironment = {  // what the sandbox adds: where its stand-ins are
    AWS_ENDPOINT_URL_SQS: `https://127.0.0.1:${ports.awsTls}`,
    AWS_ENDPOINT_URL_SNS: `https://127.0.0.1:${ports.awsTls}`,
    AWS_ENDPOINT_URL_SESV2: `https://127.0.0.1:${ports.sesTls}`,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `https://127.0.0.1:${ports.secretsTls}`,
    DONUT_DATABASE_PORT: String(ports.mariadb),
    // The test server's certificate is from the private CA, not RDS's (whose bundle the zip
    // carries and uses by default).
    DONUT_DATABASE_CA: '/etc/pki/tls/certs/ca-bundle.crt',
  };
  const credentials = { accessKeyId: 'ASIASANDBOXEXAMPLE', secretAccessKey: randomBytes(20).toString('base64'),
    sessionToken: randomBytes(32).toString('base64') };
  const functionSpecs = {};
  for (const { key, scope, body } of tf.instances('aws_lambda_function', 'function')) {
    assert.equal(tf.value(body.runtime, scope), 'provided.al2023', `${key}: runtime`);
    assert.equal(tf.value(body.handler, scope), 'bootstrap', `${key}: handler`);
    assert.deepEqual(tf.value(body.architectures, scope), ['x86_64'], `${key}: architecture of this build`);
    const name = tf.value(body.function_name, scope);
    const variablesOf = tf.value(body.environment[0].variables, scope);
    const spec = {
      runScript: join(root, 'tools/lambda-sandbox/run'),
      zip: tf.value(body.filename, scope),
      caBundle: join(caDir, 'ca.pem'),
      environment: { ...Object.fromEntries(Object.entries(variablesOf).map(([k, v]) => [k, String(v)])), ...sandboxEnvironment },
      lambda: { functionName: name, memoryMb: tf.value(body.memory_size, scope),
        timeoutMs: tf.value(body.timeout, scope) * 1000, region, credentials },
      logFile: join(work, `${key}.log`),
    };
    statSync(spec.zip);  // the zip Terraform would upload exists
    functionSpecs[key] = spec;
    functions[key] = new FunctionEnvironment(spec);
    cleanups.push(() => functions[key].stop());
    const arn = `arn:aws:lambda:${region}:${account}:function:${name}`;
    standIns.aws_lambda_function.function[key] = { arn, function_name: name,
      invoke_arn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations` };
  }
  const functionByArn = (arn) => {
    const found = Object.entries(standIns.aws_lambda_function.function).find(([, f]) => f.arn === arn || f.invoke_arn === arn);
    assert.ok(found, `no function ${arn}`);
    return found[0];
  };

  // API Gateway: integrations and routes.
  for (const { key, scope, body } of tf.instances('aws_apigatewayv2_integration', 'function')) {
    assert.equal(tf.value(body.integration_type, scope), 'AWS_PROXY');
    assert.equal(tf.value(body.payload_format_version, scope), '2.0');
    standIns.aws_apigatewayv2_integration.function[key] = { id: `integration-${key}`,
      function: functionByArn(tf.value(body.integration_uri, scope)) };
  }
  const routes = [];
  for (const { scope, body } of tf.instances('aws_apigatewayv2_route', 'route')) {
    const target = /^integrations\/integration-(.+)$/.exec(tf.value(body.target, scope));
    assert.ok(target, `route ${scope.each.key}: target`);
    const fn = standIns.aws_apigatewayv2_integration.function[target[1]].function;
    routes.push({ routeKey: tf.value(body.route_key, scope), invoke: (event) => functions[fn].invoke(event) });
  }
  gateway.setRoutes(routes);

  // SQS event source mappings.
  const mappings = [];
  for (const { key, scope, body } of tf.instances('aws_lambda_event_source_mapping', 'queue')) {
    const queue = queues.find((q) => q.arn === tf.value(body.event_source_arn, scope));
    assert.ok(queue, `mapping ${key}: its queue`);
    const fn = functionByArn(tf.value(body.function_name, scope));
    const mapping = new SqsEventSource({
      endpoint: fauxqs, queueUrl: queue.url, queueArn: queue.arn, region,
      batchSize: tf.value(body.batch_size, scope),
      windowMs: tf.value(body.maximum_batching_window_in_seconds ?? 0, scope) * 1000,
      reportBatchItemFailures: (tf.value(body.function_response_types ?? [], scope)).includes('ReportBatchItemFailures'),
      invoke: (event) => functions[fn].invoke(event),
    });
    mapping.function = fn;
    mapping.queue = queue.name;
    mapping.maximumConcurrency = tf.value(body.scaling_config?.[0]?.maximum_concurrency ?? 1000, scope);
    mappings.push(mapping);
    mapping.start();
    cleanups.push(() => mapping.stop());
  }
  // The relay's schedule.
  const rule = deployment.one('aws_cloudwatch_event_rule', 'relay');
  standIns.aws_cloudwatch_event_rule.relay = { name: tf.value(rule.name) };
  const ruleTarget = deployment.one('aws_cloudwatch_event_target', 'relay');
  assert.equal(tf.value(ruleTarget.rule), standIns.aws_cloudwatch_event_rule.relay.name);
  const relayFunction = functionByArn(tf.value(ruleTarget.arn));
  const schedule = new Schedule({ intervalMs: rateMillis(tf.value(rule.schedule_expression)), region,
    invoke: (event) => functions[relayFunction].invoke(event) });
  cleanups.push(() => schedule.stop());
  log(`sandbox ready: ${Object.keys(functions).length} functions, ${routes.length} routes, ` +
    `${mappings.length} queue mappings, ${queues.length} queues, relay ${tf.value(rule.schedule_expression)}`);

  // --- the apply's one invocation: migrations and the roles' database users ------------------
  for (const { scope, body } of tf.instances('aws_lambda_invocation', 'migrate')) {
    const fn = Object.entries(standIns.aws_lambda_function.function)
      .find(([, f]) => f.function_name === tf.value(body.function_name, scope))[0];
    const answer = await functions[fn].invoke(JSON.parse(tf.value(body.input, scope)));
    assert.ok(answer.ok, `${fn}: ${answer.body}`);
    log(`apply: ${fn} -> ${answer.body}`);
  }
  // Each database function holds its role's own user, never the master; and the public sales
  // user can sell but not drop a table nor read the arrivals (its grants, on this MariaDB).
  for (const [fn, spec] of Object.entries(functionSpecs)) {
    const env = spec.environment;
    if (fn !== 'migrate') assert.equal(env.DONUT_DATABASE_MASTER_SECRET, undefined, `${fn} holds no master secret`);
    if (env.DONUT_DATABASE_SECRET) {
      assert.notEqual(env.DONUT_DATABASE_SECRET, dbSecretArn, `${fn} connects as its own user`);
      assert.equal(JSON.parse(secretsManager.value(env.DONUT_DATABASE_SECRET)).username, `donut_${fn}`);
    }
  }
  const salesUser = JSON.parse(secretsManager.value(functionSpecs.sales.environment.DONUT_DATABASE_SECRET));
  const asSales = (sql) => spawnSync('mariadb', ['--no-defaults', '-h127.0.0.1', `-P${ports.mariadb}`,
    `-u${salesUser.username}`, '--ssl', dbName, '-e', sql], { env: { ...process.env, MYSQL_PWD: salesUser.password } });
  assert.equal(asSales('SELECT id FROM products').status, 0, asSales('SELECT id FROM products').stderr.toString());
  for (const sql of ['DROP TABLE orders', 'DELETE FROM orders', 'SELECT * FROM arrivals', 'CREATE USER x']) {
    const refused = asSales(sql);
    assert.notEqual(refused.status, 0, `the sales user was allowed: ${sql}`);
    assert.match(refused.stderr.toString(), /denied/, sql);
  }
  log('database users: each function its own, the sales user cannot DROP TABLE or read arrivals');

  // --- the story --------------------------------------------------------------------------
  const admin = { authorization: `Bearer ${variables.admin_token}` };
  const product = async (id) => (await request('GET', `${gatewayUrl}/v1/products/${id}`)).json;
  const order = (id, quantity) => request('POST', `${gatewayUrl}/v1/orders`, {
    body: { product_id: id, quantity }, headers: { 'idempotency-key': randomBytes(8).toString('hex') } });

  const listed = await request('GET', `${gatewayUrl}/v1/products`);
  assert.equal(listed.status, 200, listed.text);
  // The storefront and the console's page come from the sales function too.
  for (const path of ['/', '/ops', '/assets/ops.js']) {
    const page = await request('GET', `${gatewayUrl}${path}`);
    assert.equal(page.status, 200, `${path}: ${page.text.slice(0, 200)}`);
    assert.match(page.headers['content-security-policy'] ?? '', /script-src 'self'/, path);
  }
  const refusedAdmin = await request('PUT', `${gatewayUrl}/admin/products/SBX-1`, {
    body: { name: 'Sandbox Glazed', price_cents: 250, stock: 2, restock_quantity: 12 } });
  assert.equal(refusedAdmin.status, 401, refusedAdmin.text);
  assert.equal(refusedAdmin.json.error.code, 'unauthorized');
  for (const [id, stock] of [['SBX-1', 2], ['SBX-2', 1]]) {
    const put = await request('PUT', `${gatewayUrl}/admin/products/${id}`, { headers: admin,
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
  await eventually('SBX-1 restocked', async () => (await product('SBX-1')).stock === 12, 90000);
  log('restocked: SNS -> SQS -> restock -> factory -> HTTPS callback -> arrivals_intake -> SQS -> arrivals');
  const mails = async () => {
    const res = await fetch(`http://127.0.0.1:${ports.ses}/store`);
    return (await res.json()).emails.filter((e) => e.destination.to.includes(variables.alarm_email)).map((e) => e.subject);
  };
  // The sales function published the stock-out at once; the workers' events (restock
  // requested, arrived) wait in the outbox for the relay's schedule (checked at the end).
  await eventually('the stock-out e-mail',
    async () => (await mails()).some((x) => x.includes('SBX-1 is out of stock')), 60000);
  log('mailed through SNS -> SQS -> notifier -> SES: SBX-1 is out of stock');

  // The sales user's password rotates under the warm function.
  const salesSecretArn = functionSpecs.sales.environment.DONUT_DATABASE_SECRET;
  const readsBefore = secretsManager.reads.get(salesSecretArn) ?? 0;
  const salesColdStarts = functions.sales.coldStarts.length;
  const rotated = randomBytes(16).toString('hex');
  mariadb(socket, `ALTER USER '${salesUser.username}'@'%' IDENTIFIED BY '${rotated}'; KILL CONNECTION USER '${salesUser.username}'`);
  secretsManager.put(salesSecretArn, 'database-sales', JSON.stringify({ username: salesUser.username, password: rotated }));
  const afterRotation = await order('SBX-1', 1);
  assert.equal(afterRotation.status, 201, afterRotation.text);
  assert.equal(functions.sales.coldStarts.length, salesColdStarts, 'the same warm sales environment answered');
  assert.ok((secretsManager.reads.get(salesSecretArn) ?? 0) > readsBefore, 'the secret was read again');
  log('database password rotated: the warm sales function read the secret again and sold');

  // A failing factory: the request goes to the dead-letter queue; the operator redrives it.
  const setFactory = (config) => fetch(`${factory}/admin/config`, { method: 'PUT',
    headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify(config) });
  assert.equal((await setFactory({ failure_rate: 1 })).status, 200);
  assert.equal((await order('SBX-2', 1)).status, 201);
  const deadLetters = await eventually('the request in the dead-letter queue', async () => {
    const stats = await request('GET', `${gatewayUrl}/admin/queues/factory-requests-dlq`, { headers: admin });
    return stats.status === 200 && stats.json.visible >= 1 && stats.json;
  }, 120000);
  log(`failing factory: the request is in ${deadLetters.queue} after ${tf.variables.max_receive_count} deliveries`);
  assert.equal((await request('POST', `${gatewayUrl}/admin/queues/factory-requests-dlq/redrive`)).status, 401);
  assert.equal((await setFactory({ failure_rate: 0 })).status, 200);
  const redriven = await request('POST', `${gatewayUrl}/admin/queues/factory-requests-dlq/redrive`, { headers: admin });
  assert.equal(redriven.status, 200, redriven.text);
  assert.ok(redriven.json.moved >= 1, redriven.text);
  await eventually('SBX-2 restocked after the redrive', async () => (await product('SBX-2')).stock === 12, 90000);
  log('redrive through API Gateway -> admin: the request went back, the stock came');

  // The scheduled relay: what the workers committed is published (or was already).
  const relayed = await functions[relayFunction].invoke({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
  assert.ok(relayed.ok, relayed.body);
  assert.ok(Number.isInteger(JSON.parse(relayed.body).published), relayed.body);
  const subjects = await eventually('the relayed events\' e-mails', async () => {
    const s = await mails();
    return s.some((x) => x.includes('12 x SBX-1 arrived')) && s.some((x) => x.includes('12 x SBX-2 arrived')) && s;
  }, 60000);
  assert.ok(subjects.some((x) => x.includes('restock of SBX-1 requested')), subjects.join('; '));
  log(`relay -> SNS -> notifier -> SES: ${subjects.length} e-mails in all`);
  for (const queue of queues.filter((q) => q.resource === 'dead_letter')) {
    const { Attributes } = await sqs(fauxqs, 'GetQueueAttributes', { QueueUrl: queue.url,
      AttributeNames: ['ApproximateNumberOfMessages'] });
    assert.equal(Attributes.ApproximateNumberOfMessages, '0', `${queue.name} is empty`);
  }
  for (const [name, f] of Object.entries(functions)) assert.equal(f.runtime?.initError ?? null, null, `${name} init`);
  const storyMs = performance.now() - storyStarted;
  log(`story done in ${(storyMs / 1000).toFixed(1)} s; schedule fired ${schedule.fired} times; gateway served ${gateway.requests} requests`);
  for (const m of mappings) {
    console.log(`  mapping ${m.queue} -> ${m.function} (max concurrency ${m.maximumConcurrency}): ${JSON.stringify(m.stats)}`);
  }
  for (const m of mappings) await m.stop();
  schedule.stop();

  // --- cold starts: a fresh environment per start, its first invocation answered ---------
  const runs = Number(options['cold-starts']);
  if (runs > 0) {
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
    for (const [name, spec] of Object.entries(functionSpecs)) {
      await functions[name].stop();
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
  console.log(`\nsandbox story: passed; story wall time ${(storyMs / 1000).toFixed(1)} s`);
}

try {
  await main();
  await cleanup();
} catch (e) {
  console.error(`\nsandbox story FAILED: ${e.stack ?? e}`);
  for (const [name, f] of Object.entries(functions)) {
    if (f.runtime?.initError) console.error(`${name}: init error ${f.runtime.initError}`);
  }
  console.error(`logs in ${work} (kept)`);
  options.keep = true;
  await cleanup();
  process.exit(1);
}
