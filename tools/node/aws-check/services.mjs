// What a request to an AWS service is, as the service sees it before doing anything: which
// service and action (from the protocol: SQS's and Secrets Manager's JSON with X-Amz-Target,
// SNS's query form, SES v2's REST paths), the IAM action and resource ARNs it needs, the KMS
// key uses it implies, and how that service words a refusal (code, status, body shape).
//
// Only the actions Donut-States and its tests call are described; any other action of a known
// service is refused with the service's own "unknown operation" error, so a new call shows up
// here before it can reach AWS unchecked.

// --- recognising a request ------------------------------------------------------------------
const SNS_ACTIONS = new Set(['CreateTopic', 'Subscribe', 'Publish', 'ListTopics', 'ListSubscriptions',
  'ListSubscriptionsByTopic', 'GetTopicAttributes', 'SetTopicAttributes', 'SetSubscriptionAttributes',
  'GetSubscriptionAttributes', 'Unsubscribe', 'DeleteTopic']);

// { service, protocol, action, params } or null (not an AWS API request).
export function identify(method, path, headers, body) {
  const target = headers['x-amz-target'];
  if (target?.startsWith('AmazonSQS.')) return { service: 'sqs', protocol: 'json', action: target.slice(10), params: parseJson(body) };
  if (target?.startsWith('secretsmanager.')) {
    return { service: 'secretsmanager', protocol: 'json', action: target.slice(15), params: parseJson(body) };
  }
  const pathname = path.split('?')[0];
  if (pathname.startsWith('/v2/email/')) {
    const action = method === 'POST' && pathname === '/v2/email/outbound-emails' ? 'SendEmail'
      : method === 'GET' && pathname === '/v2/email/account' ? 'GetAccount' : `${method} ${pathname}`;
    return { service: 'ses', protocol: 'rest-json', action, params: method === 'POST' ? parseJson(body) : {} };
  }
  if ((headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    const form = Object.fromEntries(new URLSearchParams(body));
    if (SNS_ACTIONS.has(form.Action)) return { service: 'sns', protocol: 'query', action: form.Action, params: form };
    if (form.Action) return { service: 'sqs', protocol: 'query', action: form.Action, params: form };
  }
  return null;
}

function parseJson(body) {
  try { return JSON.parse(body || '{}'); } catch { return {}; }
}

// --- what a request needs ---------------------------------------------------------------------
// [{ action: 'sqs:ReceiveMessage', resource: arn, context?: {...} }] for IAM, and
// [{ resource: arn (the encrypted thing), use: 'encrypt'|'decrypt' }] for KMS. `world` knows the
// account, region, SES identities and secret names. Throws { unknownAction } for an action this
// file does not describe.
export function requirements(request, world) {
  const handler = REQUIREMENTS[request.service]?.[request.action];
  if (!handler) throw Object.assign(new Error(`${request.service}:${request.action}`), { unknownAction: true });
  return handler(request.params, world);
}

// A queue URL's ARN: ".../<account>/<name>" (emulators' host names are not always valid URLs).
const queueArn = (world, url) => {
  const [account, name] = String(url ?? '').replace(/^[a-z]+:\/\/[^/]*/, '').split(/[?#]/)[0]
    .split('/').filter(Boolean).slice(-2);
  return `arn:aws:sqs:${world.region}:${account}:${name}`;
};
const queueByName = (world, name) => `arn:aws:sqs:${world.region}:${world.account}:${name}`;
const sqsOn = (action, arn) => ({ iam: [{ action: `sqs:${action}`, resource: arn }], kms: [] });

const REQUIREMENTS = {
  sqs: {
    CreateQueue: (p, w) => sqsOn('CreateQueue', queueByName(w, p.QueueName)),
    GetQueueUrl: (p, w) => sqsOn('GetQueueUrl', queueByName(w, p.QueueName)),
    ListQueues: (p, w) => sqsOn('ListQueues', `arn:aws:sqs:${w.region}:${w.account}:*`),
    GetQueueAttributes: (p, w) => sqsOn('GetQueueAttributes', queueArn(w, p.QueueUrl)),
    SetQueueAttributes: (p, w) => sqsOn('SetQueueAttributes', queueArn(w, p.QueueUrl)),
    PurgeQueue: (p, w) => sqsOn('PurgeQueue', queueArn(w, p.QueueUrl)),
    DeleteQueue: (p, w) => sqsOn('DeleteQueue', queueArn(w, p.QueueUrl)),
    SendMessage: (p, w) => ({ ...sqsOn('SendMessage', queueArn(w, p.QueueUrl)), kms: [{ resource: queueArn(w, p.QueueUrl), use: 'encrypt' }] }),
    SendMessageBatch: (p, w) => ({ ...sqsOn('SendMessage', queueArn(w, p.QueueUrl)), kms: [{ resource: queueArn(w, p.QueueUrl), use: 'encrypt' }] }),
    ReceiveMessage: (p, w) => ({ ...sqsOn('ReceiveMessage', queueArn(w, p.QueueUrl)), kms: [{ resource: queueArn(w, p.QueueUrl), use: 'decrypt' }] }),
    DeleteMessage: (p, w) => sqsOn('DeleteMessage', queueArn(w, p.QueueUrl)),
    DeleteMessageBatch: (p, w) => sqsOn('DeleteMessage', queueArn(w, p.QueueUrl)),
    ChangeMessageVisibility: (p, w) => sqsOn('ChangeMessageVisibility', queueArn(w, p.QueueUrl)),
    ChangeMessageVisibilityBatch: (p, w) => sqsOn('ChangeMessageVisibility', queueArn(w, p.QueueUrl)),
    // A move task reads and deletes from the source and sends to the destination (SQS's docs
    // list these permissions for StartMessageMoveTask).
    StartMessageMoveTask: (p) => ({ iam: [
      ...['StartMessageMoveTask', 'ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes']
        .map((a) => ({ action: `sqs:${a}`, resource: p.SourceArn })),
      ...(p.DestinationArn ? [{ action: 'sqs:SendMessage', resource: p.DestinationArn }] : []),
    ], kms: [] }),
    ListMessageMoveTasks: (p) => sqsOn('ListMessageMoveTasks', p.SourceArn),
  },
  sns: {
    CreateTopic: (p, w) => ({ iam: [{ action: 'sns:CreateTopic', resource: `arn:aws:sns:${w.region}:${w.account}:${p.Name}` }], kms: [] }),
    Subscribe: (p) => ({ iam: [{ action: 'sns:Subscribe', resource: p.TopicArn }], kms: [] }),
    Publish: (p) => ({ iam: [{ action: 'sns:Publish', resource: p.TopicArn }], kms: [{ resource: p.TopicArn, use: 'encrypt' }] }),
    ListTopics: (p, w) => ({ iam: [{ action: 'sns:ListTopics', resource: '*' }], kms: [] }),
    GetTopicAttributes: (p) => ({ iam: [{ action: 'sns:GetTopicAttributes', resource: p.TopicArn }], kms: [] }),
    SetSubscriptionAttributes: (p, w) => ({ iam: [{ action: 'sns:SetSubscriptionAttributes', resource: p.SubscriptionArn?.split(':').slice(0, 6).join(':') }], kms: [] }),
    ListSubscriptionsByTopic: (p) => ({ iam: [{ action: 'sns:ListSubscriptionsByTopic', resource: p.TopicArn }], kms: [] }),
  },
  ses: {
    // SES authorises a send against the identity of the sender and, while the account is in
    // the SES sandbox, against the identity of every recipient as well.
    SendEmail: (p, w) => {
      const addresses = [p.FromEmailAddress, ...(w.ses.sandbox ? (p.Destination?.ToAddresses ?? []) : [])];
      return { iam: addresses.map((a) => ({ action: 'ses:SendEmail', resource: w.ses.identityArn(a) })), kms: [] };
    },
    GetAccount: () => ({ iam: [{ action: 'ses:GetAccount', resource: '*' }], kms: [] }),
  },
  secretsmanager: {
    GetSecretValue: (p, w) => {
      const arn = w.secretArn(p.SecretId);
      return { iam: [{ action: 'secretsmanager:GetSecretValue', resource: arn }], kms: [{ resource: arn, use: 'decrypt' }] };
    },
    // A new version of the value: encrypted under the secret's key as it is stored.
    PutSecretValue: (p, w) => {
      const arn = w.secretArn(p.SecretId);
      return { iam: [{ action: 'secretsmanager:PutSecretValue', resource: arn }], kms: [{ resource: arn, use: 'encrypt' }] };
    },
  },
};

// The service endpoint that calls KMS on the caller's behalf (the kms:ViaService value).
export const viaService = (arn, region) => `${arn.split(':')[2]}.${region}.amazonaws.com`;

// --- refusals -------------------------------------------------------------------------------
// Each kind of refusal as each service words it: [code, HTTP status].
const CODES = {
  query: { missing: ['MissingAuthenticationToken', 403], incomplete: ['IncompleteSignature', 400],
    unknown_key: ['InvalidClientTokenId', 403], bad_token: ['InvalidClientTokenId', 403],
    skewed: ['SignatureDoesNotMatch', 403], mismatch: ['SignatureDoesNotMatch', 403],
    denied: ['AuthorizationError', 403], kms_denied: ['KMSAccessDenied', 400],
    unknown_action: ['InvalidAction', 400], throttled: ['Throttling', 400], quota: ['LimitExceeded', 400],
    rejected: ['MessageRejected', 400] },
  json: { missing: ['MissingAuthenticationTokenException', 403], incomplete: ['IncompleteSignatureException', 400],
    unknown_key: ['UnrecognizedClientException', 403], bad_token: ['UnrecognizedClientException', 403],
    skewed: ['InvalidSignatureException', 403], mismatch: ['InvalidSignatureException', 403],
    denied: ['AccessDeniedException', 400], kms_denied: ['KMS.AccessDeniedException', 400],
    unknown_action: ['UnknownOperationException', 400], throttled: ['ThrottlingException', 400],
    quota: ['LimitExceededException', 400], rejected: ['MessageRejected', 400] },
};
// SQS's JSON protocol also names the error its query protocol would use.
const SQS_QUERY_CODES = { denied: 'AccessDenied', kms_denied: 'KMS.AccessDeniedException', mismatch: 'SignatureDoesNotMatch',
  skewed: 'SignatureDoesNotMatch', unknown_key: 'InvalidClientTokenId', bad_token: 'InvalidClientTokenId',
  incomplete: 'IncompleteSignature', missing: 'MissingAuthenticationToken' };
// SES v2 answers over REST: the code travels in x-amzn-ErrorType.
const SES_CODES = { denied: ['AccessDeniedException', 403], throttled: ['TooManyRequestsException', 429],
  quota: ['LimitExceededException', 400], rejected: ['MessageRejected', 400], unknown_action: ['NotFoundException', 404] };

// { status, headers, body } of a refusal of `kind` by `service` speaking `protocol`.
export function refusal({ service, protocol }, kind, message) {
  const requestId = crypto.randomUUID();
  if (protocol === 'query') {
    const [code, status] = CODES.query[kind];
    const type = status >= 500 ? 'Receiver' : 'Sender';
    return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${type}</Type>` +
        `<Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>` };
  }
  if (service === 'ses') {
    const [code, status] = SES_CODES[kind] ?? CODES.json[kind];
    return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId },
      body: JSON.stringify({ message }) };
  }
  const [code, status] = CODES.json[kind];
  const headers = { 'content-type': service === 'sqs' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
    'x-amzn-requestid': requestId };
  if (service === 'sqs' && SQS_QUERY_CODES[kind]) headers['x-amzn-query-error'] = `${SQS_QUERY_CODES[kind]};Sender`;
  const namespace = kind === 'denied' || kind === 'kms_denied' || kind === 'unknown_action'
    ? (service === 'sqs' ? 'com.amazonaws.sqs' : 'com.amazonaws.secretsmanager') : 'com.amazon.coral.service';
  return { status, headers, body: JSON.stringify({ __type: `${namespace}#${code}`, message }) };
}

function escapeXml(text) {
  return String(text).replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);
}

// AWS's wording of an IAM refusal.
export function deniedMessage(principal, action, resource, reason) {
  return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because ${reason}`;
}
