// The deploy/aws files played on this machine as an AWS account would run them, for the sandbox
// tests: `terraform plan` (preconditions) and the rules AWS applies at `apply` for an account
// whose Lambda quota is `lambdaQuota`; then what Terraform declares, created on the stand-ins:
//
// - the topic, queues, dead-letter queues and redrive policies on the SNS/SQS emulator; a
//   subscription only where the queue's policy lets SNS deliver from that topic;
// - RDS as the test MariaDB over TLS (the parameter group's settings applied), its master user
//   as RDS makes it (able to create users and grant), its managed secret and Terraform's secrets
//   in a Secrets Manager stand-in (a secret without a version has no value until one is put);
// - one IAM role session per function, with its own temporary credentials, and the policies
//   Terraform attaches to its role; KMS keys (AWS managed ones with AWS's key policy) for the
//   encrypted topics and secrets;
// - a gate (tools/node/aws-check) in front of SQS, SNS, SES and Secrets Manager, each its own
//   TLS endpoint: every call a function makes is checked for its signature, clock, IAM and key
//   policies, and SES's sandbox rules and quota (a new account: 1 e-mail a second, verified
//   recipients only);
// - each function as Lambda scales it (runtime.mjs LambdaFunction: reserved concurrency or the
//   account's unreserved pool, throttled beyond), its zip in the al2023-shaped root;
// - API Gateway (gateway.mjs) with the declared routes and the stage's throttling, invoking a
//   function only where its resource policy (aws_lambda_permission) lets API Gateway;
// - the apply's Lambda invocations (aws_lambda_invocation: migrate, which migrates and gives each
//   database function its own MySQL user), before any traffic;
// - the SQS event source mappings (batch, window, maximum concurrency, polling with the
//   function's role through the gate) and the relay's schedule.
//
// A value the sandbox cannot take from the files fails the start. `refusals()` lists what AWS
// would have refused (IAM, KMS, signatures, SES, permissions, mappings' problems), so a test
// that fails can say which permission was missing.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';

import { parseDeployment } from '../terraform/parse.mjs';
import { applyProblems, plan, planStandIns } from './plan.mjs';
import { Evaluator, rateMillis } from './terraform.mjs';
import { AccountConcurrency, LambdaFunction } from './runtime.mjs';
import { HttpApiGateway } from './gateway.mjs';
import { queueAttributes, Schedule, SecretsManagerStandIn, SqsEventSource, sns, sqs } from './aws.mjs';
import { Account, awsManagedKeyPolicy } from '../node/aws-check/iam.mjs';
import { AwsGate, SesQuota } from '../node/aws-check/gate.mjs';
import { signedClient, sqsCaller } from '../node/aws-check/client.mjs';

export const ACCOUNT = '000000000000';

const freePort = () => new Promise((done) => {
  const server = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => done(port));
  });
});

async function waitForPort(port, what, ms = 15000) {
  const until = Date.now() + ms;
  for (;;) {
    const open = await new Promise((done) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); done(true); });
      s.on('error', () => done(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`${what} is not listening on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class Sandbox {
  // `root`: the repository; `work`: a scratch folder; `lambdaDir`: the zips; `donut`: the donut
  // binary (the factory simulator); `variables`: Terraform variables beyond the ones the sandbox
  // sets; `deployDir`: the Terraform to play (default deploy/aws); `lambdaQuota`: the account's
  // concurrent executions; `sesQuota`: { maxSendRate, max24HourSend }; `log(text)`.
  constructor(options) {
    this.options = { lambdaQuota: 10, sesQuota: {}, variables: {}, factoryDelayMs: 300, log: () => {}, ...options };
    this.cleanups = [];
    this.functions = {};
    this.mappings = [];
    this.gates = {};
    this.problems = [];  // refusals the sandbox itself makes (permissions, subscriptions)
  }

  async stop() {
    for (const f of this.cleanups.splice(0).reverse()) {
      try { await f(); } catch (e) { console.error(`cleanup: ${e.message}`); }
    }
  }

  // Everything AWS would have refused so far, one line each; not a throttled call (SES's rate),
  // which clients retry as they would on AWS (`throttled()` counts those).
  refusals() {
    const lines = [...this.problems];
    for (const [name, gate] of Object.entries(this.gates)) {
      for (const r of gate.refusals.filter((x) => x.kind !== 'throttled')) lines.push(`${name}: ${r.principal ? `${this.whose(r.principal)} ` : ''}${r.service}:${r.action} refused (${r.kind}): ${r.message}`);
    }
    for (const m of this.mappings) if (m.problem) lines.push(`mapping ${m.queue} -> ${m.function}: ${m.problem}`);
    return lines;
  }

  throttled() {
    return Object.values(this.gates).reduce((n, gate) => n + gate.refusals.filter((x) => x.kind === 'throttled').length, 0);
  }

  whose(principalArn) {
    return Object.entries(this.principals ?? {}).find(([, p]) => p.arn === principalArn)?.[0] ?? principalArn;
  }

  async start() {
    this.ports = {};
    for (const name of ['mariadb', 'fauxqs', 'ses', 'factory', 'sqsTls', 'snsTls', 'sesTls', 'secretsTls', 'gatewayTls']) {
      this.ports[name] = await freePort();
    }
    this.planAndCheck();  // as `terraform plan` and AWS's checks at apply: before anything starts
    await this.startServers();
    await this.createMessaging();
    this.createDatabase();
    this.createSecrets();
    this.createAccount();
    await this.startGates();
    await this.startTunnels();
    await this.startFactory();
    this.createFunctions();
    await this.invokeAtApply();
    this.createApi();
    this.createMappings();
    this.createSchedule();
    return this;
  }

  // --- servers ------------------------------------------------------------------------------
  testServer(engine, action, dir, port, env = {}) {
    execFileSync(join(this.options.root, 'scripts/test-server'), [engine, action, dir, ...(port ? [String(port)] : [])],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  }

  process(name, command, args, env = {}) {
    const out = openSync(join(this.options.work, `${name}.log`), 'a');
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
    this.cleanups.push(() => new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.on('exit', done);
      child.kill('SIGTERM');
    }));
    return child;
  }

  async startServers() {
    const { work } = this.options;
    this.caDir = join(work, 'ca');
    mkdirSync(this.caDir, { recursive: true });
    execFileSync('sh', ['-c', [
      'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=donut-sandbox-ca -keyout ca.key -out ca.pem',
      'openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost -keyout server.key -out server.csr',
      "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.cnf",
      'openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.cnf -out server.pem',
    ].join(' && ')], { cwd: this.caDir, stdio: ['ignore', 'ignore', 'ignore'] });
    this.ca = readFileSync(join(this.caDir, 'ca.pem'));
    // The root's system bundle is as large as al2023's (about 150 certificates): the private CA
    // and Debian's. OpenSSL parses all of it for the first HTTPS call, about 0.14 ms each, and a
    // bundle of one would leave that out of the cold starts measured here.
    this.systemBundle = join(this.caDir, 'system-bundle.pem');
    writeFileSync(this.systemBundle, Buffer.concat([this.ca, readFileSync(DEBIAN_CA_BUNDLE)]));
    this.dirs = { mariadb: join(work, 'mariadb'), fauxqs: join(work, 'fauxqs'), ses: join(work, 'ses') };
    this.testServer('mariadb', 'start', this.dirs.mariadb, this.ports.mariadb, { DONUT_MARIADB_TLS_DIR: this.caDir });
    this.cleanups.push(() => this.testServer('mariadb', 'stop', this.dirs.mariadb));
    // The emulators behind test-server's own gates; the sandbox talks to the emulators
    // themselves (as Terraform and AWS's insides do) and puts its own gates in front for the
    // functions.
    for (const engine of ['fauxqs', 'ses']) {
      this.testServer(engine, 'start', this.dirs[engine], this.ports[engine]);
      this.cleanups.push(() => this.testServer(engine, 'stop', this.dirs[engine]));
    }
    const upstream = (engine) => `http://127.0.0.1:${readFileSync(join(this.dirs[engine], 'upstream.port'), 'utf8').trim()}`;
    this.fauxqs = upstream('fauxqs');
    this.sesEmulator = upstream('ses');
    this.socket = join(this.dirs.mariadb, 'mysqld.sock');
  }

  mariadb(sql) {
    return execFileSync('mariadb', ['--no-defaults', `--socket=${this.socket}`, '-uroot', '-N', '-e', sql]).toString();
  }

  // --- plan and apply -----------------------------------------------------------------------
  planAndCheck() {
    const { lambdaDir, lambdaQuota, variables } = this.options;
    this.region = 'us-east-1';
    this.secretsManager = new SecretsManagerStandIn(this.region);
    this.variables = {
      artifacts_dir: lambdaDir,
      alarm_email: 'ops@donut-states.example',
      mail_sender: 'shop@donut-states.example',
      factory_url: `http://127.0.0.1:${this.ports.factory}`,
      callback_secret: randomBytes(16).toString('hex'),
      admin_token: randomBytes(16).toString('hex'),
      ...variables,
    };
    // What the sandbox creates for real replaces the plan's stand-ins as it goes.
    this.standIns = planStandIns({ region: this.region, account: ACCOUNT, lambdaQuota });
    this.gatewayUrl = `https://127.0.0.1:${this.ports.gatewayTls}`;
    this.standIns.aws_apigatewayv2_api.http = { api_endpoint: this.gatewayUrl, id: 'sandbox',
      execution_arn: `arn:aws:execute-api:${this.region}:${ACCOUNT}:sandbox` };
    const planned = plan(this.deployment, this.variables, this.standIns);  // preconditions, as plan
    const problems = applyProblems(planned, lambdaQuota);
    if (problems.length) throw new Error(`terraform apply fails as AWS would:\n  ${problems.join('\n  ')}`);
    // Applying: the same files, their references now to what the sandbox creates.
    this.tf = new Evaluator(this.deployment, this.variables, this.standIns);
  }

  async load() {
    const { root, deployDir } = this.options;
    this.deployment = await parseDeployment(deployDir ?? join(root, 'deploy/aws'), join(root, 'tools/node/node_modules'));
    return this;
  }

  // --- messaging ----------------------------------------------------------------------------
  async createMessaging() {
    const { tf } = this;
    const topics = {};
    for (const name of Object.keys(this.deployment.merged.resource.aws_sns_topic)) {
      const topicName = tf.value(this.deployment.one('aws_sns_topic', name).name);
      const arn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(await sns(this.fauxqs, 'CreateTopic', { Name: topicName }))[1];
      topics[name] = { arn, id: arn, name: topicName };
    }
    this.standIns.aws_sns_topic = topics;
    this.queues = [];  // { resource, key, name, url, arn, attributes }
    const created = { dead_letter: {}, work: {} };
    this.standIns.aws_sqs_queue = created;
    for (const resource of ['dead_letter', 'work']) {  // dead-letter queues first: the others name them
      for (const { key, scope, body } of tf.instances('aws_sqs_queue', resource)) {
        const evaluated = Object.fromEntries(Object.keys(body).filter((k) => k !== 'for_each')
          .map((k) => [k, tf.value(body[k], scope)]));
        const attributes = queueAttributes(evaluated);
        const { QueueUrl } = await sqs(this.fauxqs, 'CreateQueue', { QueueName: evaluated.name, Attributes: attributes });
        const arn = `arn:aws:sqs:${this.region}:${ACCOUNT}:${evaluated.name}`;
        created[resource][key] = { url: QueueUrl, id: QueueUrl, arn, name: evaluated.name };
        this.queues.push({ resource, key, name: evaluated.name, url: QueueUrl, arn, attributes });
      }
    }
  }

  // Queue policies, then the subscriptions SNS may deliver (run after the account exists).
  async subscribe() {
    const { tf } = this;
    for (const { scope, body } of tf.instances('aws_sqs_queue_policy', 'topic_to_queue')) {
      const queue = this.queues.find((q) => q.url === tf.value(body.queue_url, scope));
      this.account.setResourcePolicy(queue.arn, JSON.parse(tf.value(body.policy, scope)));
    }
    for (const [name] of Object.entries(this.deployment.merged.resource.aws_sns_topic_subscription)) {
      for (const { scope, body } of tf.instances('aws_sns_topic_subscription', name)) {
        // The alarm path (CloudWatch -> alerts topic -> e-mail) is not played here: the sandbox
        // has no CloudWatch; tests/deploy checks that path's settings.
        if (tf.value(body.protocol, scope) !== 'sqs') continue;
        const topicArn = tf.value(body.topic_arn, scope);
        const queueArn = tf.value(body.endpoint, scope);
        const allowed = await this.account.authorize('sns.amazonaws.com', 'sqs:SendMessage', queueArn,
          { 'aws:SourceArn': topicArn, 'aws:SourceAccount': ACCOUNT });
        if (!allowed.allowed) {
          this.problems.push(`SNS cannot deliver ${topicArn} to ${queueArn}: its queue policy does not allow sqs:SendMessage (${allowed.reason})`);
          continue;
        }
        const params = { TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn };
        let n = 0;
        const attribute = (k, v) => { n++; params[`Attributes.entry.${n}.key`] = k; params[`Attributes.entry.${n}.value`] = v; };
        if (body.raw_message_delivery !== undefined) attribute('RawMessageDelivery', String(tf.value(body.raw_message_delivery, scope)));
        if (body.filter_policy !== undefined) attribute('FilterPolicy', tf.value(body.filter_policy, scope));
        await sns(this.fauxqs, 'Subscribe', params);
      }
    }
  }

  // --- database and secrets -----------------------------------------------------------------
  createDatabase() {
    const { tf } = this;
    const db = this.deployment.one('aws_db_instance', 'warehouse');
    this.dbUser = tf.value(db.username);
    this.dbName = tf.value(db.db_name);
    this.dbSecretArn = `arn:aws:secretsmanager:${this.region}:${ACCOUNT}:secret:rds!db-${randomBytes(4).toString('hex')}`;
    this.dbPassword = randomBytes(12).toString('base64url');
    // As RDS makes its master user: everything on the database, with the right to grant it on,
    // and to create users.
    this.mariadb(`FLUSH PRIVILEGES; CREATE USER '${this.dbUser}'@'%' IDENTIFIED BY '${this.dbPassword}';
      GRANT ALL ON \`${this.dbName}\`.* TO '${this.dbUser}'@'%' WITH GRANT OPTION;
      GRANT CREATE USER ON *.* TO '${this.dbUser}'@'%';`);
    const group = this.deployment.one('aws_db_parameter_group', 'warehouse');
    for (const p of [].concat(group.parameter)) this.mariadb(`SET GLOBAL ${tf.value(p.name)} = ${Number(tf.value(p.value))}`);
    this.secretsManager.put(this.dbSecretArn, `rds!db-${this.dbName}`, JSON.stringify({ username: this.dbUser, password: this.dbPassword }));
    this.standIns.aws_db_instance.warehouse = { address: '127.0.0.1', db_name: this.dbName,
      master_user_secret: [{ secret_arn: this.dbSecretArn }] };
  }

  // The secret `fn` reads its MySQL user from (its role's own, written by migrate), and that
  // user's name and password.
  databaseUser(fn) {
    const arn = this.specs[fn].environment.DONUT_DATABASE_SECRET;
    return { arn, ...JSON.parse(this.secretsManager.value(arn)) };
  }

  // A new password for `fn`'s MySQL user, as a rotation would set it: on the server (its
  // sessions closed) and in its secret.
  rotateDatabasePassword(fn = 'sales') {
    const { arn, username } = this.databaseUser(fn);
    const password = randomBytes(16).toString('hex');
    this.mariadb(`ALTER USER '${username}'@'%' IDENTIFIED BY '${password}'; KILL CONNECTION USER '${username}'`);
    this.secretsManager.put(arn, this.secretsManager.secrets.get(arn).name, JSON.stringify({ username, password }));
    return arn;
  }

  // Each secret (and each instance of a for_each one) with no value until a version puts one.
  createSecrets() {
    const { tf } = this;
    const secrets = {};
    this.secretArns = {};  // `name` or `name[key]` -> arn
    for (const name of Object.keys(this.deployment.merged.resource.aws_secretsmanager_secret)) {
      for (const { key, scope, body } of tf.instances('aws_secretsmanager_secret', name)) {
        const secretName = tf.value(body.name, scope);
        const arn = `arn:aws:secretsmanager:${this.region}:${ACCOUNT}:secret:${secretName}-${randomBytes(3).toString('hex')}`;
        const standIn = { arn, id: arn, name: secretName };
        if (key === null) secrets[name] = standIn;
        else (secrets[name] ??= {})[key] = standIn;
        this.secretArns[key === null ? name : `${name}[${key}]`] = arn;
        this.secretsManager.put(arn, secretName, undefined);
      }
    }
    this.standIns.aws_secretsmanager_secret = secrets;
    for (const name of Object.keys(this.deployment.merged.resource.aws_secretsmanager_secret_version)) {
      const version = this.deployment.one('aws_secretsmanager_secret_version', name);
      const arn = tf.value(version.secret_id);
      this.secretsManager.put(arn, this.secretsManager.secrets.get(arn)?.name ?? name, tf.value(version.secret_string));
    }
  }

  // --- IAM and KMS ----------------------------------------------------------------------------
  createAccount() {
    const { tf } = this;
    this.account = new Account({ account: ACCOUNT, region: this.region });
    // Each function's role session, with temporary credentials of its own.
    const roles = Object.fromEntries(tf.instances('aws_iam_role', 'function')
      .map(({ key, scope, body }) => [tf.value(body.name, scope), key]));
    const policies = {};
    for (const [name] of Object.entries(this.deployment.merged.resource.aws_iam_role_policy ?? {})) {
      for (const { scope, body } of tf.instances('aws_iam_role_policy', name)) {
        const fn = roles[tf.value(body.role, scope)];
        (policies[fn] ??= []).push({ name: tf.value(body.name, scope), policy: JSON.parse(tf.value(body.policy, scope)) });
      }
    }
    for (const [name] of Object.entries(this.deployment.merged.resource.aws_iam_role_policy_attachment ?? {})) {
      for (const { scope, body } of tf.instances('aws_iam_role_policy_attachment', name)) {
        const fn = roles[tf.value(body.role, scope)];
        const arn = tf.value(body.policy_arn, scope);
        const managed = MANAGED_POLICIES[arn];
        if (!managed) throw new Error(`sandbox: no document for the managed policy ${arn}`);
        (policies[fn] ??= []).push({ name: arn.split('/').pop(), policy: managed });
      }
    }
    this.principals = {};
    for (const { key, scope, body } of tf.instances('aws_lambda_function', 'function')) {
      const role = Object.keys(roles).find((r) => roles[r] === key);
      const principal = { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${tf.value(body.function_name, scope)}`,
        accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
        secretAccessKey: randomBytes(20).toString('base64'), sessionToken: randomBytes(32).toString('base64'),
        policies: policies[key] ?? [] };
      this.account.addPrincipal(principal);
      this.principals[key] = principal;
    }
    this.encryptionKeys();
  }

  // Which KMS key encrypts each topic and secret, with its key policy.
  encryptionKeys() {
    const { tf } = this;
    const managedKey = (service) => [`arn:aws:kms:${this.region}:${ACCOUNT}:key/aws-managed-${service}`,
      awsManagedKeyPolicy(ACCOUNT, service, this.region)];
    const customerKeys = {};
    for (const name of Object.keys(this.deployment.merged.resource.aws_kms_key ?? {})) {
      const body = this.deployment.one('aws_kms_key', name);
      const arn = this.standIns.aws_kms_key[name]().arn;
      customerKeys[arn] = JSON.parse(tf.value(body.policy));
    }
    const keyFor = (id, service) => {
      if (!id || id === `alias/aws/${service}`) return managedKey(service);
      if (customerKeys[id]) return [id, customerKeys[id]];
      throw new Error(`sandbox: no key policy for ${id}`);
    };
    for (const [name, topic] of Object.entries(this.standIns.aws_sns_topic)) {
      const id = this.deployment.one('aws_sns_topic', name).kms_master_key_id;
      if (id !== undefined) this.account.encrypt(topic.arn, ...keyFor(tf.value(id), 'sns'));
    }
    for (const name of Object.keys(this.deployment.merged.resource.aws_secretsmanager_secret)) {
      for (const { key, scope, body } of tf.instances('aws_secretsmanager_secret', name)) {
        const arn = this.secretArns[key === null ? name : `${name}[${key}]`];
        const id = body.kms_key_id;
        this.account.encrypt(arn, ...keyFor(id === undefined ? undefined : tf.value(id, scope), 'secretsmanager'));
      }
    }
    const db = this.deployment.one('aws_db_instance', 'warehouse');
    const dbKey = db.master_user_secret_kms_key_id;
    this.account.encrypt(this.dbSecretArn, ...keyFor(dbKey === undefined ? undefined : tf.value(dbKey), 'secretsmanager'));
  }

  // --- the gates and the TLS in front of them -------------------------------------------------
  async startGates() {
    const { tf } = this;
    await this.secretsManager.listen();
    this.cleanups.push(() => this.secretsManager.close());
    const identities = new Set();
    for (const name of Object.keys(this.deployment.merged.resource.aws_sesv2_email_identity)) {
      for (const { scope, body } of tf.instances('aws_sesv2_email_identity', name)) identities.add(tf.value(body.email_identity, scope));
    }
    this.sesQuota = new SesQuota({ maxSendRate: 1, max24HourSend: 200, ...this.options.sesQuota });
    const gates = {
      sqs: new AwsGate({ account: this.account, upstream: this.fauxqs, services: ['sqs'] }),
      sns: new AwsGate({ account: this.account, upstream: this.fauxqs, services: ['sns'] }),
      // A new account's SES is in the sandbox: verified identities only, 1 a second, 200 a day.
      ses: new AwsGate({ account: this.account, upstream: this.sesEmulator, services: ['ses'],
        ses: { sandbox: true, identities, quota: this.sesQuota } }),
      secrets: new AwsGate({ account: this.account, upstream: `http://127.0.0.1:${this.secretsManager.port}`,
        services: ['secretsmanager'], secretArn: (id) => this.secretsManager.arnOf(id) }),
    };
    for (const [name, gate] of Object.entries(gates)) {
      await gate.listen();
      this.cleanups.push(() => gate.close());
      this.gates[name] = gate;
    }
    await this.subscribe();
  }

  async startTunnels() {
    this.gateway = new HttpApiGateway([], { domainName: '127.0.0.1' });
    await this.gateway.listen();
    this.cleanups.push(() => this.gateway.close());
    const tunnels = [['sqs', this.ports.sqsTls, this.gates.sqs.port], ['sns', this.ports.snsTls, this.gates.sns.port],
      ['ses', this.ports.sesTls, this.gates.ses.port], ['secrets', this.ports.secretsTls, this.gates.secrets.port],
      ['gateway', this.ports.gatewayTls, this.gateway.port]];
    const conf = join(this.options.work, 'stunnel.conf');
    writeFileSync(conf, ['foreground = yes', 'pid =',
      ...tunnels.flatMap(([name, accept, connect]) => [`[${name}]`, `accept = 127.0.0.1:${accept}`,
        `connect = 127.0.0.1:${connect}`, `cert = ${this.caDir}/server.pem`, `key = ${this.caDir}/server.key`])].join('\n') + '\n');
    this.process('stunnel', 'stunnel4', [conf]);
    for (const [name, accept] of tunnels) await waitForPort(accept, `stunnel ${name}`);
  }

  // The Legacy Factory (simulator): called over plain HTTP as var.factory_url says, it takes
  // only requests the restock function signed with the shared secret, and calls back only API
  // Gateway's callback URL, over HTTPS, trusting the private CA. Its secrets are files named by
  // DONUT_<NAME>_FILE, never values on its command line or in its environment.
  async startFactory() {
    const secrets = join(this.options.work, 'factory-secrets');
    mkdirSync(secrets, { recursive: true, mode: 0o700 });
    writeFileSync(join(secrets, 'callback-secret'), this.variables.callback_secret, { mode: 0o600 });
    writeFileSync(join(secrets, 'admin-token'), this.variables.admin_token, { mode: 0o600 });
    this.process('factory', this.options.donut, ['factory', '--factory-port', String(this.ports.factory),
      '--factory-callback-url', `${this.gatewayUrl}/v1/stock-arrivals`, '--factory-delay-ms', String(this.options.factoryDelayMs),
      '--data-dir', join(this.options.work, 'factory')], { DONUT_CA_BUNDLE: join(this.caDir, 'ca.pem'), DONUT_LOG_LEVEL: 'warn',
      DONUT_CALLBACK_SECRET_FILE: join(secrets, 'callback-secret'), DONUT_ADMIN_TOKEN_FILE: join(secrets, 'admin-token') });
    await waitForPort(this.ports.factory, 'the factory simulator');
    this.factory = `http://127.0.0.1:${this.ports.factory}`;
  }

  // The simulator's knobs, which need the admin token.
  setFactory(config) {
    return fetch(`${this.factory}/admin/config`, { method: 'PUT',
      headers: { ...this.adminHeaders, 'content-type': 'application/json' }, body: JSON.stringify(config) });
  }

  // --- functions, API, mappings, schedule -----------------------------------------------------
  createFunctions() {
    const { tf } = this;
    const tls = (port) => `https://127.0.0.1:${port}`;
    const sandboxEnvironment = {  // what the sandbox adds: where its stand-ins are
      AWS_ENDPOINT_URL_SQS: tls(this.ports.sqsTls),
      AWS_ENDPOINT_URL_SNS: tls(this.ports.snsTls),
      AWS_ENDPOINT_URL_SESV2: tls(this.ports.sesTls),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: tls(this.ports.secretsTls),
      DONUT_DATABASE_PORT: String(this.ports.mariadb),
    };
    this.concurrency = new AccountConcurrency(this.options.lambdaQuota);
    this.specs = {};
    this.standIns.aws_lambda_function = { function: {} };
    for (const { key, scope, body } of tf.instances('aws_lambda_function', 'function')) {
      if (tf.value(body.runtime, scope) !== 'provided.al2023') throw new Error(`${key}: runtime`);
      if (tf.value(body.handler, scope) !== 'bootstrap') throw new Error(`${key}: handler`);
      if (JSON.stringify(tf.value(body.architectures, scope)) !== '["x86_64"]') throw new Error(`${key}: architecture of this build`);
      const name = tf.value(body.function_name, scope);
      const variablesOf = tf.value(body.environment[0].variables, scope);
      const principal = this.principals[key];
      const spec = {
        runScript: join(this.options.root, 'tools/lambda-sandbox/run'),
        zip: tf.value(body.filename, scope),
        caBundle: this.systemBundle,
        // The test server's certificate is from the private CA, not RDS's: added to the zip's
        // RDS CAs of each region, so the function finds it where it looks on AWS.
        rdsCa: join(this.caDir, 'ca.pem'),
        environment: { ...Object.fromEntries(Object.entries(variablesOf).map(([k, v]) => [k, String(v)])), ...sandboxEnvironment },
        lambda: { functionName: name, memoryMb: tf.value(body.memory_size, scope),
          timeoutMs: tf.value(body.timeout, scope) * 1000, region: this.region,
          credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey,
            sessionToken: principal.sessionToken } },
        logFile: join(this.options.work, `${key}.log`),
      };
      statSync(spec.zip);  // the zip Terraform would upload exists
      this.specs[key] = spec;
      const reserved = tf.value(body.reserved_concurrent_executions ?? -1, scope);
      if (reserved >= 0) this.concurrency.reserve(reserved);
      this.functions[key] = new LambdaFunction(spec, { reserved: reserved >= 0 ? reserved : null, account: this.concurrency });
      this.cleanups.push(() => this.functions[key].stop());
      const arn = `arn:aws:lambda:${this.region}:${ACCOUNT}:function:${name}`;
      this.standIns.aws_lambda_function.function[key] = { arn, function_name: name,
        invoke_arn: `arn:aws:apigateway:${this.region}:lambda:path/2015-03-31/functions/${arn}/invocations` };
    }
    this.functionPolicies();
  }

  // What `terraform apply` invokes once the functions exist (aws_lambda_invocation), with the
  // deployer's own rights: each must succeed, or the apply fails.
  async invokeAtApply() {
    const { tf } = this;
    this.appliedInvocations = [];
    for (const [name] of Object.entries(this.deployment.merged.resource.aws_lambda_invocation ?? {})) {
      for (const { scope, body } of tf.instances('aws_lambda_invocation', name)) {
        const fn = this.functionByArn(tf.value(body.function_name, scope));
        const answer = await this.functions[fn].invoke(JSON.parse(tf.value(body.input, scope)));
        if (!answer.ok) throw new Error(`terraform apply fails: aws_lambda_invocation.${name} (${fn}): ${answer.body}`);
        this.appliedInvocations.push({ name, function: fn, answer: answer.body });
        this.options.log(`apply: aws_lambda_invocation.${name} -> ${fn}: ${answer.body}`);
      }
    }
  }

  functionByArn(arn) {
    const found = Object.entries(this.standIns.aws_lambda_function.function).find(([, f]) => f.arn === arn || f.invoke_arn === arn || f.function_name === arn);
    if (!found) throw new Error(`sandbox: no function ${arn}`);
    return found[0];
  }

  // Each function's resource policy, from its aws_lambda_permission statements.
  functionPolicies() {
    const { tf } = this;
    for (const [name] of Object.entries(this.deployment.merged.resource.aws_lambda_permission ?? {})) {
      for (const { scope, body } of tf.instances('aws_lambda_permission', name)) {
        const fn = this.functionByArn(tf.value(body.function_name, scope));
        const arn = this.standIns.aws_lambda_function.function[fn].arn;
        const policy = this.account.resourcePolicies.get(arn) ?? { Version: '2012-10-17', Statement: [] };
        policy.Statement.push({ Sid: tf.value(body.statement_id, scope), Effect: 'Allow',
          Principal: { Service: tf.value(body.principal, scope) }, Action: tf.value(body.action, scope), Resource: arn,
          Condition: { ArnLike: { 'aws:SourceArn': tf.value(body.source_arn, scope) } } });
        this.account.setResourcePolicy(arn, policy);
      }
    }
  }

  // Invokes `fn` for `service` from `sourceArn`, as Lambda does: only when the function's
  // resource policy lets that service (aws_lambda_permission); else a failure, recorded.
  async invokeAs(service, sourceArn, fn, event) {
    const arn = this.standIns.aws_lambda_function.function[fn].arn;
    const decision = await this.account.authorize(service, 'lambda:InvokeFunction', arn, { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': ACCOUNT });
    if (!decision.allowed) {
      const line = `${service} may not invoke ${fn} from ${sourceArn}: ${decision.reason}`;
      if (!this.problems.includes(line)) this.problems.push(line);
      return { ok: false, body: JSON.stringify({ message: line }) };
    }
    return this.functions[fn].invoke(event);
  }

  createApi() {
    const { tf } = this;
    const api = this.deployment.one('aws_apigatewayv2_api', 'http');
    if (tf.value(api.protocol_type) !== 'HTTP') throw new Error('sandbox: only HTTP APIs');
    this.standIns.aws_apigatewayv2_integration = { function: {} };
    for (const { key, scope, body } of tf.instances('aws_apigatewayv2_integration', 'function')) {
      if (tf.value(body.integration_type, scope) !== 'AWS_PROXY') throw new Error(`${key}: integration type`);
      if (tf.value(body.payload_format_version, scope) !== '2.0') throw new Error(`${key}: payload format`);
      this.standIns.aws_apigatewayv2_integration.function[key] = { id: `integration-${key}`,
        function: this.functionByArn(tf.value(body.integration_uri, scope)) };
    }
    const executionArn = this.standIns.aws_apigatewayv2_api.http.execution_arn;
    const routes = [];
    for (const { scope, body } of tf.instances('aws_apigatewayv2_route', 'route')) {
      const target = /^integrations\/integration-(.+)$/.exec(tf.value(body.target, scope));
      if (!target) throw new Error(`route ${scope.each.key}: target`);
      const fn = this.standIns.aws_apigatewayv2_integration.function[target[1]].function;
      const routeKey = tf.value(body.route_key, scope);
      routes.push({ routeKey, function: fn, invoke: (event) => this.invokeAs('apigateway.amazonaws.com',
        `${executionArn}/$default/${event.requestContext.http.method}${event.rawPath}`, fn, event) });
    }
    this.routes = routes;
    this.gateway.setRoutes(routes);
    this.gateway.setThrottling(this.stageThrottling());
  }

  // The stage's throttling as Terraform declares it: default route settings and per route.
  stageThrottling() {
    const { tf } = this;
    const stage = this.deployment.one('aws_apigatewayv2_stage', 'default');
    const limits = (block, scope) => ({ rate: tf.value(block.throttling_rate_limit, scope), burst: tf.value(block.throttling_burst_limit, scope) });
    const throttling = { default: null, routes: {} };
    const defaults = [].concat(stage.default_route_settings ?? [])[0];
    if (defaults) throttling.default = limits(defaults, {});
    for (const dynamic of [].concat(stage.dynamic ?? [])) {
      for (const generator of [].concat(dynamic.route_settings ?? [])) {
        for (const [key, value] of Object.entries(tf.value(generator.for_each))) {
          const inner = { locals: { route_settings: { key, value } } };
          const content = [].concat(generator.content)[0];
          throttling.routes[tf.value(content.route_key, inner)] = limits(content, inner);
        }
      }
    }
    for (const block of [].concat(stage.route_settings ?? [])) throttling.routes[tf.value(block.route_key)] = limits(block, {});
    return throttling;
  }

  createMappings() {
    const { tf } = this;
    for (const { key, scope, body } of tf.instances('aws_lambda_event_source_mapping', 'queue')) {
      const queue = this.queues.find((q) => q.arn === tf.value(body.event_source_arn, scope));
      if (!queue) throw new Error(`mapping ${key}: its queue`);
      const fn = this.functionByArn(tf.value(body.function_name, scope));
      const principal = this.principals[fn];
      // Lambda polls with the function's role: IAM decides what the mapping may do.
      const call = sqsCaller(signedClient({ endpoint: `http://127.0.0.1:${this.gates.sqs.port}`, service: 'sqs',
        region: this.region, credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey,
          sessionToken: principal.sessionToken } }));
      const mapping = new SqsEventSource({
        call, queueUrl: queue.url, queueArn: queue.arn, region: this.region,
        batchSize: tf.value(body.batch_size, scope),
        windowMs: tf.value(body.maximum_batching_window_in_seconds ?? 0, scope) * 1000,
        reportBatchItemFailures: (tf.value(body.function_response_types ?? [], scope)).includes('ReportBatchItemFailures'),
        maximumConcurrency: tf.value(body.scaling_config?.[0]?.maximum_concurrency ?? 1000, scope),
        invoke: (event) => this.functions[fn].invoke(event),
      });
      mapping.function = fn;
      mapping.queue = queue.name;
      this.mappings.push(mapping);
      mapping.start();
      this.cleanups.push(() => mapping.stop());
    }
  }

  createSchedule() {
    const { tf } = this;
    const rule = this.deployment.one('aws_cloudwatch_event_rule', 'relay');
    const ruleName = tf.value(rule.name);
    const ruleArn = `arn:aws:events:${this.region}:${ACCOUNT}:rule/${ruleName}`;
    this.standIns.aws_cloudwatch_event_rule.relay = { name: ruleName, arn: ruleArn };
    const target = this.deployment.one('aws_cloudwatch_event_target', 'relay');
    if (tf.value(target.rule) !== ruleName) throw new Error('sandbox: the relay schedule targets another rule');
    this.relayFunction = this.functionByArn(tf.value(target.arn));
    this.scheduleExpression = tf.value(rule.schedule_expression);
    this.schedule = new Schedule({ intervalMs: rateMillis(this.scheduleExpression), region: this.region,
      invoke: (event) => this.invokeAs('events.amazonaws.com', ruleArn, this.relayFunction, event) });
    this.cleanups.push(() => this.schedule.stop());
  }

  // `terraform apply` of changed variables that only the stage's throttling reads (plan's
  // preconditions checked first).
  updateStage(changes) {
    const variables = { ...this.variables, ...changes };
    plan(this.deployment, variables, this.standIns);
    this.variables = variables;
    this.tf = new Evaluator(this.deployment, this.variables, this.standIns);
    this.gateway.setThrottling(this.stageThrottling());
  }

  // The relay, invoked as its schedule would.
  runRelay() {
    return this.invokeAs('events.amazonaws.com', this.standIns.aws_cloudwatch_event_rule.relay.arn, this.relayFunction,
      { 'detail-type': 'Scheduled Event', source: 'aws.events' });
  }

  // --- for the tests ------------------------------------------------------------------------
  // HTTPS to API Gateway, trusting only the private CA (as a client of the real API trusts AWS's).
  // A 429 (the stage's throttling) is tried again, unchanged, after a growing jittered pause,
  // as the storefront and donut surge do; `turnedAway` counts them.
  async request(method, path, options = {}) {
    for (let attempt = 1; ; attempt++) {
      const answer = await this.requestOnce(method, path, options);
      if (answer.status !== 429 || attempt >= 12) return answer;
      this.turnedAway = (this.turnedAway ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** Math.min(attempt, 5) * (0.5 + Math.random())));
    }
  }

  requestOnce(method, path, { body, headers = {} } = {}) {
    return new Promise((done, fail) => {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = https.request(`${this.gatewayUrl}${path}`, { method, ca: this.ca, headers: {
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

  get adminHeaders() { return { authorization: `Bearer ${this.variables.admin_token}` }; }

  // The e-mails SES accepted for `to`, by subject.
  async mails(to = this.variables.alarm_email) {
    const res = await fetch(`${this.sesEmulator}/store`);
    return (await res.json()).emails.filter((e) => e.destination.to.includes(to)).map((e) => e.subject);
  }

  async queueDepth(name) {
    const queue = this.queues.find((q) => q.name === name);
    const { Attributes } = await sqs(this.fauxqs, 'GetQueueAttributes', { QueueUrl: queue.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] });
    return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
  }
}

// Debian's bundle of the public CAs (ca-certificates), the stand-in for al2023's.
const DEBIAN_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

// AWS managed policies the files may attach, as AWS publishes them.
const MANAGED_POLICIES = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Resource: '*', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream',
      'logs:PutLogEvents', 'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'] }],
  },
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Resource: '*', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'] }],
  },
};

// Starts a sandbox (see Sandbox's constructor for the options); stop it with `stop()`.
export async function startSandbox(options) {
  const sandbox = new Sandbox(options);
  try {
    await sandbox.load();
    return await sandbox.start();
  } catch (e) {
    await sandbox.stop();
    throw e;
  }
}
