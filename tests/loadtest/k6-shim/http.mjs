// The part of k6/http the surge script uses. k6's requests are synchronous, so each one is a
// curl process; every response is recorded with whether the script's response callback
// counts it as expected (k6's http_req_failed).
import { spawnSync } from 'node:child_process';

export const responses = [];
let expected = (status) => status >= 200 && status < 400;

export function expectedStatuses(...statuses) {
  return (status) => statuses.includes(status);
}

export function setResponseCallback(callback) {
  expected = callback;
}

function lookup(value, path) {
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !(key in value)) return undefined;
    value = value[key];
  }
  return value;
}

export function post(url, body, params = {}) {
  const args = ['-s', '-X', 'POST', '--data-binary', body, '-w', '\n%{http_code}', url];
  for (const [name, value] of Object.entries(params.headers ?? {})) args.push('-H', `${name}: ${value}`);
  const run = spawnSync('curl', args, { encoding: 'utf8' });
  const cut = run.stdout.lastIndexOf('\n');
  const status = Number(run.stdout.slice(cut + 1)) || 0;
  const text = run.stdout.slice(0, Math.max(cut, 0));
  const response = {
    status,
    body: text,
    json: (path) => (path ? lookup(JSON.parse(text), path) : JSON.parse(text)),
  };
  responses.push({ status, failed: !expected(status) });
  return response;
}

export default { post, setResponseCallback, expectedStatuses };
