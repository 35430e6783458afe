// What the sandbox does in AWS's place: calls to the SNS/SQS emulator to create what Terraform
// would (straight to the emulator, as the deployer's own calls; the functions' calls go through
// the checking gate, tools/node/aws-check), an SQS event source mapping (polling with its
// function's role, through the gate), an EventBridge schedule and a Secrets Manager.
import http from 'node:http';

export async function sqs(endpoint, action, body) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AmazonSQS.${action}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`SQS ${action}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

export async function sns(endpoint, action, params) {
  const form = new URLSearchParams({ Action: action, Version: '2010-03-31', ...params });
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`SNS ${action}: ${res.status} ${text}`);
  return text;
}

// Terraform's aws_sqs_queue arguments as SQS attributes; an argument without a mapping throws.
const QUEUE_ATTRIBUTES = {
  visibility_timeout_seconds: 'VisibilityTimeout',
  message_retention_seconds: 'MessageRetentionPeriod',
  delay_seconds: 'DelaySeconds',
  receive_wait_time_seconds: 'ReceiveWaitTimeSeconds',
  max_message_size: 'MaximumMessageSize',
  redrive_policy: 'RedrivePolicy',
  sqs_managed_sse_enabled: 'SqsManagedSseEnabled',
};
const QUEUE_IGNORED = new Set(['name', 'for_each', 'tags']);

export function queueAttributes(evaluated) {
  const attributes = {};
  for (const [argument, value] of Object.entries(evaluated)) {
    if (QUEUE_IGNORED.has(argument)) continue;
    const name = QUEUE_ATTRIBUTES[argument];
    if (!name) throw new Error(`sandbox: aws_sqs_queue argument ${argument} has no SQS attribute mapping`);
    attributes[name] = String(value);
  }
  return attributes;
}

// An SQS event source mapping as Lambda runs one: pollers long-poll the queue with the
// function's role (`call`: signed SQS calls, so IAM decides what they may do), each gathers up to
// `batchSize` messages within the batching window and invokes the function with an SQS event,
// then deletes what succeeded; `maximumConcurrency` pollers at most, so never more invocations
// at once. With ReportBatchItemFailures the function names the failures (an answer that cannot be
// read fails the whole batch); a function error or timeout deletes nothing; an invocation Lambda
// throttled is tried again a second later. Undeleted messages come back after their visibility
// timeout (or sooner when the function changed it), and SQS moves them to the dead-letter queue
// after maxReceiveCount. A refused SQS call (IAM) is kept in `problem`, as Lambda shows a
// mapping's last processing result, and polling goes on.
export class SqsEventSource {
  constructor({ call, queueUrl, queueArn, region, batchSize, windowMs, reportBatchItemFailures, invoke,
    maximumConcurrency = 1 }) {
    Object.assign(this, { call, queueUrl, queueArn, region, batchSize, windowMs, reportBatchItemFailures, invoke,
      maximumConcurrency });
    this.stats = { batches: 0, messages: 0, deleted: 0, failed: 0, failedBatches: 0, throttled: 0 };
    this.problem = null;
  }

  start() {
    this.running = true;
    this.done = Promise.all(Array.from({ length: this.maximumConcurrency }, () => this.loop()));
  }

  async stop() {
    this.running = false;
    await this.done;
  }

  async loop() {
    while (this.running) {
      let messages;
      try {
        messages = await this.gather();
      } catch (e) {
        if (!this.running) break;
        this.problem = e.message;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (messages.length === 0) continue;
      try {
        await this.deliver(messages);
      } catch (e) {
        this.problem = e.message;
      }
    }
  }

  async gather() {
    const messages = [];
    const deadline = Date.now() + this.windowMs;
    while (this.running && messages.length < this.batchSize) {
      const wait = messages.length === 0 ? 1 : Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      const answer = await this.call('ReceiveMessage', {
        QueueUrl: this.queueUrl, MaxNumberOfMessages: Math.min(10, this.batchSize - messages.length),
        WaitTimeSeconds: wait, AttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'] });
      messages.push(...(answer.Messages ?? []));
      if (messages.length > 0 && Date.now() >= deadline) break;
      if (messages.length === 0) break;
    }
    return messages;
  }

  async deliver(messages) {
    this.stats.batches++;
    this.stats.messages += messages.length;
    let result = await this.invoke(this.event(messages));
    while (result.throttled && this.running) {
      this.stats.throttled++;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      result = await this.invoke(this.event(messages));
    }
    if (!result.ok) {
      this.stats.failedBatches++;
      this.stats.failed += messages.length;
      return;
    }
    let failed = new Set();
    if (this.reportBatchItemFailures) {
      try {
        const answer = result.body.trim() === '' ? {} : JSON.parse(result.body);
        const failures = answer?.batchItemFailures ?? [];
        for (const f of failures) {
          if (!messages.some((m) => m.MessageId === f.itemIdentifier)) throw new Error('unknown item');
          failed.add(f.itemIdentifier);
        }
      } catch {
        failed = new Set(messages.map((m) => m.MessageId));  // an unreadable answer fails all
      }
    }
    this.stats.failed += failed.size;
    const done = messages.filter((m) => !failed.has(m.MessageId));
    if (done.length === 0) return;
    const answer = await this.call('DeleteMessageBatch', {
      QueueUrl: this.queueUrl,
      Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) });
    if (answer.Failed?.length) throw new Error(`DeleteMessageBatch: ${JSON.stringify(answer.Failed)}`);
    this.stats.deleted += done.length;
  }

  event(messages) {
    return {
      Records: messages.map((m) => ({
        messageId: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body,
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: m.Attributes?.SenderId ?? 'AIDASANDBOX',
          ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        messageAttributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, {
          stringValue: v.StringValue, stringListValues: [], binaryListValues: [], dataType: v.DataType }])),
        md5OfBody: m.MD5OfBody,
        eventSource: 'aws:sqs',
        eventSourceARN: this.queueArn,
        awsRegion: this.region,
      })),
    };
  }
}

// EventBridge's `rate(...)` schedule: invokes the target every `intervalMs`, as a Scheduled Event.
export class Schedule {
  constructor({ intervalMs, invoke, region }) {
    this.fired = 0;
    this.timer = setInterval(async () => {
      this.fired++;
      await invoke({ version: '0', id: crypto.randomUUID(), 'detail-type': 'Scheduled Event',
        source: 'aws.events', account: '000000000000', time: new Date().toISOString(),
        region, resources: [], detail: {} });
    }, intervalMs);
  }
  stop() { clearInterval(this.timer); }
}

// Secrets Manager's GetSecretValue and PutSecretValue (JSON 1.1 protocol), for the secrets
// Terraform creates (a secret declared without a value has none until it is put, as on AWS),
// behind the gate (tools/node/aws-check), which checks signatures and IAM. It counts reads and
// writes per secret (a warm function must read again after a rotation), and lets a test rotate
// a value.
export class SecretsManagerStandIn {
  constructor(region) {
    this.region = region;
    this.secrets = new Map();  // arn -> { name, value (undefined: none yet), version }
    this.reads = new Map();
    this.writes = new Map();
  }

  // The ARN of a SecretId (an ARN or a name), as Secrets Manager resolves it; the id itself when
  // no secret has it.
  arnOf(id) {
    return [...this.secrets].find(([a, s]) => a === id || s.name === id)?.[0] ?? id;
  }

  put(arn, name, value) {
    const previous = this.secrets.get(arn);
    this.secrets.set(arn, { name, value, version: (previous?.version ?? 0) + (value === undefined ? 0 : 1) });
  }

  value(arn) { return this.secrets.get(arn)?.value; }

  async listen() {
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => this.answer(req, Buffer.concat(chunks).toString(), res));
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
  }

  close() {
    this.server?.close();
    this.server?.closeAllConnections?.();
  }

  answer(req, body, res) {
    const send = (status, object) => {
      res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(object));
    };
    const action = req.headers['x-amz-target'];
    if (action !== 'secretsmanager.GetSecretValue' && action !== 'secretsmanager.PutSecretValue') {
      return send(400, { __type: 'InvalidAction', message: `${action} is not served here` });
    }
    const { SecretId, SecretString } = JSON.parse(body || '{}');
    const [arn, secret] = [...this.secrets].find(([a, s]) => a === SecretId || s.name === SecretId) ?? [];
    if (!secret) return send(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    if (action === 'secretsmanager.PutSecretValue') {
      this.put(arn, secret.name, SecretString);
      this.writes.set(arn, (this.writes.get(arn) ?? 0) + 1);
      return send(200, { ARN: arn, Name: secret.name, VersionId: `v${this.secrets.get(arn).version}`, VersionStages: ['AWSCURRENT'] });
    }
    if (secret.value === undefined) {
      return send(400, { __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT" });
    }
    this.reads.set(arn, (this.reads.get(arn) ?? 0) + 1);
    send(200, { ARN: arn, Name: secret.name, SecretString: secret.value, VersionId: `v${secret.version}`,
      VersionStages: ['AWSCURRENT'], CreatedDate: Date.now() / 1000 });
  }
}
