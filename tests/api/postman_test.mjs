// The Postman collection (postman/) run by newman, Postman's command-line runner, against a real
// `donut up`, as a user would run it: the local environment file, the admin token from the data
// folder. Passes when newman exits 0, every request of the collection ran, and every test
// script's assertions passed. Also checks that the two environment files offer the same
// variables, so the AWS one cannot fall behind.
// Run: node tests/api/postman_test.mjs <donut binary> <repository root>
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test, { after } from 'node:test';
import assert from 'node:assert/strict';

const [donut, root] = process.argv.slice(2).map((p) => resolve(p));
const postman = join(root, 'postman');
const collection = JSON.parse(readFileSync(join(postman, 'donut-states.postman_collection.json'), 'utf8'));
const data = mkdtempSync(join(tmpdir(), 'donut-postman-'));

// Fast retries and a low receive count, so the dead-letter drill takes seconds, not minutes.
const child = spawn(donut, ['up', '--data-dir', data, '--port', '0', '--factory-port', '0',
  '--factory-delay-ms', '300', '--retry-base-ms', '50', '--retry-cap-ms', '100',
  '--max-receive-count', '2', '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'inherit'] });
after(() => {
  child.kill('SIGTERM');
  rmSync(data, { recursive: true, force: true });
});
const { url, factory } = await new Promise((ready, reject) => {
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
    const sales = /Sales API\s+(http:\/\/\S+)/.exec(out);
    const simulator = /Factory\s+(http:\/\/\S+)/.exec(out);
    if (sales && simulator && /Admin token/.test(out)) ready({ url: sales[1], factory: simulator[1] });
  });
  child.on('exit', (code) => reject(new Error(`donut up exited ${code}`)));
});

function requestNames(items) {
  return items.flatMap((item) => (item.item ? requestNames(item.item) : [item.name]));
}

test('the environments offer the same variables', () => {
  const keys = (file) => JSON.parse(readFileSync(join(postman, file), 'utf8')).values.map((v) => v.key).sort();
  assert.deepEqual(keys('aws.postman_environment.json'), keys('local.postman_environment.json'));
});

test('every request has a test script that checks its status', () => {
  const walk = (items) => items.forEach((item) => {
    if (item.item) return walk(item.item);
    const tests = item.event?.find((e) => e.listen === 'test')?.script.exec.join('\n') ?? '';
    assert.match(tests, /to\.have\.status\(\d{3}\)/, item.name);
  });
  walk(collection.item);
});

test('newman runs the whole collection against donut up without a failed assertion', () => {
  const report = join(data, 'newman.json');
  const run = spawnSync(join(root, 'tools/node/node_modules/.bin/newman'), ['run',
    join(postman, 'donut-states.postman_collection.json'),
    '-e', join(postman, 'local.postman_environment.json'),
    '--env-var', `base_url=${url}`, '--env-var', `factory_url=${factory}`,
    '--env-var', `admin_token=${readFileSync(join(data, 'admin-token'), 'utf8').trim()}`,
    '--reporters', 'cli,json', '--reporter-json-export', report, '--disable-unicode', '--color', 'off'],
  { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const { run: result } = JSON.parse(readFileSync(report, 'utf8'));
  assert.deepEqual(result.failures, []);
  const ran = new Set(result.executions.map((e) => e.item.name));
  assert.deepEqual(requestNames(collection.item).filter((name) => !ran.has(name)), [],
    'requests that never ran');
  assert.equal(result.stats.assertions.failed, 0);
  assert.ok(result.stats.assertions.total >= 40, `only ${result.stats.assertions.total} assertions`);
  console.log(`# newman: ${result.executions.length} requests, ${result.stats.assertions.total} assertions, ` +
    `${result.timings.completed - result.timings.started} ms`);
});
