// Parses every .tf file of a folder with @cdktf/hcl2json and merges them into one object, the
// way Terraform reads a module: { resource: { type: { name: [body] } }, data, locals: [...], ... }.
// The Terraform test (tests/deploy) and the AWS architecture diagram (aws-diagram.mjs) read
// the deployment through this one parse, so what is checked is what is drawn.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

export async function parseDeployment(dir, modules) {
  const require = createRequire(join(resolve(modules), 'noop.js'));
  const { parse } = require('@cdktf/hcl2json');
  const merged = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf')).sort()) {
    const json = await parse(file, readFileSync(join(dir, file), 'utf8'));
    for (const [kind, byType] of Object.entries(json)) {
      if (Array.isArray(byType)) {  // locals, terraform: lists of blocks
        merged[kind] = (merged[kind] ?? []).concat(byType);
        continue;
      }
      merged[kind] ??= {};
      for (const [type, byName] of Object.entries(byType)) {
        if (Array.isArray(byName)) { merged[kind][type] = byName; continue; }
        merged[kind][type] ??= {};
        Object.assign(merged[kind][type], byName);
      }
    }
  }
  return {
    merged,
    // Each with `key`, its name in Terraform (`name` is the body's own argument when it has one).
    resources: (type) => Object.entries(merged.resource?.[type] ?? {})
      .map(([name, [body]]) => ({ key: name, name, ...body })),
    one: (type, name) => merged.resource?.[type]?.[name]?.[0],
    data: (type, name) => merged.data?.[type]?.[name]?.[0],
    variable: (name) => merged.variable?.[name]?.[0],
    locals: Object.assign({}, ...(merged.locals ?? [])),
  };
}
