// k6 version of the surge: a flash crowd on one donut, ramping past its stock.
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e PRODUCT=CP-502101 loadtest/k6/surge.js
// Seed the product first (for example `donut stock set CP-502101 500`). The same scenario runs
// without k6 as `donut surge`, which also checks the warehouse invariants afterwards.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const PRODUCT = __ENV.PRODUCT || 'CP-502101';

const sold = new Counter('donuts_sold');
const outOfStock = new Counter('donuts_out_of_stock');

export const options = {
  scenarios: {
    surge: {
      executor: 'ramping-arrival-rate',
      startRate: 50,
      timeUnit: '1s',
      preAllocatedVUs: 64,
      maxVUs: 256,
      stages: [
        { target: 500, duration: '10s' },   // the word gets out
        { target: 2000, duration: '10s' },  // the crowd arrives
        { target: 2000, duration: '20s' },  // and stays while the factory restocks
        { target: 0, duration: '5s' },
      ],
    },
  },
  thresholds: {
    // 409 (out of stock, restock requested) is a correct answer, not an error.
    'http_req_failed{expected:false}': ['rate<0.01'],
    http_req_duration: ['p(95)<50'],
    'checks{check:out of stock names its restock}': ['rate>0.99'],
    'checks{check:answered 201 or 409}': ['rate>0.99'],
  },
};

http.setResponseCallback(http.expectedStatuses(201, 409));

export default function () {
  const res = http.post(`${BASE_URL}/v1/orders`, JSON.stringify({ product_id: PRODUCT, quantity: 1 }), {
    headers: { 'Content-Type': 'application/json' },
  });
  check(res, { 'answered 201 or 409': (r) => r.status === 201 || r.status === 409 });
  if (res.status === 201) {
    sold.add(1);
  } else if (res.status === 409) {
    outOfStock.add(1);
    check(res, { 'out of stock names its restock': (r) => !!r.json('restock_id') });
  }
}
