// The storefront and the operations console in a real browser: Debian's chromium, headless,
// driven by puppeteer-core, against a running `donut up`.
//
// Storefront: buy until 409 (a double click sells once), see "a restock is on its way", and
// the stock come back by itself; ordering works from the keyboard; every field has a label;
// a phone-sized window needs no sideways scrolling. Console: a failing factory fills the
// dead-letter queue and the console shows it; with a wrong token its buttons are refused
// (and nothing moves); with the token, redrive puts the restock through; a held arrival waits
// there until the operator releases it. Another site: a page the
// operator visits cannot make the factory simulator manufacture or change its knobs.
//
//   node tests/web/browser_test.mjs <donut binary> <repository> [--screenshots <dir>]
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, sleep, startDonut } from '../support/donut_up.mjs';

const [donut, repo, flag, shots] = process.argv.slice(2);
const screenshots = flag === '--screenshots' ? resolve(shots) : null;
const require = createRequire(join(resolve(repo), 'tools/node/noop.js'));
const puppeteer = require('puppeteer-core');
const dir = mkdtempSync(join(tmpdir(), 'donut-browser-'));
let shop, browser;

const admin = (method, path, body) => fetch(`${shop.url}${path}`, { method,
  headers: { authorization: `Bearer ${shop.token}`, 'content-type': 'application/json' },
  body: body && JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
const product = (id, stock, restock) => admin('PUT', `/admin/products/${id}`,
  { name: `Sandbox ${id}`, price_cents: 275, stock, restock_quantity: restock });
const factory = (config) => fetch(`${shop.factory}/admin/config`, { method: 'PUT',
  headers: { authorization: `Bearer ${shop.token}`, 'content-type': 'application/json' },
  body: JSON.stringify(config) });
const ordersOf = async (id) => (await admin('GET', '/admin/stats')).body.products.find((p) => p.product_id === id)?.orders;

before(async () => {
  shop = await startDonut(donut, dir, ['--factory-delay-ms', '1500', '--retry-base-ms', '100',
    '--retry-cap-ms', '200', '--max-receive-count', '2', '--no-seed']);
  // A first start of chromium on a busy 2-core machine once took longer than puppeteer's 30 s
  // default to print its endpoint; the pages' own waits are unchanged.
  browser = await puppeteer.launch({ executablePath: process.env.DONUT_CHROMIUM ?? '/usr/bin/chromium',
    headless: true, timeout: 120000, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  if (screenshots) mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  await browser?.close();
  shop?.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

async function open(path, viewport = { width: 1100, height: 900 }, beforeLoad = () => {}) {
  const page = await browser.newPage();
  beforeLoad(page);
  await page.setViewport(viewport);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // The browser logs every 4xx answer; the ones the story provokes (409, 401) are expected.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of (409|401)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(`${shop.url}${path}`, { waitUntil: 'networkidle0' });
  return { page, problems };
}
const text = (page, selector) => page.$eval(selector, (e) => e.textContent);

test('storefront: sold, then 409 with a restock on its way, then the stock is back', async () => {
  assert.equal((await product('SB-1', 3, 6)).status, 200);
  assert.equal((await product('SB-2', 40, 40)).status, 200);
  const { page, problems } = await open('/');
  const card = '[data-product="SB-1"]';
  await page.waitForSelector(`${card} .stock`);
  assert.equal(await text(page, `${card} .stock`), '3 left');
  assert.equal(await text(page, `${card} .price`), '$2.75');

  // A double click on Order sells once.
  await page.$eval(`${card} input`, (i) => { i.value = '2'; });
  await page.click(`${card} button`, { clickCount: 2 });
  await page.waitForFunction((s) => document.querySelector(s).textContent.startsWith('Sold!'), {}, `${card} .result`);
  assert.equal(await ordersOf('SB-1'), 1, 'one order for the double click');
  await page.waitForFunction((s) => document.querySelector(s).textContent === '1 left', {}, `${card} .stock`);

  await page.click(`${card} button`);  // 2 more: only 1 left
  await page.waitForFunction((s) => document.querySelector(s).textContent.startsWith('Out of stock'), {}, `${card} .result`);
  assert.match(await text(page, `${card} .result`), /a restock is on its way/);
  await page.$eval(`${card} input`, (i) => { i.value = '1'; });
  await page.click(`${card} button`);
  await page.waitForFunction((s) => document.querySelector(s).textContent.startsWith('Sold!'), {}, `${card} .result`);
  await page.waitForFunction((s) => /a restock is on its way/.test(document.querySelector(s).textContent), {}, `${card} .stock`);
  if (screenshots) await page.screenshot({ path: join(screenshots, 'storefront.png') });
  // The factory delivers and the page shows it without a reload.
  await page.waitForFunction((s) => document.querySelector(s).textContent === '6 left', { timeout: 30000 }, `${card} .stock`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('storefront: a 429 from a crowded gateway is retried by itself, with the same key, and sells once', async () => {
  // API Gateway in front of the shop answers the excess of a flash crowd 429, without
  // Retry-After; the shop's own limit answers 429 with it. The page retries both, same key.
  assert.equal((await product('SB-4', 5, 5)).status, 200);
  const { page, problems } = await open('/');
  const card = '[data-product="SB-4"]';
  await page.waitForSelector(`${card} button`);
  const keys = [];
  let turnedAway = 0;
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !request.url().endsWith('/v1/orders')) return request.continue();
    keys.push(request.headers()['idempotency-key']);
    if (turnedAway++ === 0) {
      return request.respond({ status: 429, contentType: 'application/json', body: '{"message":"Too Many Requests"}' });
    }
    if (turnedAway === 2) {
      return request.respond({ status: 429, contentType: 'application/json', headers: { 'Retry-After': '1' },
        body: '{"error":{"code":"rate_limited","message":"too many requests"}}' });
    }
    return request.continue();
  });
  const before = await ordersOf('SB-4') ?? 0;
  await page.click(`${card} button`);
  await page.waitForFunction((s) => /busy; trying again/.test(document.querySelector(s).textContent), {}, `${card} .result`);
  await page.waitForFunction((s) => document.querySelector(s).textContent.startsWith('Sold!'), { timeout: 20000 }, `${card} .result`);
  assert.equal(keys.length, 3, 'two 429s, then the order');
  assert.ok(keys[0] && keys.every((k) => k === keys[0]), `one Idempotency-Key for every try: ${keys}`);
  assert.equal(await ordersOf('SB-4'), before + 1, 'sold once');
  // The browser logs the two 429s as failed loads; nothing else went wrong.
  assert.deepEqual(problems.filter((p) => !/status of 429/.test(p)), []);
  await page.close();
});

test('storefront: keyboard only, labelled fields, a phone-sized window', async () => {
  const { page, problems } = await open('/', { width: 375, height: 740, isMobile: true, hasTouch: true });
  await page.waitForSelector('[data-product="SB-2"] button');
  assert.ok(await page.$$eval('input', (inputs) => inputs.every((i) => i.labels.length > 0)), 'every input has a label');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling');
  const before = await ordersOf('SB-2');
  await page.focus('[data-product="SB-2"] input');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Order', 'Tab reaches the button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-product="SB-2"] .result').textContent.startsWith('Sold!'));
  assert.equal(await ordersOf('SB-2'), before + 1);
  assert.deepEqual(problems, []);
  await page.close();
});

test('console: a failing factory fills the dead-letter queue; refused without the token; redrive fixes it', async () => {
  assert.equal((await factory({ failure_rate: 1 })).status, 200);
  assert.equal((await product('SB-3', 1, 8)).status, 200);
  const sold = await fetch(`${shop.url}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ product_id: 'SB-3', quantity: 1 }) });
  assert.equal(sold.status, 201);

  const { page, problems } = await open('/ops');
  await page.waitForSelector('#login:not([hidden])');
  await page.type('#token', shop.token);
  await page.keyboard.press('Enter');
  const deadCell = 'tr[data-queue="factory-requests"] td:nth-child(5)';
  await page.waitForFunction((s) => document.querySelector(s)?.textContent === '1', { timeout: 30000 }, deadCell);
  assert.equal(await page.$eval(deadCell, (e) => e.className), 'alarm');
  await page.waitForFunction(() => /factory_unavailable|unavailable/.test(document.querySelector('#factory').textContent));
  await page.waitForFunction(() => document.querySelectorAll('#chart-orders path').length > 0, { timeout: 10000 });
  if (screenshots) {
    // Some traffic first, so the charts have something to show.
    for (let i = 0; i < 16; i++) {
      await fetch(`${shop.url}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ product_id: 'SB-2', quantity: 1 }) });
      await sleep(500);
    }
    await page.screenshot({ path: join(screenshots, 'ops.png'), fullPage: true });
  }

  // The same button with a wrong token: refused, and the dead letter stays.
  await page.evaluate(() => sessionStorage.setItem('donut-admin-token', 'not-the-token'));
  await page.click('tr[data-queue="factory-requests"] button[data-action="redrive"]');
  await page.waitForSelector('#login:not([hidden])');
  assert.match(await text(page, '#notice'), /refused the token \(401\)/);
  assert.equal((await admin('GET', '/admin/queues/factory-requests-dlq')).body.visible, 1);

  // With the token, after the factory is fixed: redrive, and the restock goes through.
  assert.equal((await factory({ failure_rate: 0 })).status, 200);
  await page.type('#token', shop.token);
  await page.keyboard.press('Enter');
  const redrive = 'tr[data-queue="factory-requests"] button[data-action="redrive"]';
  await page.waitForFunction((s) => document.querySelector(s) && !document.querySelector(s).disabled, {}, redrive);
  await page.click(redrive);
  await page.waitForFunction(() => /1 message\(s\) moved back/.test(document.querySelector('#dead-letters').textContent));
  await eventually('SB-3 restocked', async () => (await admin('GET', '/admin/stats')).body.products
    .find((p) => p.product_id === 'SB-3').stock === 8);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent === '0', { timeout: 10000 }, deadCell);
  // The restock's life is on the page: its timeline lists the failures, the redrive's delivery,
  // the factory's acceptance and the arrival.
  const timeline = await page.$$eval('#restocks details', (all) => all.map((d) => d.textContent).join('\n'));
  for (const kind of ['stock_out', 'factory_unavailable', 'factory_accepted', 'arrived']) {
    assert.match(timeline, new RegExp(kind), `${kind} on the timeline`);
  }
  // How each product restocks is on the page: SB-3 at zero, with the lead time its arrival
  // taught; SB-2 at its reorder point once the operator says so.
  const rowOf = (id) => page.evaluate((id) => [...document.querySelectorAll('#products tbody tr')]
    .find((r) => r.cells[0].textContent === id)?.textContent ?? '', id);
  await eventually('SB-3 at zero, with the lead time its arrival taught', async () => {
    const row = await rowOf('SB-3');
    return /at zero/.test(row) && !/\(prior\)/.test(row);
  });
  assert.equal((await admin('PUT', '/admin/products/SB-2/replenishment',
    { policy: 'reorder_point', max_restock_quantity: 400 })).status, 200);
  await eventually('SB-2 at its reorder point', async () => /at the reorder point.*max 400/.test(await rowOf('SB-2')));
  assert.deepEqual(problems, []);
  await page.close();
});

// A signed delivery for a restock the shop never opened is held, not added; the console shows it
// waiting, and the operator releases it (once: the button is gone after).
test('console: a held arrival waits for the operator, who releases it once', async () => {
  assert.equal((await product('SB-5', 2, 5)).status, 200);
  const body = JSON.stringify({ MessageAttributeProductId: 'SB-5', MessageAttributeProductCnt: 6,
    MessageAttributeRequestId: 'browser-held-1', MessageAttributeFactoryId: 'FF-9' });
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = 'v1=' + createHmac('sha256', shop.secret).update(`${ts}.${body}`).digest('hex');
  const called = await fetch(`${shop.url}/v1/stock-arrivals`, { method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-factory-timestamp': ts, 'x-factory-signature': signature } });
  assert.equal(called.status, 202);
  const stockOf = async () => (await admin('GET', '/admin/stats')).body.products.find((p) => p.product_id === 'SB-5').stock;

  const { page, problems } = await open('/ops');
  page.on('dialog', (d) => d.accept());
  await page.waitForSelector('#login:not([hidden])');
  await page.type('#token', shop.token);
  await page.keyboard.press('Enter');
  const row = 'tr[data-key="browser-held-1"]';
  await page.waitForFunction((s) => document.querySelector(s)?.cells[5].textContent === 'waiting', { timeout: 30000 }, row);
  assert.match(await text(page, row), /SB-5.*6.*no such restock/);
  assert.equal(await stockOf(), 2, 'held, not added');
  await page.click(`${row} button[data-action="release"]`);
  await page.waitForFunction(() => /browser-held-1: released/.test(document.querySelector('#held-status').textContent));
  await page.waitForFunction((s) => document.querySelector(`${s} button[data-action="release"]`).disabled, {}, row);
  assert.equal(await stockOf(), 8, 'released once');
  assert.deepEqual(problems, []);
  await page.close();
});

// The operator has `donut up` running and visits another site. Its page tries every way a
// browser lets a page reach another origin without the user: a form posted into a hidden frame,
// a no-cors fetch (a "simple" request the browser sends without asking), and fetches with the
// methods and headers that need a CORS preflight. None may manufacture or touch a knob.
test('another site cannot make the factory simulator manufacture or change its knobs', async () => {
  assert.equal((await product('SB-4', 0, 5)).status, 200);
  const order = JSON.stringify({ MessageAttributeProductId: 'SB-4', MessageAttributeProductCnt: 1000000,
    MessageAttributeRequestId: 'cross-site-1', CallbackUrl: `${shop.url}/v1/stock-arrivals` });
  const attack = `<!doctype html><title>cute donuts</title>
<iframe name="sink" hidden></iframe>
<form id="f" method="POST" enctype="text/plain" target="sink" action="${shop.factory}/api/manufactures">
<input name='${order.slice(0, -1)},"x":"' value='"}'></form>
<script>
const factory = ${JSON.stringify(shop.factory)};
const tries = [
  () => fetch(factory + '/api/manufactures', { method: 'POST', mode: 'no-cors',
    headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(order)} }),
  () => fetch(factory + '/api/manufactures', { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(order)} }),
  () => fetch(factory + '/admin/config', { method: 'PUT', body: '{"outage":true}' }),
  () => fetch(factory + '/admin/config', { method: 'PUT', mode: 'no-cors', body: '{"outage":true}' }),
  () => fetch(factory + '/admin/config', { method: 'POST', mode: 'no-cors', body: '{"outage":true}' }),
];
document.getElementById('f').submit();
Promise.allSettled(tries.map((t) => t())).then(() => setTimeout(() => { document.title = 'done'; }, 500));
</script>`;
  const site = createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(attack); });
  await new Promise((ready) => site.listen(0, '127.0.0.1', ready));
  const before = await (await fetch(`${shop.factory}/admin/stats`, { headers: { authorization: `Bearer ${shop.token}` } })).json();
  const page = await browser.newPage();
  // "localhost" and "127.0.0.1" are different sites to the browser, as an attacker's domain is.
  await page.goto(`http://localhost:${site.address().port}/`);
  await page.waitForFunction(() => document.title === 'done', { timeout: 20000 });
  await page.close();
  site.close();
  await sleep(2500);  // longer than the simulator's manufacturing delay
  const after = await (await fetch(`${shop.factory}/admin/stats`, { headers: { authorization: `Bearer ${shop.token}` } })).json();
  assert.equal(after.accepted, before.accepted, 'nothing was manufactured');
  assert.equal(after.callbacks_sent, before.callbacks_sent, 'nothing was called back');
  assert.ok(after.unauthorized > before.unauthorized, 'the requests that got through were refused');
  assert.equal(after.config.outage, false, 'the knobs did not move');
  assert.equal(after.config.failure_rate, before.config.failure_rate);
  assert.equal((await admin('GET', '/admin/stats')).body.products.find((p) => p.product_id === 'SB-4').stock, 0);
});

// The API reference renders under its policy: Redocly's inline scripts run (allowed by hash),
// and the browser reports no violation.
test('the API reference renders under its Content-Security-Policy', async () => {
  const missing = [];
  const { page, problems } = await open('/docs', undefined, (p) =>
    p.on('response', (r) => { if (r.status() === 404) missing.push(new URL(r.url()).pathname); }));
  await page.waitForFunction(() => /Buy a donut/.test(document.body.textContent), { timeout: 30000 });
  await sleep(500);
  // Redocly's page reaches for its logo on a CDN: the policy blocks it, as it blocks anything
  // from elsewhere. The browser also asks for /favicon.ico, which the shop does not have.
  const expected = (m) => /Loading the image 'https:\/\/cdn\.redoc\.ly\/.*violates.*img-src/.test(m) ||
    /^request failed: https:\/\/cdn\.redoc\.ly\//.test(m) ||
    (/status of 404/.test(m) && missing.every((path) => path === '/favicon.ico'));
  assert.deepEqual(problems.filter((m) => !expected(m)), [], 'no script was refused: the hashes match');
  await page.close();
});

// A product row that never passed the API's validation (written by another tool, or an older
// seed file): its id is markup. The pages show it as text and build nothing from it.
test('a hostile product id is shown as text, never parsed as markup', async () => {
  const hostile = '"><b id="injected">x</b><svg><title>t</title><g id="injected-svg"/></svg>';
  execFileSync('sqlite3', [join(dir, 'warehouse.db'), `INSERT INTO products (id, name, price_cents, stock,
    restock_quantity) VALUES ('${hostile.replaceAll("'", "''")}', 'Hostile', 100, 3, 0)`]);
  for (const path of ['/', '/ops']) {
    const { page, problems } = await open(path);
    if (path === '/ops') {
      await page.waitForSelector('#login:not([hidden])');
      await page.type('#token', shop.token);
      await page.keyboard.press('Enter');
    }
    // The storefront shows the name; the console, the id.
    const shown = path === '/' ? 'Hostile' : hostile;
    await page.waitForFunction((text) => document.body.textContent.includes(text), { timeout: 20000 }, shown);
    await sleep(4500);  // two polls later, the console's charts have drawn the hostile series too
    assert.equal(await page.$('#injected'), null, `${path}: no element came from the id`);
    assert.equal(await page.$('#injected-svg'), null, `${path}: nor inside the charts`);
    assert.deepEqual(problems, [], path);
    await page.close();
  }
  execFileSync('sqlite3', [join(dir, 'warehouse.db'), `DELETE FROM products WHERE name = 'Hostile'`]);
});
