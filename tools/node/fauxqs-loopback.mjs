// Starts the fauxqs SNS/SQS emulator for the tests, on 127.0.0.1 only.
//
// fauxqs binds 0.0.0.0 unconditionally and its persistence module imports `node:sqlite`, which
// Node 20 lacks. The tests keep everything in memory and on loopback, so two module hooks
// adapt it without patching node_modules: `node:sqlite` resolves to a stub that refuses to be
// used, and the listen address in fauxqs' app module becomes 127.0.0.1.
//
// Usage: node fauxqs-loopback.mjs <port>   (prints "fauxqs listening on <url>" when ready)
import { register } from "node:module";

const hooks = `
const sqliteStub = "data:text/javascript," + encodeURIComponent(
  "export class DatabaseSync { constructor() { throw new Error('fauxqs persistence needs Node 22'); } }");
export async function resolve(specifier, context, next) {
  if (specifier === "node:sqlite") return { url: sqliteStub, shortCircuit: true };
  return next(specifier, context);
}
export async function load(url, context, next) {
  const result = await next(url, context);
  if (url.includes("/fauxqs/dist/app.js")) {
    const source = String(result.source);
    const patched = source.replace('host: "0.0.0.0"', 'host: "127.0.0.1"');
    if (patched === source) throw new Error("fauxqs: listen address not found; update the launcher");
    return { ...result, source: patched };
  }
  return result;
}`;
register("data:text/javascript," + encodeURIComponent(hooks));

const port = Number(process.argv[2] ?? 4566);
const { startFauxqs } = await import("fauxqs");
const server = await startFauxqs({ port, host: "127.0.0.1", logger: false });
console.log(`fauxqs listening on ${server.address}`);
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.stop().then(() => process.exit(0)));
}
