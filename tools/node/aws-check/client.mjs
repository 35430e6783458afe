// Signed calls to AWS (or to a stand-in behind gate.mjs), for what the sandbox does with a
// function's role, as Lambda's own pollers do: SigV4 by the AWS SDK's signer
// (@smithy/signature-v4), with the role's temporary credentials.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

class Sha256 {
  constructor(secret) { this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret); }
  update(data) { this.hash.update(typeof data === 'string' ? Buffer.from(data) : data); }
  digest() { return Promise.resolve(new Uint8Array(this.hash.digest())); }
}

// A function that signs and sends one call: (method, path, headers, body) -> { status, text }.
export function signedClient({ endpoint, service, region, credentials }) {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256, applyChecksum: false });
  return async (method, path, headers, body = '') => {
    const signed = await signer.sign({ method, protocol: url.protocol, hostname: url.hostname,
      port: Number(url.port) || undefined, path, query: {}, headers: { host: url.host, ...headers }, body });
    const { host, ...rest } = signed.headers;  // fetch sets Host itself, from the URL
    void host;
    const res = await fetch(new URL(path, endpoint), { method, headers: rest, body: method === 'GET' ? undefined : body });
    return { status: res.status, text: await res.text() };
  };
}

// SQS's JSON protocol through `client`: the answer's object, or throws with SQS's error.
export function sqsCaller(client) {
  return async (action, body) => {
    const { status, text } = await client('POST', '/', {
      'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` }, JSON.stringify(body));
    if (status !== 200) throw Object.assign(new Error(`SQS ${action}: ${status} ${text}`), { status, text });
    return text ? JSON.parse(text) : {};
  };
}
