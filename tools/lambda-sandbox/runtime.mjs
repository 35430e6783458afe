// Lambda's execution environments for the packaged zips. FunctionEnvironment is one: a zip
// started by tools/lambda-sandbox/run (the al2023-shaped root) against a Runtime API served
// here, as Lambda's own service would: invocations are handed out one at a time on `next`, each
// with its deadline (the function's timeout from the moment it is handed out), request id, trace
// id and function ARN. A function that misses its deadline is stopped, and the next invocation
// starts a fresh environment (a cold start), which is what Lambda does. An init error fails
// every pending invocation.
//
// LambdaFunction is a function as Lambda scales it: one environment per concurrent invocation,
// started when none is free, up to the function's concurrency (its reserved concurrency, else
// what the account's unreserved pool has left, AccountConcurrency); an invocation beyond that is
// throttled (`throttled: true`; Lambda's TooManyRequestsException), never queued. An
// environment is busy from the moment an invocation is handed to it until its runtime asks for
// the next one: work after the answer still holds it, as on Lambda.
import { spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';

export class RuntimeApi {
  constructor(functionArn) {
    this.functionArn = functionArn;
    this.queue = [];          // invocations not handed out yet
    this.inFlight = new Map();
    this.waiting = null;      // the function's pending `next` request
    this.initError = null;
    this.firstNextAt = null;  // Date.now() when the function was ready to work: its init ended
  }

  async listen() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 0;
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.hostPort = `127.0.0.1:${this.server.address().port}`;
  }

  close() {
    this.closed = true;
    for (const resolve of (this.readyWaiters ?? []).splice(0)) resolve();
    this.failAll('the execution environment stopped');
    if (this.waiting) this.waiting.destroy();
    this.server?.close();
    this.server?.closeAllConnections?.();
  }

  // Resolves to { ok, body, ms } (ok false: the function reported an error, timed out or
  // died; `timedOut` says which).
  invoke(event, timeoutMs) {
    return new Promise((resolve) => {
      this.queue.push({ id: randomUUID(), event, timeoutMs, resolve });
      this.dispatch();
    });
  }

  // Resolves when the function asks for its next invocation (at once if it is waiting), or
  // when this Runtime API closes.
  whenReady() {
    if (this.waiting || this.closed) return Promise.resolve();
    return new Promise((resolve) => (this.readyWaiters ??= []).push(resolve));
  }

  dispatch() {
    if (this.waiting && this.queue.length === 0) {
      for (const resolve of (this.readyWaiters ?? []).splice(0)) resolve();
    }
    if (!this.waiting || this.queue.length === 0) return;
    const invocation = this.queue.shift();
    const res = this.waiting;
    this.waiting = null;
    invocation.started = performance.now();
    const deadline = Date.now() + invocation.timeoutMs;
    invocation.timer = setTimeout(() => this.finish(invocation.id, { ok: false, timedOut: true,
      body: JSON.stringify({ errorMessage: 'Task timed out', errorType: 'Sandbox.Timedout' }) }),
    invocation.timeoutMs);
    this.inFlight.set(invocation.id, invocation);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': invocation.id,
      'Lambda-Runtime-Deadline-Ms': String(deadline),
      'Lambda-Runtime-Invoked-Function-Arn': this.functionArn,
      'Lambda-Runtime-Trace-Id':
        `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Sampled=1`,
    });
    res.end(typeof invocation.event === 'string' ? invocation.event : JSON.stringify(invocation.event));
  }

  finish(id, result) {
    const invocation = this.inFlight.get(id);
    if (!invocation) return false;
    clearTimeout(invocation.timer);
    this.inFlight.delete(id);
    invocation.resolve({ ...result, ms: performance.now() - invocation.started });
    if (result.timedOut) this.onTimeout?.();
    return true;
  }

  failAll(message) {
    const body = JSON.stringify({ errorMessage: message, errorType: 'Runtime.ExitError' });
    for (const id of [...this.inFlight.keys()]) this.finish(id, { ok: false, body });
    for (const invocation of this.queue.splice(0)) invocation.resolve({ ok: false, body, ms: 0 });
  }

  handle(req, res) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const path = req.url;
      if (req.method === 'GET' && path === '/2018-06-01/runtime/invocation/next') {
        this.firstNextAt ??= Date.now();
        this.waiting = res;
        this.dispatch();
        return;
      }
      let m;
      if (req.method === 'POST' && (m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path))) {
        const known = this.finish(decodeURIComponent(m[1]), { ok: m[2] === 'response', body });
        res.writeHead(known ? 202 : 400, { 'Content-Type': 'application/json' });
        res.end(known ? '{"status":"OK"}' : '{"errorMessage":"unknown or finished invocation"}');
        return;
      }
      if (req.method === 'POST' && path === '/2018-06-01/runtime/init/error') {
        this.initError = body;
        this.failAll(`init error: ${body}`);
        res.writeHead(202, { 'Content-Type': 'application/json' });
        res.end('{"status":"OK"}');
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"errorMessage":"not a Runtime API route"}');
    });
  }
}

export class FunctionEnvironment {
  // `environment`: the function's own variables (Terraform's, and the sandbox's endpoints);
  // `lambda`: { functionName, memoryMb, timeoutMs, region, credentials } — what Lambda adds.
  // `caBundle`: the root's system bundle; `rdsCa`: the stand-in database's CA, added to the
  // zip's RDS CAs of each region (tools/lambda-sandbox/run).
  constructor({ runScript, zip, caBundle, rdsCa, environment, lambda, logFile }) {
    Object.assign(this, { runScript, zip, caBundle, rdsCa, environment, lambda, logFile });
    this.coldStarts = [];
  }

  get running() { return this.child !== undefined; }

  async start() {
    const l = this.lambda;
    this.runtime = new RuntimeApi(`arn:aws:lambda:${l.region}:000000000000:function:${l.functionName}`);
    this.runtime.onTimeout = () => { this.stopping = this.stop().finally(() => { this.stopping = null; }); };
    await this.runtime.listen();
    const variables = {
      ...this.environment,
      AWS_LAMBDA_RUNTIME_API: this.runtime.hostPort,
      AWS_REGION: l.region,
      AWS_DEFAULT_REGION: l.region,
      AWS_ACCESS_KEY_ID: l.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: l.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: l.credentials.sessionToken,
      AWS_LAMBDA_FUNCTION_NAME: l.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(l.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${l.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`,
    };
    const log = openSync(this.logFile, 'a');
    this.readyFile = `${this.logFile}.ready`;
    rmSync(this.readyFile, { force: true });
    this.startedAt = Date.now();
    this.child = spawn(this.runScript, [this.zip, this.caBundle,
      ...Object.entries(variables).map(([k, v]) => `${k}=${v}`)],
    { stdio: ['ignore', log, log], env: { ...process.env, LAMBDA_SANDBOX_READY: this.readyFile,
      ...(this.rdsCa ? { LAMBDA_SANDBOX_RDS_CA: this.rdsCa } : {}) } });
    const child = this.child;
    this.exited = new Promise((resolve) => child.on('exit', () => {
      if (this.child === child) this.child = undefined;
      this.runtime.failAll('the function process exited');
      resolve();
    }));
  }

  // Starts an environment when none runs (a cold start, recorded: spawn -> init done -> first
  // answer, in ms). Invocations that arrive meanwhile wait for the same start.
  async invoke(event) {
    if (this.stopping) await this.stopping;
    let cold = false;
    if (!this.running) {
      if (!this.starting) {
        cold = true;
        this.starting = this.start().finally(() => { this.starting = null; });
      }
      await this.starting;
    }
    const runtime = this.runtime;
    const result = await runtime.invoke(event, this.lambda.timeoutMs);
    if (cold) {
      // setup: spawn -> root ready (unzip, mounts); init: root ready -> first `next`;
      // firstAnswer: root ready -> the first invocation answered.
      const answeredAt = Date.now();
      let readyAt = NaN;
      try { readyAt = Number(readFileSync(this.readyFile, 'utf8')); } catch { /* not written */ }
      this.coldStarts.push({ setupMs: readyAt - this.startedAt, initMs: (runtime.firstNextAt ?? NaN) - readyAt,
        firstAnswerMs: answeredAt - readyAt });
    }
    if (runtime.initError) result.initError = runtime.initError;
    return result;
  }

  // The largest resident set (VmHWM, KiB) of the function's processes in the sandbox now.
  peakRssKib() {
    if (!this.child) return 0;
    const parents = new Map();
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        parents.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch { /* gone */ }
    }
    const family = new Set([this.child.pid]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [pid, parent] of parents) {
        if (family.has(parent) && !family.has(pid)) { family.add(pid); grew = true; }
      }
    }
    let peak = 0;
    for (const pid of family) {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch { /* gone */ }
    }
    return peak;
  }

  async stop() {
    const child = this.child;
    if (child) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(killer);
    }
    this.runtime?.close();
  }
}

// The account's concurrent executions: `quota` in all, of which the functions with reserved
// concurrency hold theirs; the rest is the unreserved pool the others share.
export class AccountConcurrency {
  constructor(quota) {
    this.quota = quota;
    this.reserved = 0;
    this.unreservedInUse = 0;
  }

  reserve(n) { this.reserved += n; }
  tryTake() {
    if (this.unreservedInUse >= this.quota - this.reserved) return false;
    this.unreservedInUse++;
    return true;
  }
  give() { this.unreservedInUse--; }
}

export class LambdaFunction {
  // `spec`: a FunctionEnvironment's; `reserved`: its reserved concurrency, or null to share the
  // account's unreserved pool (`account`, an AccountConcurrency).
  constructor(spec, { reserved = null, account }) {
    Object.assign(this, { spec, reserved, account });
    this.environments = [];  // { env, busy }
    this.active = 0;
    this.stats = { invocations: 0, throttled: 0, peak: 0, timedOut: 0 };
    this.durations = [];  // ms of each answered invocation, handed out to answered
    this.occupancy = [];  // ms an environment was held per invocation, work after the answer too
  }

  get coldStarts() { return this.environments.flatMap((e) => e.env.coldStarts); }
  get initErrors() { return this.environments.map((e) => e.env.runtime?.initError).filter(Boolean); }

  // { ok, body, ms, timedOut?, throttled? }, as Lambda's Invoke would answer.
  async invoke(event) {
    this.stats.invocations++;
    if (this.reserved !== null ? this.active >= this.reserved : !this.account.tryTake()) {
      this.stats.throttled++;
      return { ok: false, throttled: true, ms: 0,
        body: JSON.stringify({ errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' }) };
    }
    this.active++;
    this.stats.peak = Math.max(this.stats.peak, this.active);
    let slot = this.environments.find((e) => !e.busy);
    if (!slot) {
      slot = { env: new FunctionEnvironment(this.spec), busy: false };
      this.environments.push(slot);
    }
    slot.busy = true;
    const held = performance.now();
    let result;
    try {
      result = await slot.env.invoke(event);
    } catch (e) {
      this.release(slot);
      throw e;
    }
    if (result.timedOut) this.stats.timedOut++;
    if (result.ok) this.durations.push(result.ms);
    // The answer goes back now; the environment stays busy until its runtime asks for the next
    // invocation (work after the answer included), as Lambda counts it.
    const ready = slot.env.running && !result.timedOut ? slot.env.runtime.whenReady() : Promise.resolve();
    ready.then(() => {
      if (result.ok) this.occupancy.push(performance.now() - held);
      this.release(slot);
    });
    return result;
  }

  release(slot) {
    slot.busy = false;
    this.active--;
    if (this.reserved === null) this.account.give();
  }

  async stop() {
    await Promise.all(this.environments.map((e) => e.env.stop()));
  }
}
