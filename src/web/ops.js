// The operations console: polls the admin API every 2 s with the bearer token the operator
// typed (kept in sessionStorage: this tab only) and draws what it answers. Dead-letter queues
// can be shown, redriven and purged from here, and held arrivals released or discarded; every
// call goes through the same admin routes as `donut dlq`, so a refused token is refused here too.
'use strict';

const TOKEN = 'donut-admin-token';
const POLL_MS = 2000;
const KEEP = 150;  // samples: five minutes at one every 2 s
const samples = [];
let timer = null;
// The restock timeline kinds this page singles out, spelt as the warehouse writes them
// (domain/timeline.h; a unit test checks each is one of the domain's kinds).
const KIND = Object.freeze({
  factoryAccepted: 'factory_accepted',
  factoryRejected: 'factory_rejected',
  factoryTimeout: 'factory_timeout',
  factoryUnavailable: 'factory_unavailable',
  factoryError: 'factory_error',
  mail: 'mail',
});
const FACTORY_KINDS = new Set([KIND.factoryAccepted, KIND.factoryRejected, KIND.factoryTimeout,
  KIND.factoryUnavailable, KIND.factoryError]);
const FACTORY_PREFIX = 'factory_';  // shown without it: "accepted", "timeout", ...

const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
};
// An SVG element with these attributes and, if given, this text: series are named after
// products, and a product's id is text, never markup.
const svgEl = (tag, attributes, text) => {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) e.setAttribute(name, String(value));
  if (text !== undefined) e.textContent = text;
  return e;
};

async function api(method, path) {
  const token = sessionStorage.getItem(TOKEN) ?? '';
  const res = await fetch(path, { method, headers: { Authorization: `Bearer ${token}` } });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401 || res.status === 403) {
    const refused = new Error(`the server refused the token (${res.status})`);
    refused.refused = true;
    throw refused;
  }
  if (!res.ok) throw new Error(body.error?.message ?? `${path} answered ${res.status}`);
  return body;
}

function ago(iso) {
  if (!iso) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}
const duration = (ms) => (ms == null ? '' : ms < 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);

function showLogin(message) {
  clearInterval(timer);
  timer = null;
  $('console').hidden = true;
  $('forget').hidden = true;
  $('login').hidden = false;
  $('notice').textContent = message ?? '';
  $('token').focus();
}

function start() {
  $('login').hidden = true;
  $('console').hidden = false;
  $('forget').hidden = false;
  $('notice').textContent = '';
  poll();
  timer = setInterval(poll, POLL_MS);
}

async function poll() {
  try {
    const [stats, queues, restocks] = await Promise.all([
      api('GET', '/admin/stats'), api('GET', '/admin/queues'), api('GET', '/admin/restocks?limit=12')]);
    // After the three: on AWS the admin route's burst is three requests at once (deploy/aws/api.tf).
    const held = await api('GET', '/admin/held-arrivals?limit=20');
    record(stats);
    drawProducts(stats, restocks.restocks);
    drawQueues(queues.queues, stats);
    drawHeld(held.held_arrivals);
    drawRestocks(restocks.restocks);
    drawEvents(restocks.restocks);
    drawCharts();
    $('notice').textContent = '';
  } catch (e) {
    if (e.refused) return showLogin(`${e.message}: type it again.`);
    $('notice').textContent = `Cannot reach the admin API: ${e.message}`;
  }
}

function record(stats) {
  const sold = stats.products.reduce((n, p) => n + p.orders, 0);
  const refused = stats.this_process?.orders?.out_of_stock;
  samples.push({ t: Date.now(), sold, refused, stock: Object.fromEntries(stats.products.map((p) => [p.product_id, p.stock])) });
  if (samples.length > KEEP) samples.shift();
}

const POLICY_NAMES = { at_zero: 'at zero', reorder_point: 'at the reorder point' };

// The replenishment policy's cells of a product row (Replenishment in the API document).
function replenishmentCells(r) {
  const lead = `${(r.lead_time_ms / 1000).toFixed(1)} s${r.lead_time_arrivals === 0 ? ' (prior)' : ''}`;
  return [el('td', POLICY_NAMES[r.policy] ?? r.policy), el('td', String(r.reorder_point)),
    el('td', `${r.order_quantity} (max ${r.max_restock_quantity})`), el('td', `${r.demand_per_second.toFixed(1)}/s`),
    el('td', lead)];
}

function drawProducts(stats, restocks) {
  const body = $('products').tBodies[0];
  body.replaceChildren(...stats.products.map((p) => {
    const row = el('tr');
    row.append(el('th', p.product_id), el('td', String(p.stock), p.stock === 0 ? 'out' : ''), el('td', String(p.units_sold)),
      el('td', String(p.orders_refused)), ...replenishmentCells(p.replenishment));
    const open = restocks.find((r) => r.product_id === p.product_id && (r.state === 'open' || r.state === 'requested'));
    row.append(el('td', open ? `${open.state}, ${ago(open.opened_at)}` : '—'));
    row.firstChild.scope = 'row';
    return row;
  }));
}

// Rows are kept by key and updated in place, so a poll never takes the focus from a button or
// closes a timeline the operator opened.
function keyedRows(body, items, key, build, update) {
  const seen = new Set();
  items.forEach((item, i) => {
    const k = key(item);
    seen.add(k);
    let row = body.querySelector(`tr[data-key="${CSS.escape(k)}"]`);
    if (!row) {
      row = build(item);
      row.dataset.key = k;
    }
    if (body.children[i] !== row) body.insertBefore(row, body.children[i] ?? null);
    update(row, item);
  });
  for (const row of [...body.children]) if (!seen.has(row.dataset.key)) row.remove();
}

// A cell of buttons, one per [label, act]: each calls act(subject); `data-action` is the label
// in lower case, and the accessible name says what it acts on.
function actionCell(actions, subject, named) {
  const cell = el('td');
  for (const [label, act] of actions) {
    const b = el('button', label);
    b.type = 'button';
    b.dataset.action = label.toLowerCase();
    b.setAttribute('aria-label', `${label} ${named}`);
    b.addEventListener('click', () => act(subject));
    cell.append(b);
  }
  return cell;
}

function drawQueues(queues, stats) {
  keyedRows($('queues').tBodies[0], queues, (q) => q.queue, (q) => {
    const row = el('tr');
    row.dataset.queue = q.queue;
    const name = el('th', q.queue);
    name.scope = 'row';
    row.append(name, el('td'), el('td'), el('td'), el('td'));
    row.append(actionCell([['Show', showDead], ['Redrive', redrive], ['Purge', purge]],
      q.dead_letter_queue, q.dead_letter_queue));
    return row;
  }, (row, q) => {
    const cells = row.children;
    cells[1].textContent = String(q.visible);
    cells[2].textContent = String(q.in_flight);
    cells[3].textContent = String(q.delayed);
    cells[4].textContent = String(q.dead_letters);
    cells[4].className = q.dead_letters > 0 ? 'alarm' : '';
    for (const b of cells[5].querySelectorAll('button')) {
      b.disabled = q.dead_letters === 0 && b.dataset.action !== 'show';
    }
  });
  const age = stats.outbox_oldest_pending_at ? `, oldest ${ago(stats.outbox_oldest_pending_at)}` : '';
  $('outbox').textContent = `Outbox: ${stats.outbox_pending} event(s) waiting to be published${age}.`;
}

// Runs an operator's action and shows what `done` makes of its answer in the element `target`.
async function action(run, done, target = 'dead-letters') {
  try {
    const shown = done(await run());
    $(target).replaceChildren(...(Array.isArray(shown) ? shown : [el('p', shown, 'status')]));
    poll();
  } catch (e) {
    if (e.refused) {
      $(target).replaceChildren(el('p', `Refused: ${e.message}.`, 'status problem'));
      return showLogin(`${e.message}: type it again.`);
    }
    $(target).replaceChildren(el('p', e.message, 'status problem'));
  }
}
const showDead = (dlq) => action(() => api('GET', `/admin/queues/${dlq}/messages`), (a) => {
  const list = el('ol', undefined, 'events');
  for (const m of a.messages) list.append(el('li', `${m.message_id} · ${m.source_queue} · ${m.body}`));
  return [el('p', `${dlq}: ${a.messages.length} message(s)`, 'status'), list];
});
const redrive = (dlq) => action(() => api('POST', `/admin/queues/${dlq}/redrive`), (a) => `${dlq}: ${a.moved} message(s) moved back`);
const purge = (dlq) => {
  if (!confirm(`Delete every message in ${dlq}? They are gone for good.`)) return;
  action(() => api('DELETE', `/admin/queues/${dlq}/messages`), (a) => `${dlq}: ${a.purged} message(s) deleted`);
};

const HELD_REASONS = {
  unknown_restock: 'no such restock',
  superseded_restock: 'superseded restock',
  already_arrived: 'restock already arrived',
};

// Held arrivals (HeldArrival in the API document): waiting ones with their two decisions.
function drawHeld(held) {
  $('held-none').hidden = held.length > 0;
  keyedRows($('held').tBodies[0], held, (h) => h.request_id, (h) => {
    const row = el('tr');
    const name = el('th', h.request_id);
    name.scope = 'row';
    row.append(name, el('td', h.product_id), el('td', String(h.quantity)),
      el('td', HELD_REASONS[h.reason] ?? h.reason), el('td'), el('td'));
    row.append(actionCell([['Release', (id) => decideHeld(id, 'release')],
      ['Discard', (id) => decideHeld(id, 'discard')]], h.request_id, `held arrival ${h.request_id}`));
    return row;
  }, (row, h) => {
    const cells = row.children;
    cells[4].textContent = ago(h.held_at);
    cells[5].textContent = h.decision ? `${h.decision} ${ago(h.decided_at)}` : 'waiting';
    cells[5].className = h.decision ? '' : 'alarm';
    for (const b of cells[6].querySelectorAll('button')) b.disabled = h.decision !== null;
  });
}

const decideHeld = (requestId, decide) => {
  const verb = decide === 'release' ? 'Add it to the stock' : 'Discard it; nothing is added';
  if (!confirm(`${verb}: held arrival ${requestId}?`)) return;
  const path = `/admin/held-arrivals/${encodeURIComponent(requestId)}/${decide}`;
  action(() => api('POST', path), (h) => `${h.request_id}: ${h.decision}`, 'held-status');
};

function drawRestocks(restocks) {
  keyedRows($('restocks').tBodies[0], restocks, (r) => r.id, (r) => {
    const row = el('tr');
    const cell = el('th');
    cell.scope = 'row';
    const details = el('details');
    details.append(el('summary', r.id.slice(-8)), el('ol', undefined, 'timeline'));
    cell.append(details);
    row.append(cell, el('td', r.product_id), el('td'), el('td'), el('td'));
    return row;
  }, (row, r) => {
    const steps = row.querySelector('.timeline');
    steps.replaceChildren(...r.events.map((e) => el('li', `${e.at.slice(11, 23)} ${e.kind}: ${e.detail}`)));
    const cells = row.children;
    cells[2].textContent = r.state;
    cells[2].className = `state-${r.state}`;
    cells[3].textContent = ago(r.opened_at);
    cells[4].textContent = r.lead_time_ms != null ? duration(r.lead_time_ms)
      : `${duration(Date.now() - Date.parse(r.opened_at))} so far`;
  });
}

function drawEvents(restocks) {
  const all = restocks.flatMap((r) => r.events.map((e) => ({ ...e, restock: r })));
  all.sort((a, b) => b.at.localeCompare(a.at));
  const list = (id, filter) => $(id).replaceChildren(...all.filter(filter).slice(0, 8)
    .map((e) => el('li', `${ago(e.at)} · ${e.restock.product_id} · ${e.kind.replace(FACTORY_PREFIX, '')}: ${e.detail}`,
      e.kind === KIND.factoryAccepted || e.kind === KIND.mail ? '' : 'problem')));
  list('factory', (e) => FACTORY_KINDS.has(e.kind));
  list('mails', (e) => e.kind === KIND.mail);
}

// A round upper bound for an axis: 1, 2 or 5 times a power of ten.
function niceMax(value) {
  const power = 10 ** Math.floor(Math.log10(Math.max(value, 1e-9)));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= value);
}

// A line chart with labelled axes (time in seconds before now; the value, unit in the caption)
// and its legend as a list next to it, so the figures are also readable as text.
function chart(svg, legend, series, integer) {
  const w = svg.clientWidth || 480, h = 180, left = 48, bottom = 24, top = 10, right = 12;
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  const now = Date.now();
  const span = Math.max(60000, now - (samples[0]?.t ?? now));
  const max = niceMax(Math.max(integer ? 4 : 1, ...series.flatMap((s) => s.points.map((p) => p[1]))));
  const x = (t) => left + (w - left - right) * (1 - (now - t) / span);
  const y = (v) => h - bottom - (h - bottom - top) * (v / max);
  const parts = [];
  // 5 steps for 5, 50, ...: ticks at round numbers (and whole numbers for whole units).
  const steps = String(max).replace(/^0\.0*/, '').startsWith('5') || (integer && max % 4 !== 0) ? 5 : 4;
  for (let i = 0; i <= steps; i++) {
    const v = (max * i) / steps;
    const label = integer || v >= 10 ? String(Math.round(v)) : v.toFixed(v < 1 ? 2 : 1);
    parts.push(svgEl('line', { class: 'grid', x1: left, x2: w - right, y1: y(v), y2: y(v) }),
      svgEl('text', { class: 'tick', x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, label));
  }
  const every = w < 400 ? 2 : 1;  // fewer time ticks on a narrow chart
  for (let i = 0; i <= 4; i += every) {
    const t = now - (span * i) / 4;
    const anchor = i === 0 ? 'end' : i === 4 ? 'start' : 'middle';
    parts.push(svgEl('text', { class: 'tick', x: x(t), y: h - 6, 'text-anchor': anchor },
      i === 0 ? 'now' : `${Math.round((now - t) / 1000)} s ago`));
  }
  series.forEach((s, i) => {
    if (s.points.length < 2) return;
    const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
    const line = svgEl('path', { class: `line c${i % 6}`, d });
    line.append(svgEl('title', {}, s.name));
    parts.push(line);
  });
  svg.replaceChildren(...parts);
  legend.replaceChildren(...series.map((s, i) => {
    const last = s.points.at(-1)?.[1];
    return el('li', `${s.name}: ${last == null ? '—' : integer ? last : last.toFixed(2)}`, `c${i % 6}`);
  }));
}

function rate(field) {
  const points = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1], b = samples[i];
    if (a[field] == null || b[field] == null) continue;
    points.push([b.t, Math.max(0, (b[field] - a[field]) / ((b.t - a.t) / 1000))]);
  }
  return points;
}

function drawCharts() {
  const sold = rate('sold'), refused = rate('refused');
  const orders = sold.map(([t, v], i) => [t, v + (refused[i]?.[1] ?? 0)]);
  chart($('chart-orders'), $('legend-orders'), [{ name: 'orders/s', points: orders },
    { name: 'sold/s', points: sold }, { name: '409/s', points: refused }], false);
  const products = Object.keys(samples.at(-1)?.stock ?? {});
  chart($('chart-stock'), $('legend-stock'),
    products.map((p) => ({ name: p, points: samples.map((s) => [s.t, s.stock[p] ?? 0]) })), true);
  $('chart-note').textContent = samples.at(-1)?.refused == null
    ? 'Refused orders (409) are counted by the sales process; this server has none, so 409/s is not drawn.' : '';
}

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN, $('token').value.trim());
  $('token').value = '';
  start();
});
$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN);
  showLogin('The token is forgotten.');
});
if (sessionStorage.getItem(TOKEN)) start(); else showLogin();
