// A steady stream of one-unit orders for the restore drill: <connections> clients for <seconds>,
// each order sent when the previous answer came back. Every 201 is written to <out> as
// "<order id> <ms since the epoch when its answer arrived>", so the drill can tell the orders
// answered before a backup began from the rest. Prints the counts of 201, 409 and other answers.
//   node order_stream.mjs <shop url> <product> <seconds> <connections> <out>
import { appendFileSync, writeFileSync } from "node:fs";

const [url, product, seconds, connections, out] = process.argv.slice(2);
const until = Date.now() + Number(seconds) * 1000;
const counts = { sold: 0, refused: 0, other: 0 };
writeFileSync(out, "");

async function client() {
  while (Date.now() < until) {
    try {
      const answer = await fetch(`${url}/v1/orders`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ product_id: product, quantity: 1 }),
      });
      const body = await answer.json();
      if (answer.status === 201) {
        appendFileSync(out, `${body.order_id} ${Date.now()}\n`);
        counts.sold++;
      } else if (answer.status === 409) {
        counts.refused++;
        await new Promise((r) => setTimeout(r, 20));
      } else {
        counts.other++;
      }
    } catch {
      counts.other++;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

await Promise.all(Array.from({ length: Number(connections) }, client));
console.log(`sold ${counts.sold} refused ${counts.refused} other ${counts.other}`);
