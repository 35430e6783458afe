// Checks an AWS Signature Version 4 (Authorization header) as AWS does before a service looks
// at the request: the header's form, the credential scope (date, region, service, terminator),
// the signed headers (host and x-amz-date always; the session token of temporary credentials;
// every other x-amz-* header the request carries), the clock (more than 5 minutes either way
// is refused), the access key and session token, and finally the signature itself, recomputed
// with the caller's secret by the AWS SDK's own signer (@smithy/signature-v4) over exactly the
// headers the caller says it signed.
//
// The answer is { ok: true, credential } or { ok: false, kind, message }, where `kind` is one of
// missing, incomplete, unknown_key, bad_token, skewed, mismatch; each service turns a kind into
// its own error code and shape (services.mjs). Messages are AWS's own wording.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

export const MAX_SKEW_MS = 5 * 60 * 1000;

// The hash constructor @smithy/signature-v4 expects, on node:crypto.
class Sha256 {
  constructor(secret) { this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret); }
  update(data) { this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data); }
  digest() { return Promise.resolve(new Uint8Array(this.hash.digest())); }
  reset() { throw new Error('sigv4: a hash is used once'); }
}

// "20150830T123600Z" -> Date; null when malformed.
export function parseAmzDate(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  if (!m) return null;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatAmzDate(date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// Percent-decoding that leaves a malformed escape as it is (as the C++ signer does).
function percentDecode(text) {
  return text.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try { return decodeURIComponent(run); } catch { return run; }
  });
}

function parseQuery(raw) {
  const query = {};
  for (const item of (raw ?? '').split('&')) {
    if (item === '') continue;
    const equals = item.indexOf('=');
    const key = percentDecode(equals < 0 ? item : item.slice(0, equals));
    const value = equals < 0 ? '' : percentDecode(item.slice(equals + 1));
    query[key] = key in query ? [].concat(query[key], value) : value;
  }
  return query;
}

// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=..."
export function parseAuthorization(header) {
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(header ?? '');
  if (!m) return null;
  const parts = {};
  for (const piece of m[1].split(',')) {
    const equals = piece.indexOf('=');
    if (equals < 0) continue;
    parts[piece.slice(0, equals).trim()] = piece.slice(equals + 1).trim();
  }
  return parts;
}

// `request`: { method, path (as on the wire), query (raw, without '?'), headers: [[name, value]...],
// body (string or Buffer) }. `options`: { credentials(accessKeyId) -> { secretAccessKey,
// sessionToken? } | undefined, region, service, now: Date }.
export async function verifySignature(request, { credentials, region, service, now }) {
  const headers = new Map();
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    headers.set(key, headers.has(key) ? `${headers.get(key)},${value}` : String(value));
  }
  const authorization = headers.get('authorization');
  if (!authorization) {
    return { ok: false, kind: 'missing', message: 'Request is missing Authentication Token' };
  }
  const auth = parseAuthorization(authorization);
  const missing = auth && ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !auth[k]);
  if (!auth || missing.length) {
    const names = auth ? missing.map((k) => `${k}=`).join(', ') : 'the AWS4-HMAC-SHA256 algorithm';
    return { ok: false, kind: 'incomplete',
      message: `Authorization header requires ${names} (hashed with SHA-256). Authorization=${authorization}` };
  }
  const scope = auth.Credential.split('/');
  if (scope.length !== 5) {
    return { ok: false, kind: 'incomplete',
      message: `Authorization header requires 'Credential' parameter of the form AKID/date/region/service/aws4_request. Authorization=${authorization}` };
  }
  const [accessKeyId, scopeDate, scopeRegion, scopeService, terminator] = scope;
  const amzDate = headers.get('x-amz-date');
  if (!amzDate) {
    return { ok: false, kind: 'incomplete',
      message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." };
  }
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) return { ok: false, kind: 'incomplete', message: `X-Amz-Date '${amzDate}' is not an ISO-8601 basic date-time` };
  const signed = auth.SignedHeaders.split(';');
  for (const required of ['host', 'x-amz-date']) {
    if (!signed.includes(required)) {
      return { ok: false, kind: 'mismatch', message: `'${required === 'host' ? 'Host' : 'X-Amz-Date'}' must be a 'SignedHeader' in the AWS Authorization.` };
    }
  }
  const unsigned = [...headers.keys()].filter((h) => h.startsWith('x-amz-') && !signed.includes(h));
  if (unsigned.length) {
    return { ok: false, kind: 'mismatch', message: `There were headers present in the request which were not signed: ${unsigned.join(', ')}` };
  }
  for (const name of signed) {
    if (!headers.has(name)) return { ok: false, kind: 'incomplete', message: `Signed header '${name}' is not in the request` };
  }
  if (scopeDate !== amzDate.slice(0, 8)) {
    return { ok: false, kind: 'mismatch',
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.` };
  }
  if (scopeRegion !== region) return { ok: false, kind: 'mismatch', message: `Credential should be scoped to a valid region, not '${scopeRegion}'. ` };
  if (scopeService !== service) return { ok: false, kind: 'mismatch', message: `Credential should be scoped to correct service: '${service}'. ` };
  if (terminator !== 'aws4_request') {
    return { ok: false, kind: 'mismatch', message: `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. ` };
  }
  const skew = signedAt.getTime() - now.getTime();
  if (skew < -MAX_SKEW_MS) {
    return { ok: false, kind: 'skewed', message: `Signature expired: ${amzDate} is now earlier than ` +
      `${formatAmzDate(new Date(now.getTime() - MAX_SKEW_MS))} (${formatAmzDate(now)} - 5 min.)` };
  }
  if (skew > MAX_SKEW_MS) {
    return { ok: false, kind: 'skewed', message: `Signature not yet current: ${amzDate} is still later than ` +
      `${formatAmzDate(new Date(now.getTime() + MAX_SKEW_MS))} (${formatAmzDate(now)} + 5 min.)` };
  }
  const credential = credentials(accessKeyId);
  if (!credential) {
    return { ok: false, kind: 'unknown_key', message: 'The security token included in the request is invalid.' };
  }
  const token = headers.get('x-amz-security-token');
  if ((credential.sessionToken ?? '') !== (token ?? '')) {
    return { ok: false, kind: 'bad_token', message: 'The security token included in the request is invalid.' };
  }
  if (token !== undefined && !signed.includes('x-amz-security-token')) {
    return { ok: false, kind: 'mismatch', message: "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization." };
  }
  const expected = await recompute(request, headers, signed, { accessKeyId, credential, region, service, signedAt });
  if (expected !== auth.Signature) {
    return { ok: false, kind: 'mismatch',
      message: 'The request signature we calculated does not match the signature you provided. ' +
        'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' };
  }
  return { ok: true, credential: { accessKeyId, ...credential } };
}

// The signature @smithy/signature-v4 computes for the request over `signed` headers only.
async function recompute(request, headers, signed, { accessKeyId, credential, region, service, signedAt }) {
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: credential.secretAccessKey, sessionToken: credential.sessionToken || undefined },
    region, service, sha256: Sha256, applyChecksum: false, uriEscapePath: true });
  const signedOnly = Object.fromEntries(signed.map((name) => [name, headers.get(name)]));
  const host = headers.get('host') ?? '';
  const answer = await signer.sign({
    method: request.method, protocol: 'https:', hostname: host.replace(/:\d+$/, ''), path: request.path,
    query: parseQuery(request.query), headers: signedOnly, body: request.body ?? '',
  }, { signingDate: signedAt, signableHeaders: new Set(signed) });
  return parseAuthorization(answer.headers.authorization)?.Signature;
}
