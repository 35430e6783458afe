// The load scripts of loadtest/ against a real `donut up`.
// - k6/surge.js, without k6: its k6 modules are shims (k6-shim/), its default function is
//   called until the shelf is empty and beyond, and the script's own check and error-rate
//   thresholds are evaluated on what happened. Its options (the ramping-arrival-rate stages)
//   are checked for shape, since only k6 can run them.
// - wrk/order.lua, with wrk for one second: the answers it counts match what the warehouse sold.
// Run: node tests/loadtest/load_scripts_test.mjs <donut binary> <loadtest folder>
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import test, { after } from 'node:test';
import assert from 'node:assert/strict';

const [donut, loadtest] = process.argv.slice(2);
register('./k6-shim/hooks.mjs', import.meta.url);
const { results } = await import('./k6-shim/k6.mjs');
const { counters } = await import('./k6-shim/metrics.mjs');
const { responses } = await import('./k6-shim/http.mjs');

const kStock = 12;
const data = mkdtempSync(join(tmpdir(), 'donut-k6-'));
writeFileSync(join(data, 'products.json'), JSON.stringify({
  products: [{ id: 'CP-502101', name: 'Chocolate Glazed', price_cents: 250, stock: kStock,
    restock_quantity: 50 },
    { id: 'HOT', name: 'Hot', price_cents: 100, stock: 1000000, restock_quantity: 0 }],
}));

// `donut up` on free ports; resolves with the Sales API's URL once it prints it.
function startDonut() {
  const child = spawn(donut, ['up', '--data-dir', data, '--port', '0', '--factory-port', '0',
    '--seed-file', join(data, 'products.json'), '--factory-delay-ms', '60000', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolveUrl, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = /Sales API\s+(http:\/\/\S+)/.exec(seen);
      if (match) resolveUrl({ child, url: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`donut up exited ${code}`)));
  });
}

const { child, url } = await startDonut();
after(() => {
  child.kill('SIGTERM');
  rmSync(data, { recursive: true, force: true });
});

globalThis.__ENV = { BASE_URL: url, PRODUCT: 'CP-502101' };
const surge = await import(pathToFileURL(resolve(loadtest, 'k6/surge.js')).href);

function rate(passed) {
  return passed.length === 0 ? NaN : passed.filter(Boolean).length / passed.length;
}

// k6 threshold expressions of the form `rate<0.01` / `rate>0.99`.
function holds(expression, value) {
  const match = /^rate\s*([<>]=?)\s*([0-9.]+)$/.exec(expression);
  assert.ok(match, `a rate threshold: ${expression}`);
  const limit = Number(match[2]);
  return { '<': value < limit, '<=': value <= limit, '>': value > limit, '>=': value >= limit }[match[1]];
}

test('the options describe a ramping surge with thresholds k6 accepts', () => {
  const scenario = surge.options.scenarios.surge;
  assert.equal(scenario.executor, 'ramping-arrival-rate');
  assert.ok(scenario.stages.length >= 3);
  for (const stage of scenario.stages) {
    assert.match(stage.duration, /^\d+[smh]$/);
    assert.ok(Number.isInteger(stage.target) && stage.target >= 0);
  }
  assert.ok(Math.max(...scenario.stages.map((s) => s.target)) > scenario.startRate, 'it ramps up');
  for (const expressions of Object.values(surge.options.thresholds)) {
    for (const expression of expressions) assert.match(expression, /^(rate|p\(\d+\))\s*[<>]=?\s*[0-9.]+$/);
  }
});

test('past its stock the surge sells exactly the shelf and every 409 names its restock', () => {
  const iterations = kStock + 8;
  for (let i = 0; i < iterations; ++i) surge.default();
  assert.equal(counters.get('donuts_sold'), kStock);
  assert.equal(counters.get('donuts_out_of_stock'), iterations - kStock);
  assert.equal(responses.length, iterations);

  for (const [metric, expressions] of Object.entries(surge.options.thresholds)) {
    const named = /^checks\{check:(.+)\}$/.exec(metric);
    let value;
    if (named) {
      const passed = results.filter((r) => r.name === named[1]).map((r) => r.passed);
      assert.ok(passed.length > 0, `the script ran the check '${named[1]}'`);
      value = rate(passed);
    } else if (metric === 'http_req_failed{expected:false}' || metric === 'http_req_failed') {
      value = rate(responses.map((r) => r.failed));
    } else {
      continue;  // latency percentiles: only k6's own timing means anything
    }
    for (const expression of expressions) {
      assert.ok(holds(expression, value), `${metric}: ${expression} (was ${value})`);
    }
  }
});

test('wrk with order.lua counts what the warehouse sold', async () => {
  const output = execFileSync('wrk', ['-t1', '-c4', '-d1s', '-s', resolve(loadtest, 'wrk/order.lua'), url], {
    encoding: 'utf8', env: { ...process.env, PRODUCT: 'HOT' },
  });
  const counted = /statuses: (.*)/.exec(output);
  assert.ok(counted, output);
  const byStatus = Object.fromEntries(counted[1].trim().split(' ').map((p) => p.split('=').map(Number)));
  assert.deepEqual(Object.keys(byStatus), ['201'], 'every order sold');
  assert.ok(byStatus[201] > 0);
  const product = await (await fetch(`${url}/v1/products/HOT`)).json();
  // wrk stops at the deadline without reading the answers still on their way: up to one order
  // per connection was sold but not counted.
  const sold = 1000000 - product.stock;
  assert.ok(sold >= byStatus[201] && sold <= byStatus[201] + 4, `sold ${sold}, counted ${byStatus[201]}`);
});
