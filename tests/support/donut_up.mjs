// Starts `donut up` for a Node test on free ports, in its own data folder, and resolves once it
// printed where its servers are: { url, factory, token, secret, child }. The caller stops it
// (child.kill('SIGTERM')).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function startDonut(donut, dir, extra = []) {
  const child = spawn(donut, ['up', '--data-dir', dir, '--port', '0', '--factory-port', '0',
    '--log-level', 'warn', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ready, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const sales = /Sales API\s+(http:\/\/\S+)/.exec(out);
      const factory = /Factory\s+(http:\/\/\S+)/.exec(out);
      const token = /Admin token\s+(\S+)/.exec(out);
      if (sales && factory && token) {
        ready({ url: sales[1], factory: factory[1], token: readFileSync(token[1], 'utf8').trim(),
          secret: readFileSync(join(dir, 'callback-secret'), 'utf8').trim(), child });
      }
    });
    child.on('exit', (code) => reject(new Error(`donut up exited ${code}`)));
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `probe` every 100 ms until it returns something truthy (returned), or throws after `ms`.
export async function eventually(what, probe, ms = 30000) {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(100)) {
    const value = await probe();
    if (value) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}
