// Checks parsed deploy/aws files (parse.mjs) against the AWS provider's own schema, offline:
// every resource and data source type exists, every argument and nested block (also inside
// `dynamic` blocks) is one the provider declares at that place, and every reference
// `type.name.attribute` names a declared resource and an attribute its type has. Variables and
// locals that are referenced must be declared.
//
// The schema is read from @cdktf/provider-aws (tools/provider-schema), whose sources are
// generated from the provider's schema: per type, `synthesizeAttributes()` lists the arguments
// and blocks by their Terraform names, each block's `...ToTerraform(struct)` function its own,
// and the getters (`getStringAttribute('arn')`, ...) the attributes a reference may read. The
// generated files are read as text, never loaded (cdktf itself is not needed).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const META = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'provisioner', 'connection']);

// The fields of the first `return { ... };` object literal after `from` in `source`:
// [{ name, block }], `block` naming the struct function of a nested block.
function returnedFields(source, from) {
  const start = source.indexOf('return {', from);
  const fields = [];
  for (const line of source.slice(start + 'return {'.length).split('\n')) {
    if (/^\s*};?\s*$/.test(line)) break;
    const m = /^\s+([a-z0-9_]+): (.*),$/.exec(line);
    if (!m) continue;
    const block = /(?<!cdktf\.)\b([a-zA-Z0-9]+ToTerraform)\b/.exec(m[2]);
    fields.push({ name: m[1], block: block ? block[1] : null });
  }
  return fields;
}

function loadType(modules, kind, type) {
  const folder = kind === 'data' ? `data-${type.replaceAll('_', '-')}` : type.replace(/^aws_/, '').replaceAll('_', '-');
  const file = join(modules, '@cdktf/provider-aws/lib', folder, 'index.js');
  if (!existsSync(file)) return null;
  const source = readFileSync(file, 'utf8');
  const main = new RegExp(`(\\w+)\\.tfResourceType = "${type}";`).exec(source);
  if (!main) return null;
  const classStart = source.indexOf(`class ${main[1]} extends cdktf.Terraform`);
  const classBody = source.slice(classStart, main.index);
  // A nested block's schema: the fields its ToTerraform function returns, recursively.
  const structs = new Map();
  const struct = (name) => {
    if (structs.has(name)) return structs.get(name);
    const at = source.indexOf(`function ${name}(struct`);
    const level = { fields: new Map() };
    structs.set(name, level);
    if (at < 0) return level;
    for (const f of returnedFields(source, at)) level.fields.set(f.name, f.block ? struct(f.block) : null);
    return level;
  };
  const top = { fields: new Map() };
  const synth = classBody.indexOf('synthesizeAttributes() {');
  for (const f of returnedFields(classBody, synth)) top.fields.set(f.name, f.block ? struct(f.block) : null);
  const attributes = new Set(top.fields.keys());
  for (const m of classBody.matchAll(/(?:get\w*Attribute|interpolationForAttribute)\('([a-z0-9_]+)'\)/g)) attributes.add(m[1]);
  for (const m of classBody.matchAll(/new \w+\(this, "([a-z0-9_]+)"/g)) attributes.add(m[1]);
  return { schema: top, attributes };
}

// The provider version the bindings were generated from (package.json "cdktf.provider.version").
export function providerVersion(modules) {
  const pkg = JSON.parse(readFileSync(join(modules, '@cdktf/provider-aws/package.json'), 'utf8'));
  return pkg.cdktf.provider.version;
}

// Every problem found, as text ("aws_sqs_queue.work: no argument 'visiblity_timeout' ...").
export function checkAgainstProvider(deployment, modules) {
  const problems = [];
  const types = { resource: new Map(), data: new Map() };
  const typeOf = (kind, type) => {
    if (!types[kind].has(type)) types[kind].set(type, loadType(modules, kind, type));
    return types[kind].get(type);
  };

  const checkBody = (where, body, level) => {
    for (const [key, value] of Object.entries(body)) {
      if (META.has(key)) continue;
      if (key === 'dynamic') {
        for (const [name, blocks] of Object.entries(value)) {
          const nested = level.fields.get(name);
          if (!nested) { problems.push(`${where}: no block '${name}' (dynamic)`); continue; }
          for (const block of [].concat(blocks)) {
            for (const content of [].concat(block.content ?? [])) checkBody(`${where}.${name}`, content, nested);
          }
        }
        continue;
      }
      if (!level.fields.has(key)) { problems.push(`${where}: no argument or block '${key}'`); continue; }
      const nested = level.fields.get(key);
      if (!nested) continue;
      for (const item of [].concat(value)) {
        if (item && typeof item === 'object' && !Array.isArray(item)) checkBody(`${where}.${key}`, item, nested);
      }
    }
  };

  const declared = { resource: new Set(), data: new Set() };
  for (const kind of ['resource', 'data']) {
    for (const [type, byName] of Object.entries(deployment.merged[kind] ?? {})) {
      const found = typeOf(kind, type);
      if (!found) { problems.push(`${kind} type ${type} is not in the AWS provider`); continue; }
      for (const [name, [body]] of Object.entries(byName)) {
        declared[kind].add(`${type}.${name}`);
        checkBody(`${kind === 'data' ? 'data.' : ''}${type}.${name}`, body, found.schema);
      }
    }
  }

  // References in every expression of the files.
  const variables = new Set(Object.keys(deployment.merged.variable ?? {}));
  const locals = new Set(Object.keys(deployment.locals));
  const strings = [];
  const visit = (value) => {
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  for (const kind of ['resource', 'data', 'output', 'locals']) visit(deployment.merged[kind]);
  const text = strings.join('\n');
  const reported = new Set();
  const report = (problem) => { if (!reported.has(problem)) { reported.add(problem); problems.push(problem); } };
  for (const m of text.matchAll(/(?<![\w.])(data\.)?(aws_[a-z0-9_]+)\.([a-z0-9_-]+)((?:\[[^\]]*\])?)(?:\.([a-z_][a-z0-9_]*))?/g)) {
    const kind = m[1] ? 'data' : 'resource';
    const ref = `${m[2]}.${m[3]}`;
    if (!declared[kind].has(ref)) { report(`reference to undeclared ${kind} ${m[1] ?? ''}${ref}`); continue; }
    const attribute = m[5];
    if (attribute && !typeOf(kind, m[2]).attributes.has(attribute)) {
      report(`reference ${m[1] ?? ''}${ref}.${attribute}: ${m[2]} has no attribute '${attribute}'`);
    }
  }
  for (const m of text.matchAll(/(?<![\w.])var\.([a-z0-9_]+)/g)) if (!variables.has(m[1])) report(`undeclared variable var.${m[1]}`);
  for (const m of text.matchAll(/(?<![\w.])local\.([a-z0-9_]+)/g)) if (!locals.has(m[1])) report(`undeclared local local.${m[1]}`);
  return { problems, types: types.resource.size + types.data.size };
}
