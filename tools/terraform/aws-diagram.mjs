// Writes the AWS architecture diagram (Graphviz DOT) of deploy/aws, drawn from the parsed
// Terraform (parse.mjs), so the picture cannot drift from what is deployed: every function,
// route, topic, queue, dead-letter queue, subscription, event source mapping, schedule, alarm,
// secret and the database come from the files, not from a hand-drawn copy.
// Run: node tools/terraform/aws-diagram.mjs <deploy/aws> <tools/node/node_modules>  > out.dot
import { parseDeployment } from './parse.mjs';

const [dir, modules] = process.argv.slice(2);
const { resources, one, data, variable, locals } = await parseDeployment(dir, modules);

const out = [];
const id = (...parts) => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
const quote = (text) => `"${String(text).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const node = (name, label, attributes = '') => out.push(`  ${name} [label=${quote(label)}${attributes ? ', ' + attributes : ''}];`);
const edge = (from, to, label = '', attributes = '') =>
  out.push(`  ${from} -> ${to}${label || attributes ? ` [${[label ? `label=${quote(label)}` : '', attributes].filter(Boolean).join(', ')}]` : ''};`);
const functionName = (key) => `λ ${key.replaceAll('_', '-')}`;

const functions = locals.functions;
const db = one('aws_db_instance', 'warehouse');
const instanceClass = variable('db_instance_class').default;

out.push('digraph aws {');
out.push('  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.3, ranksep=0.6, labelloc=t,');
out.push('         label="Donut-States on AWS (drawn from deploy/aws by tools/terraform/aws-diagram.mjs)"];');
out.push('  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];');
out.push('  edge [fontname="Helvetica", fontsize=9];');

node('customer', 'Customers\n(cURL, Postman, k6, the shop page)', 'shape=oval, fillcolor="#fdf2d0"');
node('operator', 'Operator\n(admin token)', 'shape=oval, fillcolor="#fdf2d0"');
node('factory', `Legacy Factory API\n(${variable('factory_url') ? 'var.factory_url' : 'factory'})`, 'fillcolor="#fde0dd"');
node('mailbox', 'Warehouse staff\n(e-mail)', 'shape=folder, fillcolor="#eeeeee"');

// API Gateway and its routes, grouped by function.
const stage = one('aws_apigatewayv2_stage', 'default');
const perRoute = [].concat(stage?.dynamic ?? []).some((d) => d.route_settings);
node('api', `API Gateway HTTP API\n${perRoute ? 'each route throttled to its share\nof its function\'s capacity' : 'no route throttling'}`,
  'shape=component, fillcolor="#f3e5f5"');
edge('customer', 'api', 'HTTPS');
edge('operator', 'api', '/admin/*');

// Functions: inside the VPC when they use the database.
const inVpc = Object.entries(functions).filter(([, f]) => f.uses_database === true);
const outside = Object.entries(functions).filter(([, f]) => f.uses_database !== true);
const functionNode = (key, f) => {
  // The default profile's figures (functions.tf, local.capacity_profiles).
  const cap = locals.capacity_profiles?.[variable('capacity_profile')?.default]?.[key];
  node(id('fn', key), `${functionName(key)}\n${f.description}${cap ? `\nconcurrency ≤ ${cap}` : ''}`, 'fillcolor="#fff3e0"');
};
out.push('  subgraph cluster_vpc {');
out.push('    label="VPC"; style="rounded"; color="#888888";');
out.push('    subgraph cluster_private {');
out.push('      label="private subnets"; style="rounded,dashed";');
for (const [key, f] of inVpc) functionNode(key, f);
node('rds', `RDS MySQL ${db.engine_version}\n${instanceClass}, encrypted${db.deletion_protection ? ', deletion protection' : ''}`, 'shape=cylinder, fillcolor="#e8f1fb"');
out.push('    }');
out.push('    subgraph cluster_public {');
out.push('      label="public subnet"; style="rounded,dashed";');
node('nat', 'NAT gateway', 'shape=diamond, fillcolor="#eeeeee"');
out.push('    }');
out.push('  }');
for (const [key, f] of outside) functionNode(key, f);

const routesByFunction = {};
for (const [route, fn] of Object.entries(locals.routes)) (routesByFunction[fn] ??= []).push(route);
for (const [fn, routes] of Object.entries(routesByFunction)) edge('api', id('fn', fn), routes.join('\n'));
for (const [key] of inVpc) edge(id('fn', key), 'rds', '', 'color="#4a78b0"');

// Topics, queues and their dead-letter queues, subscriptions, event source mappings.
for (const topic of resources('aws_sns_topic')) {
  const name = topic.name.replace('${var.name}-', '');
  node(id('topic', topic.key), `SNS ${name}${topic.kms_master_key_id ? '\nencrypted (KMS)' : ''}`, 'shape=hexagon, fillcolor="#eaf7ea"');
}
const mapping = one('aws_lambda_event_source_mapping', 'queue');
const maxReceive = variable('max_receive_count')?.default;
for (const [key, name] of Object.entries(locals.queues)) {
  node(id('queue', key), `SQS ${name}`, 'shape=cylinder, fillcolor="#eaf7ea"');
  node(id('dlq', key), `SQS ${name}-dlq`, 'shape=cylinder, fillcolor="#fbe9e7"');
  edge(id('queue', key), id('dlq', key), `after ${maxReceive ?? 'max'} receives`, 'style=dashed');
}
for (const subscription of resources('aws_sns_topic_subscription')) {
  const topic = /aws_sns_topic\.(\w+)\.arn/.exec(subscription.topic_arn)?.[1];
  const queue = /aws_sqs_queue\.work\["(\w+)"\]/.exec(subscription.endpoint)?.[1];
  if (topic && queue) {
    edge(id('topic', topic), id('queue', queue), subscription.filter_policy ? 'stock.empty only' : 'every event');
  } else if (topic && subscription.protocol === 'email') {
    edge(id('topic', topic), 'mailbox', 'e-mail');
  }
}
for (const [fn, queue] of Object.entries(locals.consumers)) {
  edge(id('queue', queue), id('fn', fn), `batch ${mapping.batch_size}, failures per item`);
}

// Who publishes: the functions the IAM policy lets publish to the topic (its PublishEvents
// statement is granted to `contains([...], each.key)`).
const statements = [].concat(data('aws_iam_policy_document', 'function')?.dynamic ?? [])
  .flatMap((d) => [].concat(d.statement ?? []));
const publish = statements.find((st) => [].concat(st.content)[0]?.sid === 'PublishEvents');
const publishers = /contains\(\[([^\]]*)\]/.exec(publish?.for_each ?? '')?.[1] ?? '';
for (const fn of publishers.match(/\w+/g) ?? []) edge(id('fn', fn), id('topic', 'stock_events'), 'publish events');
if (/aws_sqs_queue\.work\["stock_arrivals"\]/.test(locals.environment.DONUT_ARRIVALS_QUEUE ?? '')) {
  edge(id('fn', 'arrivals_intake'), id('queue', 'stock_arrivals'), 'enqueue arrival');
}
edge(id('fn', 'restock'), 'nat', 'POST /api/manufactures');
edge('nat', 'factory');
edge('factory', 'api', 'signed callback\nPOST /v1/stock-arrivals', 'style=dashed');

// SES identities, schedule, alarms, secrets.
const identities = resources('aws_sesv2_email_identity');
node('ses', `SES\n${identities.map((i) => `identity: ${i.key}`).join('\n')}`, 'shape=component, fillcolor="#f3e5f5"');
edge(id('fn', 'notifier'), 'ses', 'send');
edge('ses', 'mailbox');
for (const rule of resources('aws_cloudwatch_event_rule')) {
  node(id('schedule', rule.key), `EventBridge\n${rule.schedule_expression}`, 'shape=note, fillcolor="#fffde7"');
  const target = one('aws_cloudwatch_event_target', rule.key);
  const fn = /function\["(\w+)"\]/.exec(target?.arn ?? '')?.[1];
  if (fn) edge(id('schedule', rule.key), id('fn', fn));
}
for (const alarm of resources('aws_cloudwatch_metric_alarm')) {
  node(id('alarm', alarm.key), `CloudWatch alarm per dead-letter queue\n${alarm.metric_name} > ${alarm.threshold}`, 'shape=note, fillcolor="#fffde7"');
  for (const key of Object.keys(locals.queues)) edge(id('dlq', key), id('alarm', alarm.key), '', 'style=dotted, arrowhead=none');
  const topic = /aws_sns_topic\.(\w+)\.arn/.exec([].concat(alarm.alarm_actions)[0] ?? '')?.[1];
  if (topic) edge(id('alarm', alarm.key), id('topic', topic), 'alarm');
}
const secrets = [
  ...(db.manage_master_user_password ? ['database password (RDS-managed, rotated)'] : []),
  ...resources('aws_secretsmanager_secret').map((s) => s.description ?? s.key),
];
node('secrets', `Secrets Manager\n${secrets.join('\n')}`, 'shape=component, fillcolor="#f3e5f5"');
for (const [key] of inVpc) edge(id('fn', key), 'secrets', '', 'style=dotted, arrowhead=none, color="#999999"');
for (const fn of Object.keys(locals.secrets ?? {})) edge(id('fn', fn), 'secrets', 'own secret', 'style=dotted, color="#999999"');
for (const key of resources('aws_kms_key')) {
  node(id('kms', key.key), `KMS key\n${key.key}${key.enable_key_rotation ? ', rotated yearly' : ''}`, 'shape=component, fillcolor="#f3e5f5"');
  for (const topic of resources('aws_sns_topic')) {
    if (topic.kms_master_key_id === `\${aws_kms_key.${key.key}.arn}`) edge(id('kms', key.key), id('topic', topic.key), 'encrypts', 'style=dotted');
  }
}
out.push('}');
process.stdout.write(out.join('\n') + '\n');
