// A reverse proxy in front of an AWS stand-in (the SNS/SQS and SES emulators, the sandbox's
// Secrets Manager) that checks every request as AWS does before the service sees it, and
// refuses it in that service's own words when AWS would:
//   1. the SigV4 signature, recomputed with the caller's secret (sigv4.mjs): scope, signed
//      headers, session token, and the clock (more than 5 minutes off is refused);
//   2. IAM: the caller's identity policies and the resource's policy for each action and ARN
//      the request needs (services.mjs, iam.mjs), and the KMS key policy of an encrypted
//      resource; a refusal is AccessDenied (AuthorizationError on SNS, KMS errors for keys);
//   3. SES only: GetAccount answered with the account's send quota, sends paced to it (more
//      than MaxSendRate a second, or Max24HourSend a day, is refused as SES refuses them) and,
//      in the SES sandbox, sender and recipients verified.
// What passes is forwarded unchanged. Refusals are kept in `refusals` for the tests to read.
//
// As a program (scripts/test-server starts one in front of each emulator):
//   node gate.mjs --port <p> --upstream <url> --services sqs,sns|ses [--region r]
//        [--ses-max-send-rate n] [--ses-max-24-hour-send n]
// with the test suites' credentials (AKIDEXAMPLE, and ASIAEXAMPLETEMPORARY with its session token:
// both unrestricted), or --principals <json file>:
// [{ arn, accessKeyId, secretAccessKey, sessionToken?, policies? }] (no policies: unrestricted).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

import { Account } from './iam.mjs';
import { verifySignature } from './sigv4.mjs';
import { deniedMessage, identify, refusal, requirements } from './services.mjs';

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
// Temporary credentials, as Lambda gives a function (a session token with every request).
export const TEST_TEMPORARY_CREDENTIALS = { accessKeyId: 'ASIAEXAMPLETEMPORARY',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYTEMPORARY', sessionToken: 'example-session-token' };

// SES's send quota for one account: a token bucket of MaxSendRate a second and a rolling
// 24-hour count.
export class SesQuota {
  constructor({ maxSendRate = 1, max24HourSend = 200, now = () => Date.now() } = {}) {
    Object.assign(this, { maxSendRate, max24HourSend, now });
    this.tokens = Math.max(1, maxSendRate);
    this.refilledAt = now();
    this.sent = [];  // times of the sends of the last 24 hours
  }

  sentLast24Hours() {
    const since = this.now() - 86400e3;
    while (this.sent.length && this.sent[0] <= since) this.sent.shift();
    return this.sent.length;
  }

  // null when the send may go, else the refusal's kind and message.
  take() {
    const now = this.now();
    this.tokens = Math.min(Math.max(1, this.maxSendRate), this.tokens + ((now - this.refilledAt) / 1000) * this.maxSendRate);
    this.refilledAt = now;
    if (this.sentLast24Hours() >= this.max24HourSend) return { kind: 'quota', message: 'Daily message quota exceeded.' };
    if (this.tokens < 1) return { kind: 'throttled', message: 'Maximum sending rate exceeded.' };
    this.tokens -= 1;
    this.sent.push(now);
    return null;
  }

  answer(sandbox) {
    return { DedicatedIpAutoWarmupEnabled: false, EnforcementStatus: 'HEALTHY', ProductionAccessEnabled: !sandbox,
      SendingEnabled: true, SuppressionAttributes: { SuppressedReasons: [] },
      SendQuota: { Max24HourSend: this.max24HourSend, MaxSendRate: this.maxSendRate, SentLast24Hours: this.sentLast24Hours() } };
  }
}

export class AwsGate {
  // `account`: an Account (iam.mjs); `upstream`: base URL of the stand-in; `services`: the
  // services this endpoint answers for; `ses`: { quota: SesQuota, sandbox, identities: Set of
  // verified addresses and domains, or null for "every identity verified" }; `secretArn(id)`:
  // a Secrets Manager SecretId to its ARN; `now()`: the gate's clock (ms).
  constructor({ account, upstream, services, ses = null, secretArn = (id) => id, now = () => Date.now(), log = null }) {
    Object.assign(this, { account, upstream: new URL(upstream), services: new Set(services), ses, secretArn, now, log });
    this.agent = new http.Agent({ keepAlive: true });
    this.refusals = [];
    this.forwarded = 0;
    this.slow = {};  // action -> ms added before forwarding (tests of a service slow to answer)
  }

  async listen(port = 0) {
    this.server = http.createServer((req, res) => this.handle(req, res).catch((e) => {
      console.error(`aws-check: ${e.stack ?? e}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ __type: 'InternalFailure', message: `aws-check: ${e.message}` }));
    }));
    await new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    return this.port;
  }

  close() {
    this.server?.close();
    this.server?.closeAllConnections?.();
    this.agent.destroy();
  }

  world() {
    const { account, region } = this.account;
    const identities = this.ses?.identities;
    return { account, region, secretArn: this.secretArn, ses: {
      sandbox: Boolean(this.ses?.sandbox),
      identityArn: (address) => {
        const domain = address.split('@')[1];
        const name = identities && !identities.has(address) && identities.has(domain) ? domain : address;
        return `arn:aws:ses:${region}:${account}:identity/${name}`;
      } } };
  }

  async handle(req, res) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const request = identify(req.method, req.url, req.headers, body.toString('utf8'));
    if (!request || !this.services.has(request.service)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `not an API of ${[...this.services].join('/')}: ${req.method} ${req.url}` }));
      return;
    }
    const refused = (kind, message, principal = '') => {
      this.refusals.push({ service: request.service, action: request.action, kind, message, principal });
      if (this.log) this.log(`refused ${request.service}:${request.action} (${kind}): ${message}`);
      const answer = refusal(request, kind, message);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    };
    const [path, query = ''] = req.url.split(/\?(.*)/s);
    const verdict = await verifySignature({ method: req.method, path, query, headers: rawPairs(req.rawHeaders), body }, {
      credentials: (id) => this.account.credentials(id), region: this.account.region,
      service: request.service, now: new Date(this.now()) });  // each signs as its own name
    if (!verdict.ok) return refused(verdict.kind, verdict.message);
    const principal = this.account.principal(verdict.credential.accessKeyId);
    const denied = await this.authorize(principal, request);
    if (denied) return refused(denied.kind, denied.message, principal.arn);
    if (request.service === 'ses' && this.ses) {
      const answered = this.answerSes(request, res, refused);
      if (answered) return;
    }
    this.forwarded++;
    const slow = this.slow[request.action];  // a test's slow service: this action answers late
    if (slow) await new Promise((resolve) => setTimeout(resolve, slow));
    await this.forward(req, body, res);
  }

  // The first refusal IAM or KMS gives, or null.
  async authorize(principal, request) {
    let needs;
    try {
      needs = requirements(request, this.world());
    } catch (e) {
      if (!e.unknownAction) throw e;
      return { kind: 'unknown_action', message: `The action ${request.action} is not valid for this endpoint.` };
    }
    for (const { action, resource } of needs.iam) {
      const decision = await this.account.authorize(principal, action, resource);
      if (!decision.allowed) return { kind: 'denied', message: deniedMessage(principal.arn, action, resource, decision.reason) };
    }
    for (const { resource, use } of needs.kms) {
      const decision = await this.account.authorizeKeyUse(principal, resource, use);
      if (decision && !decision.allowed) {
        return { kind: 'kms_denied', message: `User: ${principal.arn} is not authorized to perform: ${decision.action} ` +
          `on resource: ${decision.keyArn} because ${decision.reason} (the key of ${resource})` };
      }
    }
    return null;
  }

  // GetAccount, and the quota and verification rules of SendEmail. True when answered here.
  answerSes(request, res, refused) {
    if (request.action === 'GetAccount') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.ses.quota.answer(this.ses.sandbox)));
      return true;
    }
    if (request.action !== 'SendEmail') return false;
    const identities = this.ses.identities;
    if (identities) {
      const addresses = [request.params.FromEmailAddress, ...(this.ses.sandbox ? request.params.Destination?.ToAddresses ?? [] : [])];
      const unverified = addresses.filter((a) => !identities.has(a) && !identities.has(String(a).split('@')[1]));
      if (unverified.length) {
        refused('rejected', `Email address is not verified. The following identities failed the check in region ${this.account.region.toUpperCase()}: ${unverified.join(', ')}`);
        return true;
      }
    }
    const over = this.ses.quota.take();
    if (over) {
      refused(over.kind, over.message);
      return true;
    }
    return false;
  }

  forward(req, body, res) {
    return new Promise((resolve, reject) => {
      const upstream = http.request({ host: this.upstream.hostname, port: this.upstream.port, method: req.method,
        path: req.url, headers: req.headers, agent: this.agent }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', reject);
      });
      upstream.on('error', (e) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `aws-check: upstream ${this.upstream.host}: ${e.message}` }));
        resolve();
      });
      upstream.end(body);
    });
  }
}

function rawPairs(raw) {
  const pairs = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
  return pairs;
}

async function main() {
  const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' },
    services: { type: 'string' }, region: { type: 'string', default: 'us-east-1' },
    principals: { type: 'string' }, 'ses-max-send-rate': { type: 'string', default: '1' },
    'ses-max-24-hour-send': { type: 'string', default: '200' } } });
  const account = new Account({ account: '000000000000', region: values.region });
  const principals = values.principals ? JSON.parse(readFileSync(values.principals, 'utf8'))
    : [{ arn: 'arn:aws:iam::000000000000:user/donut-tests', ...TEST_CREDENTIALS },
      { arn: 'arn:aws:sts::000000000000:assumed-role/donut-tests/function', ...TEST_TEMPORARY_CREDENTIALS }];
  for (const p of principals) account.addPrincipal({ ...p, unrestricted: !p.policies });
  const services = values.services.split(',');
  const ses = services.includes('ses') ? { sandbox: false, identities: null,
    quota: new SesQuota({ maxSendRate: Number(values['ses-max-send-rate']), max24HourSend: Number(values['ses-max-24-hour-send']) }) } : null;
  const gate = new AwsGate({ account, upstream: values.upstream, services, ses, log: (line) => console.log(line) });
  await gate.listen(Number(values.port));
  console.log(`aws-check listening on 127.0.0.1:${gate.port} for ${services.join(',')} -> ${values.upstream}`);
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { gate.close(); process.exit(0); });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
