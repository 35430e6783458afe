// `terraform plan` and the checks AWS makes at `apply`, offline, for deploy/aws: stand-ins for
// every resource and data source the files refer to, with the ARNs, names and URLs AWS would
// give them (derived from each resource's own arguments), the account's Lambda quota as the
// data source would read it, the resource preconditions, and the rules AWS applies when it
// creates the functions (PutFunctionConcurrency keeps 100 unreserved; a mapping's maximum
// concurrency is 2 to 1000; a queue's visibility timeout covers its function's timeout). The
// sandbox replaces the stand-ins of what it really creates (queues, topic, database, API) with
// its own; tests/deploy evaluates the files with these as they are.
import { Evaluator } from './terraform.mjs';

export const ACCOUNT = '000000000000';

// Stand-ins deriving each resource's attributes from its arguments, as AWS would name it.
export function planStandIns({ region = 'us-east-1', account = ACCOUNT, lambdaQuota = 1000 } = {}) {
  const arn = (service, rest) => `arn:aws:${service}:${region}:${account}:${rest}`;
  const id = (type) => (i) => ({ id: `${type}-${i.key ?? 'main'}` });
  return {
    aws_sqs_queue: { dead_letter: queue, work: queue },
    aws_sns_topic: { stock_events: topic, alerts: topic },
    aws_kms_key: { alerts: () => ({ arn: arn('kms', 'key/00000000-alerts'), key_id: '00000000-alerts', id: '00000000-alerts' }) },
    aws_db_instance: { warehouse: (i) => ({ address: `${i.argument('identifier')}.rds.${region}.amazonaws.com`,
      endpoint: `${i.argument('identifier')}.rds.${region}.amazonaws.com:3306`, db_name: i.argument('db_name'),
      master_user_secret: [{ secret_arn: arn('secretsmanager', `secret:rds!db-${i.argument('identifier')}-aaaaaa`) }] }) },
    aws_db_subnet_group: { warehouse: (i) => ({ name: i.argument('name'), id: i.argument('name') }) },
    aws_db_parameter_group: { warehouse: (i) => ({ name: i.argument('name'), id: i.argument('name') }) },
    aws_secretsmanager_secret: { callback: secret, admin_token: secret, database_user: secret },
    aws_sesv2_email_identity: { sender: identity, recipient: identity },
    aws_cloudwatch_log_group: { function: (i) => ({ name: i.argument('name'), arn: arn('logs', `log-group:${i.argument('name')}`) }) },
    aws_iam_role: { function: (i) => ({ name: i.argument('name'), id: i.argument('name'), arn: `arn:aws:iam::${account}:role/${i.argument('name')}` }) },
    aws_lambda_function: { function: (i) => {
      const fn = arn('lambda', `function:${i.argument('function_name')}`);
      return { arn: fn, function_name: i.argument('function_name'),
        invoke_arn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${fn}/invocations` };
    } },
    aws_apigatewayv2_api: { http: () => ({ id: 'a1b2c3', api_endpoint: `https://a1b2c3.execute-api.${region}.amazonaws.com`,
      execution_arn: `arn:aws:execute-api:${region}:${account}:a1b2c3` }) },
    aws_apigatewayv2_integration: { function: (i) => ({ id: `integration-${i.key}` }) },
    aws_apigatewayv2_route: { route: (i) => ({ id: `route-${i.key}` }) },
    aws_cloudwatch_event_rule: { relay: (i) => ({ name: i.argument('name'), arn: arn('events', `rule/${i.argument('name')}`) }) },
    aws_vpc: { main: () => ({ id: 'vpc-0', cidr_block: '10.40.0.0/16' }) },
    aws_subnet: { private: id('subnet-private'), public: id('subnet-public') },
    aws_security_group: { functions: id('sg-functions'), database: id('sg-database') },
    aws_internet_gateway: { main: id('igw') },
    aws_eip: { nat: id('eipalloc') },
    aws_nat_gateway: { main: id('nat') },
    aws_route_table: { public: id('rtb-public'), private: id('rtb-private') },
    aws_iam_role_policy: { function: id('policy') },
    data: {
      aws_caller_identity: { current: () => ({ account_id: account }) },
      aws_availability_zones: { available: () => ({ names: [`${region}a`, `${region}b`, `${region}c`] }) },
      aws_servicequotas_service_quota: { lambda_concurrency: () => ({ value: lambdaQuota }) },
    },
  };
  function queue(i) {
    const name = i.argument('name');
    const url = `https://sqs.${region}.amazonaws.com/${account}/${name}`;
    return { name, arn: arn('sqs', name), url, id: url };
  }
  function topic(i) {
    const name = i.argument('name');
    return { name, arn: arn('sns', name), id: arn('sns', name) };
  }
  function secret(i) {
    const a = arn('secretsmanager', `secret:${i.argument('name')}-bbbbbb`);
    return { arn: a, id: a, name: i.argument('name') };
  }
  function identity(i) {
    return { arn: arn('ses', `identity/${i.argument('email_identity')}`), email_identity: i.argument('email_identity') };
  }
}

// `terraform plan` for `variables`: the evaluator, once every precondition held (else throws
// with the failing one's message, as plan stops).
export function plan(deployment, variables, standIns) {
  const tf = new Evaluator(deployment, variables, standIns);
  tf.checkPreconditions();
  return tf;
}

// What AWS refuses when `apply` creates the functions and their mappings, in its own words
// (an empty list when it would all be created).
export function applyProblems(tf, lambdaQuota) {
  const problems = [];
  let reserved = 0;
  for (const { key, scope, body } of tf.instances('aws_lambda_function', 'function')) {
    const r = tf.value(body.reserved_concurrent_executions ?? -1, scope);
    if (r >= 0) reserved += r;
    const timeout = tf.value(body.timeout ?? 3, scope);
    if (timeout > 900) problems.push(`${key}: timeout ${timeout} s is above Lambda's 900`);
  }
  // Lambda keeps 100 concurrent executions unreserved (all of them below 100).
  const minimum = Math.min(100, lambdaQuota);
  if (lambdaQuota - reserved < minimum) {
    problems.push(`PutFunctionConcurrency: InvalidParameterValueException: Specified ReservedConcurrentExecutions for ` +
      `function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimum}]. ` +
      `(${reserved} reserved, account quota ${lambdaQuota})`);
  }
  for (const { key, scope, body } of tf.instances('aws_lambda_event_source_mapping', 'queue')) {
    const maximum = tf.value([].concat(body.scaling_config ?? [])[0]?.maximum_concurrency ?? 1000, scope);
    if (maximum < 2 || maximum > 1000) problems.push(`${key}: maximum concurrency ${maximum} is not from 2 to 1000`);
  }
  return problems;
}
