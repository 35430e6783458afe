// The AWS stand-ins' gate (tools/node/aws-check): the signature check agrees with AWS's own
// SigV4 test suite, and a request AWS would refuse is refused, in each service's own words:
// signed 6 minutes off, with a wrong secret, with a header left unsigned, scoped to another
// region or service, without its session token; IAM and KMS refusals; SES's send quota.
//
// Run: node tests/aws/aws_check_test.mjs
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'node:test';

import { verifySignature, formatAmzDate } from '../../tools/node/aws-check/sigv4.mjs';
import { AwsGate, SesQuota, TEST_CREDENTIALS } from '../../tools/node/aws-check/gate.mjs';
import { Account, awsManagedKeyPolicy } from '../../tools/node/aws-check/iam.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { SignatureV4 } = createRequire(join(repo, 'tools/node/noop.js'))('@smithy/signature-v4');

class Sha256 {
  constructor(secret) { this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret); }
  update(data) { this.hash.update(typeof data === 'string' ? Buffer.from(data) : data); }
  digest() { return Promise.resolve(new Uint8Array(this.hash.digest())); }
}

// --- AWS's test suite: every request it signs is accepted --------------------------------------
const suite = join(repo, 'tests/data/aws-sigv4-testsuite');
function readCase(file) {
  const text = readFileSync(file, 'utf8');
  const [head, ...rest] = text.split('\n\n');
  const lines = head.split('\n');
  const method = lines[0].slice(0, lines[0].indexOf(' '));
  const target = lines[0].slice(method.length + 1, lines[0].lastIndexOf(' HTTP/'));
  const headers = [];
  for (const line of lines.slice(1)) {
    if (/^\s/.test(line) && headers.length) { headers.at(-1)[1] += ` ${line.trim()}`; continue; }
    const colon = line.indexOf(':');
    headers.push([line.slice(0, colon), line.slice(colon + 1)]);
  }
  const question = target.indexOf('?');
  return { method, path: question < 0 ? target : target.slice(0, question),
    query: question < 0 ? '' : target.slice(question + 1), headers, body: rest.join('\n\n') };
}
function suiteCases(dir = suite) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return suiteCases(path);
    return entry.name.endsWith('.req') ? [path] : [];
  });
}

test('every signed request of AWS\'s SigV4 test suite is accepted', async () => {
  const cases = suiteCases();
  assert.ok(cases.length >= 30, `${cases.length} cases in ${suite}`);
  const now = new Date('2015-08-30T12:36:00Z');
  for (const file of cases) {
    // The headers as sent (.sreq: with a session token where the case has one), the body of
    // the .req, the Authorization of the .authz.
    const request = { ...readCase(file.replace(/\.req$/, '.sreq')), body: readCase(file).body };
    request.headers = request.headers.filter(([n]) => n.toLowerCase() !== 'authorization');
    request.headers.push(['Authorization', readFileSync(file.replace(/\.req$/, '.authz'), 'utf8').trim()]);
    const token = request.headers.find(([n]) => n.toLowerCase() === 'x-amz-security-token')?.[1];
    const verdict = await verifySignature(request, { region: 'us-east-1', service: 'service', now,
      credentials: (id) => id === 'AKIDEXAMPLE' && { secretAccessKey: TEST_CREDENTIALS.secretAccessKey, sessionToken: token } });
    if (file.includes('post-sts-header-after')) {
      // The token added after signing: AWS accepts that from some services; these stand-ins
      // want it signed, as the AWS SDKs and Donut-States' signer do.
      assert.equal(verdict.kind, 'mismatch', file);
      assert.match(verdict.message, /not signed: x-amz-security-token/);
      continue;
    }
    assert.ok(verdict.ok, `${file}: ${verdict.message}`);
  }
});

// --- requests AWS refuses ------------------------------------------------------------------------
async function sign({ service = 'sqs', region = 'us-east-1', credentials = TEST_CREDENTIALS, at = new Date(),
  headers = {}, body = '{}', path = '/', host = '127.0.0.1:1' } = {}) {
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256, applyChecksum: false });
  const signedRequest = await signer.sign({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', path,
    query: {}, headers: { host, ...headers }, body }, { signingDate: at });
  return { method: 'POST', path, query: '', headers: Object.entries(signedRequest.headers), body };
}
const check = (request, { now = new Date(), sessionToken } = {}) => verifySignature(request, {
  region: 'us-east-1', service: 'sqs', now,
  credentials: (id) => id === TEST_CREDENTIALS.accessKeyId && { secretAccessKey: TEST_CREDENTIALS.secretAccessKey, sessionToken } });

test('a request signed 6 minutes off is refused, either way; 4 minutes off passes', async () => {
  const now = new Date();
  const late = await check(await sign({ at: new Date(now - 6 * 60e3) }), { now });
  assert.equal(late.kind, 'skewed');
  assert.match(late.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
  const early = await check(await sign({ at: new Date(+now + 6 * 60e3) }), { now });
  assert.equal(early.kind, 'skewed');
  assert.match(early.message, /^Signature not yet current:/);
  // Nine hours ahead: a signer that wrote its local time in Seoul as UTC.
  const seoul = await check(await sign({ at: new Date(+now + 9 * 3600e3) }), { now });
  assert.match(seoul.message, /not yet current/);
  assert.ok((await check(await sign({ at: new Date(now - 4 * 60e3) }), { now })).ok);
});

test('a wrong secret, a tampered body and an unknown key are refused', async () => {
  const wrong = await check(await sign({ credentials: { ...TEST_CREDENTIALS, secretAccessKey: 'not-the-secret' } }));
  assert.equal(wrong.kind, 'mismatch');
  assert.match(wrong.message, /The request signature we calculated does not match/);
  const tampered = await sign();
  tampered.body = '{"QueueName":"other"}';
  assert.equal((await check(tampered)).kind, 'mismatch');
  const stranger = await check(await sign({ credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' } }));
  assert.equal(stranger.kind, 'unknown_key');
});

test('an unsigned header is refused: an x-amz-* header, host, x-amz-date', async () => {
  const extra = await sign();
  extra.headers.push(['X-Amz-Target', 'AmazonSQS.DeleteQueue']);  // added after signing
  const refused = await check(extra);
  assert.equal(refused.kind, 'mismatch');
  assert.match(refused.message, /headers present in the request which were not signed: x-amz-target/);
  for (const name of ['host', 'x-amz-date']) {
    const request = await sign();
    const auth = request.headers.find(([n]) => n === 'authorization');
    auth[1] = auth[1].replace(/SignedHeaders=([^,]*)/, (_, list) => `SignedHeaders=${list.split(';').filter((h) => h !== name).join(';')}`);
    const verdict = await check(request);
    assert.equal(verdict.kind, 'mismatch', name);
    assert.match(verdict.message, /must be a 'SignedHeader'/, name);
  }
  const noDate = await sign();
  noDate.headers = noDate.headers.filter(([n]) => n !== 'x-amz-date');
  assert.equal((await check(noDate)).kind, 'incomplete');
  const broken = await sign();
  broken.headers.find(([n]) => n === 'authorization')[1] = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sqs/aws4_request';
  assert.equal((await check(broken)).kind, 'incomplete');
  assert.equal((await check({ ...await sign(), headers: [['host', 'x']] })).kind, 'missing');
});

test('the credential scope must name this region, this service and the signing date', async () => {
  assert.match((await check(await sign({ region: 'eu-west-1' }))).message, /scoped to a valid region/);
  assert.match((await check(await sign({ service: 'sns' }))).message, /scoped to correct service: 'sqs'/);
  const request = await sign();
  const auth = request.headers.find(([n]) => n === 'authorization');
  auth[1] = auth[1].replace(/Credential=AKIDEXAMPLE\/(\d{8})/, 'Credential=AKIDEXAMPLE/19990101');
  assert.match((await check(request)).message, /Date in Credential scope does not match/);
});

test('temporary credentials: the session token must be there, right, and signed', async () => {
  const temporary = { ...TEST_CREDENTIALS, sessionToken: 'the-token' };
  assert.ok((await check(await sign({ credentials: temporary }), { sessionToken: 'the-token' })).ok);
  assert.equal((await check(await sign(), { sessionToken: 'the-token' })).kind, 'bad_token');
  assert.equal((await check(await sign({ credentials: { ...temporary, sessionToken: 'stolen' } }),
    { sessionToken: 'the-token' })).kind, 'bad_token');
});

// --- through the gate: each service's own refusal ------------------------------------------------
// Runs `body(gate, account)` with a gate for `services` in front of a stand-in that answers 200
// to whatever passes; `principals` go into the gate's account.
async function withGate({ services, principals, ses }, body) {
  const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const account = new Account({ account: '000000000000', region: 'us-east-1' });
  for (const principal of principals) account.addPrincipal(principal);
  const gate = new AwsGate({ account, upstream: `http://127.0.0.1:${server.address().port}`, services, ses });
  await gate.listen();
  try {
    await body(gate, account);
  } finally {
    gate.close();
    server.close();
  }
}
const anyone = { arn: 'arn:aws:iam::000000000000:user/t', ...TEST_CREDENTIALS, unrestricted: true };

async function send(gate, { service, headers, body, path = '/', credentials, at }) {
  const host = `127.0.0.1:${gate.port}`;
  const request = await sign({ service, headers, body, path, credentials, at, host });
  const res = await fetch(`http://${host}${path}`, { method: 'POST',
    headers: Object.fromEntries(request.headers.filter(([n]) => n !== 'host')), body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

test('each service refuses in its own shape: SQS and Secrets Manager JSON, SNS XML, SES REST', () =>
  withGate({ services: ['sqs', 'sns', 'ses', 'secretsmanager'], principals: [anyone] }, async (gate) => {
    const late = new Date(Date.now() - 6 * 60e3);
    const sqs = await send(gate, { service: 'sqs', at: late, body: '{"QueueName":"q"}',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.GetQueueUrl' } });
    assert.equal(sqs.status, 403);
    assert.equal(JSON.parse(sqs.text).__type, 'com.amazon.coral.service#InvalidSignatureException');
    assert.match(JSON.parse(sqs.text).message, /^Signature expired/);
    assert.equal(sqs.headers.get('x-amzn-query-error'), 'SignatureDoesNotMatch;Sender');

    const sns = await send(gate, { service: 'sns', credentials: { ...TEST_CREDENTIALS, secretAccessKey: 'wrong' },
      body: 'Action=ListTopics&Version=2010-03-31', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(sns.status, 403);
    assert.match(sns.text, /<Code>SignatureDoesNotMatch<\/Code>/);
    assert.match(sns.text, /<Type>Sender<\/Type>/);

    const ses = await send(gate, { service: 'sqs', path: '/v2/email/outbound-emails', body: '{}',
      headers: { 'content-type': 'application/json' } });  // signed for the wrong service
    assert.equal(ses.status, 403);
    assert.equal(ses.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
    assert.match(JSON.parse(ses.text).message, /scoped to correct service: 'ses'/);

    const secrets = await send(gate, { service: 'secretsmanager', body: '{"SecretId":"x"}',
      credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' },
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' } });
    assert.equal(JSON.parse(secrets.text).__type, 'com.amazon.coral.service#UnrecognizedClientException');  // no such key
    assert.equal(gate.forwarded, 0, 'nothing refused reached the stand-in');
    assert.equal(gate.refusals.length, 4);
  }));

test('IAM and key policies: AccessDenied in each service\'s words, and what is allowed passes', async () => {
  const queue = 'arn:aws:sqs:us-east-1:000000000000:work';
  const topic = 'arn:aws:sns:us-east-1:000000000000:events';
  const customerKey = 'arn:aws:kms:us-east-1:000000000000:key/0000-alerts';
  const json = { 'content-type': 'application/x-amz-json-1.0' };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const relay = { arn: 'arn:aws:sts::000000000000:assumed-role/relay/relay', ...TEST_CREDENTIALS,
    policies: [{ name: 'p', policy: { Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Action: ['sqs:ReceiveMessage'], Resource: [queue] },
      { Effect: 'Allow', Action: ['sns:Publish'], Resource: [topic] }] } }] };
  await withGate({ services: ['sqs', 'sns'], principals: [relay] }, async (gate, account) => {
    const receive = await send(gate, { service: 'sqs', body: JSON.stringify({ QueueUrl: 'http://x/000000000000/work' }),
      headers: { ...json, 'x-amz-target': 'AmazonSQS.ReceiveMessage' } });
    assert.equal(receive.status, 200, receive.text);
    const remove = await send(gate, { service: 'sqs', body: JSON.stringify({ QueueUrl: 'http://x/000000000000/work', ReceiptHandle: 'r' }),
      headers: { ...json, 'x-amz-target': 'AmazonSQS.DeleteMessage' } });
    assert.equal(remove.status, 400);
    assert.equal(JSON.parse(remove.text).__type, 'com.amazonaws.sqs#AccessDeniedException');
    assert.equal(remove.headers.get('x-amzn-query-error'), 'AccessDenied;Sender');
    assert.match(JSON.parse(remove.text).message,
      /^User: arn:aws:sts::000000000000:assumed-role\/relay\/relay is not authorized to perform: sqs:DeleteMessage on resource: arn:aws:sqs:us-east-1:000000000000:work because no identity-based policy allows/);

    const publish = () => send(gate, { service: 'sns', headers: form,
      body: `Action=Publish&TopicArn=${encodeURIComponent(topic)}&Message=m&Version=2010-03-31` });
    account.encrypt(topic, 'arn:aws:kms:us-east-1:000000000000:key/aws-managed-sns', awsManagedKeyPolicy('000000000000', 'sns', 'us-east-1'));
    assert.equal((await publish()).status, 200, 'an AWS managed key: any principal of the account, through SNS');
    // A customer key whose policy leaves its use to IAM, and no IAM policy grants it.
    account.encrypt(topic, customerKey, { Version: '2012-10-17', Statement: [{ Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kms:*', Resource: '*' }] });
    const refused = await publish();
    assert.equal(refused.status, 400);
    assert.match(refused.text, /<Code>KMSAccessDenied<\/Code>/);
    assert.match(refused.text, /kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:000000000000:key\/0000-alerts/);
    const other = await send(gate, { service: 'sns', headers: form,
      body: `Action=Publish&TopicArn=${encodeURIComponent(topic + '-other')}&Message=m&Version=2010-03-31` });
    assert.equal(other.status, 403);
    assert.match(other.text, /<Code>AuthorizationError<\/Code>/);
  });
});

test('SES: GetAccount gives the quota; sends beyond the rate or the day, or unverified, are refused', async () => {
  let now = Date.now();
  const quota = new SesQuota({ maxSendRate: 2, max24HourSend: 5, now: () => now });
  const ses = { quota, sandbox: true, identities: new Set(['shop@example.com', 'ops@example.com']) };
  await withGate({ services: ['ses'], principals: [anyone], ses }, async (gate) => {
    const mail = (to) => send(gate, { service: 'ses', path: '/v2/email/outbound-emails',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ FromEmailAddress: 'shop@example.com', Destination: { ToAddresses: [to] }, Content: {} }) });
    const host = `127.0.0.1:${gate.port}`;
    const signed = await sign({ service: 'ses', path: '/v2/email/account', host, body: '' });
    const res = await fetch(`http://${host}/v2/email/account`, { method: 'GET',
      headers: Object.fromEntries(signed.headers.filter(([n]) => n !== 'host')) });
    assert.equal(res.status, 403, 'signed as a POST, sent as a GET');
    assert.equal((await mail('ops@example.com')).status, 200);
    assert.equal((await mail('ops@example.com')).status, 200, 'a burst of MaxSendRate');
    const fast = await mail('ops@example.com');
    assert.equal(fast.status, 429);
    assert.equal(fast.headers.get('x-amzn-errortype'), 'TooManyRequestsException');
    assert.match(JSON.parse(fast.text).message, /Maximum sending rate exceeded/);
    const stranger = await mail('someone@elsewhere.example');
    assert.equal(stranger.headers.get('x-amzn-errortype'), 'MessageRejected');
    assert.match(JSON.parse(stranger.text).message, /not verified.*someone@elsewhere\.example/);
    for (let i = 0; i < 3; i++) { now += 1000; assert.equal((await mail('ops@example.com')).status, 200); }
    now += 1000;
    const daily = await mail('ops@example.com');
    assert.equal(daily.headers.get('x-amzn-errortype'), 'LimitExceededException');
    assert.deepEqual(quota.answer(true).SendQuota, { Max24HourSend: 5, MaxSendRate: 2, SentLast24Hours: 5 });
    now += 86400e3;
    assert.equal((await mail('ops@example.com')).status, 200, 'a day later');
  });
});

test('amz dates render as AWS writes them', () => {
  assert.equal(formatAmzDate(new Date('2015-08-30T12:36:00.123Z')), '20150830T123600Z');
});
