// The storefront: the products with price and live stock, and an order button per product.
// Every purchase carries an Idempotency-Key, kept until the shop gave a definite answer: a
// double click (the button is disabled while an order is on its way) or a retry after a
// network failure reuses it, so the shop sells once. A 429 (the shop, or API Gateway in front
// of it, turning away a crowd) is retried by itself with the same key, after Retry-After when
// the answer says, else after a growing, jittered pause, a few times before asking the customer.
'use strict';

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const pendingKeys = new Map();  // product id -> key of the purchase not yet answered
const cards = new Map();        // product id -> { stock, button, result }

function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);  // also in insecure contexts, unlike randomUUID
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// A new element with these attributes and, if given, this text (never parsed as HTML).
function element(tag, attributes, text) {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) e.setAttribute(name, value);
  if (text !== undefined) e.textContent = text;
  return e;
}

function stockText(product) {
  if (product.stock > 0) return `${product.stock} left`;
  return product.open_restock_id ? 'Sold out · a restock is on its way' : 'Sold out';
}

function render(products) {
  const list = document.getElementById('products');
  for (const product of products) {
    let card = cards.get(product.id);
    if (!card) {
      const item = document.createElement('li');
      item.className = 'product';
      item.dataset.product = product.id;
      // Built element by element: a product's id and name are text, never markup.
      const quantity = element('input', { name: 'quantity', type: 'number', min: '1', max: '1000',
        value: '1', inputmode: 'numeric', required: '' });
      quantity.id = `qty-${product.id}`;
      const label = element('label', {}, 'Quantity');
      label.htmlFor = quantity.id;
      const button = element('button', { type: 'submit' }, 'Order');
      const form = element('form', { class: 'order' });
      form.append(label, quantity, button);
      card = { stock: element('p', { class: 'stock', 'aria-live': 'polite' }), button, form,
        result: element('p', { class: 'result', role: 'status', 'aria-live': 'polite' }) };
      item.append(element('h2', {}, product.name),
        element('p', { class: 'price' }, money.format(product.price_cents / 100)),
        card.stock, form, card.result);
      card.form.addEventListener('submit', (event) => {
        event.preventDefault();
        order(product.id, Number(card.form.quantity.value), card);
      });
      cards.set(product.id, card);
      list.append(item);
    }
    card.stock.textContent = stockText(product);
    card.stock.classList.toggle('out', product.stock === 0);
  }
}

const kThrottledTries = 5;

// How long to wait before trying again after a 429: Retry-After (seconds) when given, else 0.5,
// 1, 2, 4 s with jitter, so a crowd turned away together does not come back together.
function retryDelayMs(res, attempt) {
  const seconds = Number(res.headers.get('Retry-After'));
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 30) * 1000;
  return 500 * 2 ** (attempt - 1) * (0.5 + Math.random());
}

// Sends the order, retrying 429s with the same key; the last answer.
async function send(productId, quantity, key, card) {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch('/v1/orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify({ product_id: productId, quantity }),
    });
    if (res.status !== 429 || attempt >= kThrottledTries) return res;
    const wait = retryDelayMs(res, attempt);
    card.result.textContent = `The shop is busy; trying again in ${Math.ceil(wait / 1000)} s…`;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

async function order(productId, quantity, card) {
  if (card.button.disabled) return;
  card.button.disabled = true;
  const key = pendingKeys.get(productId) ?? newKey();
  pendingKeys.set(productId, key);
  card.result.className = 'result';
  card.result.textContent = 'Ordering…';
  try {
    const res = await send(productId, quantity, key, card);
    const body = await res.json().catch(() => ({}));
    if (res.status >= 500 || res.status === 429) {
      // Not a definite answer: the same key goes with the next try.
      card.result.className = 'result problem';
      card.result.textContent = 'The shop is busy, please try again.';
      return;
    }
    pendingKeys.delete(productId);
    if (res.status === 201) {
      card.result.className = 'result sold';
      card.result.textContent = `Sold! Order ${body.order_id} · ${quantity} × ${productId}`;
    } else if (res.status === 409 && body.error?.code === 'out_of_stock') {
      card.result.className = 'result out';
      card.result.textContent = body.restock_id
        ? 'Out of stock: a restock is on its way. Please come back soon.'
        : 'Out of stock.';
    } else {
      card.result.className = 'result problem';
      card.result.textContent = body.error?.message ?? `The shop answered ${res.status}.`;
    }
  } catch {
    card.result.className = 'result problem';
    card.result.textContent = 'Network problem, please try again.';
  } finally {
    card.button.disabled = false;
    refresh();
  }
}

async function refresh() {
  try {
    const res = await fetch('/v1/products');
    if (!res.ok) throw new Error(String(res.status));
    const body = await res.json();
    render(body.products ?? body);
    document.getElementById('status').textContent = '';
  } catch {
    document.getElementById('status').textContent = 'The shop cannot be reached; retrying…';
  }
}

refresh();
setInterval(refresh, 2000);
