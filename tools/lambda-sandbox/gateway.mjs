// An API Gateway HTTP API (payload format 2.0) in front of sandboxed functions: HTTP in, the
// v2 event out to the route's function, its answer back as HTTP, following the documented
// mapping (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):
// route selection (most specific route first, {name} one segment, {name+} the rest, ANY any
// method), lower-cased headers with repeated ones joined by commas, cookies apart, bodies that
// are not text base64-encoded, a structured answer's statusCode/headers/cookies/body used as
// given, any other answer sent as a 200 JSON body, a function error or timeout as
// 500 / 503 with API Gateway's own JSON message. A function Lambda throttled (beyond its
// concurrency) is a 500 as well, as API Gateway answers it. Throttling as the stage declares
// it: a token bucket per route (rate a second, burst deep; the default route settings for a
// route without its own), the excess answered 429 {"message":"Too Many Requests"} before any
// function is invoked.
import http from 'node:http';
import { randomBytes } from 'node:crypto';

const TEXT = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript)|[^;]*\+json)/i;

function compile(routeKey) {
  if (routeKey === '$default') return { routeKey, method: 'ANY', test: () => ({}), rank: [3, 0] };
  const [method, path] = routeKey.split(' ');
  const names = [];
  let greedy = false;
  const pattern = path.split('/').map((segment) => {
    const m = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
    if (!m) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    names.push(m[1]);
    if (m[2]) { greedy = true; return '(.+)'; }
    return '([^/]+)';
  }).join('/');
  const regex = new RegExp(`^${pattern}$`);
  return {
    routeKey, method,
    test: (p) => {
      const m = regex.exec(p);
      return m && Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
    },
    // Fewer variables first, greedy last, then the longer path, then an exact method.
    rank: [greedy ? 2 : names.length ? 1 : 0, -path.length, method === 'ANY' ? 1 : 0],
  };
}

// API Gateway's throttle: `burst` tokens, refilled at `rate` a second.
export class TokenBucket {
  constructor({ rate, burst }, now = () => performance.now()) {
    Object.assign(this, { rate, burst, now });
    this.tokens = burst;
    this.at = now();
  }

  take() {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class HttpApiGateway {
  // `routes`: [{ routeKey: "POST /v1/orders", invoke(event) -> Promise<{ ok, body, timedOut,
  // throttled }> }]; `throttling`: { default: { rate, burst }, routes: { routeKey: { rate, burst } } }
  // (none: unthrottled).
  constructor(routes, { domainName = '127.0.0.1', integrationTimeoutMs = 30000, throttling = null } = {}) {
    this.setRoutes(routes);
    this.domainName = domainName;
    this.integrationTimeoutMs = integrationTimeoutMs;
    this.requests = 0;
    this.answered = {};  // status -> count
    this.setThrottling(throttling);
  }

  setThrottling(throttling) {
    this.throttling = throttling;
    this.buckets = new Map();
  }

  admits(routeKey) {
    if (!this.throttling) return true;
    if (!this.buckets.has(routeKey)) {
      const limits = this.throttling.routes?.[routeKey] ?? this.throttling.default;
      this.buckets.set(routeKey, limits ? new TokenBucket(limits) : null);
    }
    return this.buckets.get(routeKey)?.take() ?? true;
  }

  send(res, status, headers, body) {
    this.answered[status] = (this.answered[status] ?? 0) + 1;
    res.writeHead(status, headers);
    res.end(body);
  }

  setRoutes(routes) {
    this.routes = routes.map((r) => ({ ...compile(r.routeKey), invoke: r.invoke }))
      .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2]);
  }

  async listen() {
    this.server = http.createServer((req, res) => this.handle(req, res).catch((e) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: `sandbox gateway: ${e.message}` }));
    }));
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
  }

  close() {
    this.server?.close();
    this.server?.closeAllConnections?.();
  }

  select(method, path) {
    for (const route of this.routes) {
      if (route.method !== 'ANY' && route.method !== method) continue;
      const parameters = route.test(path);
      if (parameters) return { route, parameters };
    }
    return null;
  }

  async handle(req, res) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    this.requests++;
    const url = new URL(req.url, `http://${this.domainName}`);
    const chosen = this.select(req.method, url.pathname);
    const json = { 'Content-Type': 'application/json' };
    if (!chosen) return this.send(res, 404, json, '{"message":"Not Found"}');
    if (!this.admits(chosen.route.routeKey)) return this.send(res, 429, json, '{"message":"Too Many Requests"}');
    const event = this.event(req, url, raw, chosen);
    let timer;
    const answer = await Promise.race([
      chosen.route.invoke(event),
      new Promise((resolve) => { timer = setTimeout(() => resolve({ gatewayTimeout: true }), this.integrationTimeoutMs); }),
    ]);
    clearTimeout(timer);
    if (answer.gatewayTimeout || answer.timedOut) return this.send(res, 503, json, '{"message":"Service Unavailable"}');
    // A function error, and an invocation Lambda throttled, are both a 500 here.
    if (!answer.ok) return this.send(res, 500, json, '{"message":"Internal Server Error"}');
    this.respond(res, answer.body);
  }

  event(req, url, raw, { route, parameters }) {
    const headers = {};
    let cookies;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i].toLowerCase();
      const value = req.rawHeaders[i + 1];
      if (name === 'cookie') { cookies = (cookies ?? []).concat(value.split(/;\s*/)); continue; }
      headers[name] = name in headers ? `${headers[name]},${value}` : value;
    }
    const query = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
    const now = new Date();
    const text = raw.length === 0 || TEXT.test(headers['content-type'] ?? '');
    const event = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers,
      requestContext: {
        accountId: '000000000000',
        apiId: 'sandbox',
        domainName: this.domainName,
        domainPrefix: this.domainName.split('.')[0],
        http: { method: req.method, path: url.pathname, protocol: 'HTTP/1.1',
          sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '' },
        requestId: randomBytes(8).toString('base64url'),
        routeKey: route.routeKey,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
      isBase64Encoded: !text,
    };
    if (cookies) event.cookies = cookies;
    if (Object.keys(query).length) event.queryStringParameters = query;
    if (Object.keys(parameters).length) event.pathParameters = parameters;
    if (raw.length) event.body = text ? raw.toString('utf8') : raw.toString('base64');
    return event;
  }

  respond(res, body) {
    let answer;
    try { answer = JSON.parse(body); } catch { answer = undefined; }
    if (answer === null || typeof answer !== 'object' || !('statusCode' in answer)) {
      // Not a structured answer: API Gateway sends it as the body of a 200.
      return this.send(res, 200, { 'Content-Type': 'application/json' }, body);
    }
    const headers = { ...(answer.headers ?? {}) };
    if (answer.cookies?.length) headers['Set-Cookie'] = answer.cookies;
    if (answer.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
    const payload = answer.body ?? '';
    this.send(res, answer.statusCode, headers, answer.isBase64Encoded ? Buffer.from(payload, 'base64') : payload);
  }
}
