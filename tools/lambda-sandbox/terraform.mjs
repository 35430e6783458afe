// Evaluates the expressions of the parsed deploy/aws files (tools/terraform/parse.mjs) the way
// Terraform would for one set of variable values, so the sandbox runs what `terraform apply`
// would create: the same queue attributes, redrive policies, subscriptions, function settings,
// event source mappings, routes and IAM policy documents. Only the part of Terraform's language
// the files use is understood (references, for_each and count, for expressions, templates,
// arithmetic, comparisons, conditionals, the functions listed in FUNCTIONS, aws_iam_policy_document
// data sources, and resource preconditions); anything else throws, naming the expression, so a
// change to the files that the sandbox cannot follow fails the test instead of being skipped.
//
// Resources are not created by this module: the caller gives, per resource type and name, the
// attributes of its stand-in (a queue's url and arn, the database's address, ...), either as
// values or as a function of the instance's own arguments; data sources the same way under
// `data`. A reference to an attribute no stand-in has also throws: the sandbox never guesses.

const FUNCTIONS = {
  jsonencode: (v) => JSON.stringify(v),
  merge: (...maps) => Object.assign({}, ...maps),
  lookup: (map, key, fallback) => (key in map ? map[key] : fallback),
  contains: (list, value) => list.includes(value),
  keys: (map) => Object.keys(map).sort(),
  values: (map) => Object.keys(map).sort().map((k) => map[k]),
  replace: (text, from, to) => text.split(from).join(to),
  join: (separator, list) => list.join(separator),
  concat: (...lists) => [].concat(...lists),
  toset: (list) => [...new Set(list)],
  distinct: (list) => [...new Set(list)],
  length: (v) => (Array.isArray(v) ? v.length : typeof v === 'string' ? v.length : Object.keys(v).length),
  sum: (list) => list.reduce((a, b) => a + b, 0),
  min: (...numbers) => Math.min(...numbers),
  max: (...numbers) => Math.max(...numbers),
  floor: (n) => Math.floor(n),
};

// --- tokens -------------------------------------------------------------------------------
function tokenize(source) {
  const tokens = [];
  let i = 0;
  const push = (type, value) => tokens.push({ type, value });
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') { push('newline'); i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#' || (c === '/' && source[i + 1] === '/')) { while (i < source.length && source[i] !== '\n') i++; continue; }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(i));
      push('number', Number(m[0])); i += m[0].length; continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i));
      push('ident', m[0]); i += m[0].length; continue;
    }
    if (c === '"') {
      const end = stringEnd(source, i);
      push('string', parseTemplate(source.slice(i + 1, end)));
      i = end + 1; continue;
    }
    const two = source.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) { push('op', two); i += 2; continue; }
    if ('{}[]().,=:?*/%+-<>!'.includes(c)) { push('op', c); i++; continue; }
    throw new Error(`terraform: cannot read '${source.slice(i, i + 20)}'`);
  }
  push('end');
  return tokens;
}

// The index of the quote that closes the string opened at `start`, across nested ${...}.
function stringEnd(source, start) {
  let depth = 0;
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') { i++; continue; }
    if (c === '$' && source[i + 1] === '{') { depth++; i++; continue; }
    if (depth > 0 && c === '"') { i = stringEnd(source, i); continue; }
    if (depth > 0 && c === '}') { depth--; continue; }
    if (depth === 0 && c === '"') return i;
  }
  throw new Error(`terraform: unterminated string in ${source}`);
}

// A template: literal text and ${expression} parts. hcl2json gives every expression as one.
function parseTemplate(text) {
  const parts = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && i + 1 < text.length) {
      const next = text[++i];
      literal += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      continue;
    }
    if (text[i] === '$' && text[i + 1] === '{') {
      let depth = 1, j = i + 2;
      for (; j < text.length && depth > 0; j++) {
        if (text[j] === '"') { j = stringEnd(text, j); continue; }
        if (text[j] === '{') depth++;
        if (text[j] === '}') depth--;
      }
      if (literal) parts.push(literal);
      literal = '';
      parts.push({ expression: text.slice(i + 2, j - 1) });
      i = j - 1;
      continue;
    }
    literal += text[i];
  }
  if (literal) parts.push(literal);
  return parts;
}

// --- syntax -------------------------------------------------------------------------------
const BINARY = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '>': 4, '<=': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };

function parseExpression(source) {
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at];
  const next = () => tokens[at++];
  const isOp = (value) => peek().type === 'op' && peek().value === value;
  const expect = (value) => {
    if (!isOp(value)) throw new Error(`terraform: expected '${value}' in ${source}`);
    next();
  };
  const skipNewlines = () => { while (peek().type === 'newline') next(); };

  function expression() {
    skipNewlines();
    const condition = binary(0);
    skipNewlines();
    if (!isOp('?')) return condition;
    next();
    const then = expression();
    skipNewlines();
    expect(':');
    const otherwise = expression();
    return { kind: 'conditional', condition, then, otherwise };
  }
  function binary(minimum) {
    let left = unary();
    for (;;) {
      const t = peek();
      const precedence = t.type === 'op' ? BINARY[t.value] : undefined;
      if (precedence === undefined || precedence <= minimum) return left;
      next();
      left = { kind: 'binary', op: t.value, left, right: binary(precedence) };
    }
  }
  function unary() {
    if (isOp('!') || isOp('-')) return { kind: 'unary', op: next().value, operand: unary() };
    return postfix(primary());
  }
  // Comma- or newline-separated expressions up to `close`, which is consumed.
  function items(close) {
    const list = [];
    skipNewlines();
    while (!isOp(close)) {
      list.push(expression());
      skipNewlines();
      if (isOp(',')) next();
      skipNewlines();
    }
    next();
    return list;
  }
  function primary() {
    skipNewlines();
    const t = next();
    if (t.type === 'number') return { kind: 'literal', value: t.value };
    if (t.type === 'string') return { kind: 'template', parts: t.value };
    if (t.type === 'ident') {
      if (t.value === 'true' || t.value === 'false') return { kind: 'literal', value: t.value === 'true' };
      if (t.value === 'null') return { kind: 'literal', value: null };
      if (isOp('(')) {
        next();
        return { kind: 'call', name: t.value, args: items(')') };
      }
      return { kind: 'reference', root: t.value };
    }
    if (t.type === 'op' && t.value === '(') { const e = expression(); skipNewlines(); expect(')'); return e; }
    if (t.type === 'op' && t.value === '[') {
      skipNewlines();
      if (peek().type === 'ident' && peek().value === 'for') return forExpression(']');
      return { kind: 'tuple', items: items(']') };
    }
    if (t.type === 'op' && t.value === '{') {
      skipNewlines();
      if (peek().type === 'ident' && peek().value === 'for') return forExpression('}');
      const entries = [];
      skipNewlines();
      while (!isOp('}')) {
        const key = next();
        if (key.type !== 'ident' && key.type !== 'string') throw new Error(`terraform: object key expected in ${source}`);
        skipNewlines();
        if (!isOp('=') && !isOp(':')) throw new Error(`terraform: '=' expected in ${source}`);
        next();
        entries.push([key.type === 'ident' ? key.value : key.value.join(''), expression()]);
        skipNewlines();
        if (isOp(',')) next();
        skipNewlines();
      }
      next();
      return { kind: 'object', entries };
    }
    throw new Error(`terraform: unexpected '${t.value ?? t.type}' in ${source}`);
  }
  // [for k, v in collection : value if condition] / {for k, v in collection : key => value}
  function forExpression(close) {
    next();  // for
    const names = [next().value];
    if (isOp(',')) { next(); names.push(next().value); }
    if (!(peek().type === 'ident' && peek().value === 'in')) throw new Error(`terraform: 'in' expected in ${source}`);
    next();
    const collection = expression();
    skipNewlines();
    expect(':');
    let key = null;
    let value = expression();
    skipNewlines();
    if (close === '}') {
      expect('=');
      expect('>');
      key = value;
      value = expression();
      skipNewlines();
    }
    let condition = null;
    if (peek().type === 'ident' && peek().value === 'if') { next(); condition = expression(); skipNewlines(); }
    expect(close);
    return { kind: 'for', names, collection, key, value, condition, object: close === '}' };
  }
  function postfix(node) {
    for (;;) {
      if (isOp('.')) {
        next();
        const name = next();
        if (name.type !== 'ident' && name.type !== 'number') throw new Error(`terraform: attribute expected in ${source}`);
        node = { kind: 'get', target: node, key: { kind: 'literal', value: String(name.value) } };
      } else if (isOp('[')) {
        next();
        if (isOp('*')) {
          next(); expect(']');
          const steps = [];
          while (isOp('.')) { next(); steps.push(next().value); }
          node = { kind: 'splat', target: node, steps };
        } else {
          const key = expression();
          skipNewlines();
          expect(']');
          node = { kind: 'get', target: node, key };
        }
      } else {
        return node;
      }
    }
  }

  const result = expression();
  skipNewlines();
  if (peek().type !== 'end') throw new Error(`terraform: unexpected '${peek().value}' in ${source}`);
  return result;
}

// --- values -------------------------------------------------------------------------------
export class Evaluator {
  // `deployment`: parseDeployment's answer; `variables`: values for the variables (the rest
  // take their defaults); `standIns`: { type: { name: attributes } } for resources and
  // { data: { type: { name: attributes } } } for data sources. Attributes are an object (for
  // for_each or count resources: by instance key), or a function (instance) -> attributes,
  // `instance` being { key, scope, arguments(name) } so a stand-in can derive its ARN from its
  // own name. aws_iam_policy_document data sources need no stand-in: their `json` is rendered
  // here from their statement blocks.
  constructor(deployment, variables, standIns) {
    this.deployment = deployment;
    this.standIns = standIns;
    this.variables = {};
    for (const [name, blocks] of Object.entries(deployment.merged.variable ?? {})) {
      const given = variables[name];
      if (given === undefined && !('default' in blocks[0])) throw new Error(`terraform: var.${name} needs a value`);
      this.variables[name] = given === undefined ? blocks[0].default : given;
    }
    for (const name of Object.keys(variables)) {
      if (!(name in this.variables)) throw new Error(`terraform: no variable '${name}' is declared`);
    }
    this.localCache = {};
  }

  // The value of a parsed attribute (a template string, or JSON holding them) in `scope`
  // ({ each: { key, value } } inside a for_each resource, { count: { index } } with count).
  value(raw, scope = {}) {
    if (typeof raw === 'string') return this.template(parseTemplate(raw), scope, raw);
    if (Array.isArray(raw)) return raw.map((item) => this.value(item, scope));
    if (raw !== null && typeof raw === 'object') {
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, this.value(v, scope)]));
    }
    return raw;
  }

  // Each instance of resource `type`.`name` (or of data source `data`.`type`.`name`):
  // [{ key, scope, body }] (one with key null without for_each or count).
  instances(type, name, kind = 'resource') {
    const body = kind === 'data' ? this.deployment.data(type, name) : this.deployment.one(type, name);
    if (!body) throw new Error(`terraform: no ${kind} ${type}.${name}`);
    if (body.count !== undefined) {
      const count = this.value(body.count);
      return Array.from({ length: count }, (_, index) => ({ key: index, scope: { count: { index } }, body }));
    }
    if (body.for_each === undefined) return [{ key: null, scope: {}, body }];
    const collection = this.value(body.for_each);
    const entries = Array.isArray(collection) ? collection.map((v) => [v, v]) : Object.entries(collection);
    return entries.map(([key, value]) => ({ key, scope: { each: { key, value } }, body }));
  }

  // Every precondition of every resource, as `terraform plan` checks them: the first that does
  // not hold throws with its error_message, naming the resource.
  checkPreconditions() {
    for (const [type, byName] of Object.entries(this.deployment.merged.resource ?? {})) {
      for (const name of Object.keys(byName)) {
        const lifecycle = [].concat(this.deployment.one(type, name).lifecycle ?? []);
        const preconditions = lifecycle.flatMap((l) => [].concat(l.precondition ?? []));
        if (preconditions.length === 0) continue;
        for (const { key, scope } of this.instances(type, name)) {
          for (const p of preconditions) {
            if (this.value(p.condition, scope) !== true) {
              const address = `${type}.${name}${key === null ? '' : `[${JSON.stringify(key)}]`}`;
              throw new Error(`Resource precondition failed on ${address}: ${this.value(p.error_message, scope)}`);
            }
          }
        }
      }
    }
  }

  template(parts, scope, source) {
    if (parts.length === 1 && typeof parts[0] !== 'string') return this.expression(parts[0].expression, scope);
    return parts.map((p) => {
      if (typeof p === 'string') return p;
      const v = this.expression(p.expression, scope);
      if (typeof v === 'object' && v !== null) throw new Error(`terraform: ${p.expression} is not text in ${source}`);
      return String(v);
    }).join('');
  }

  expression(source, scope) {
    return this.evaluate(parseExpression(source), scope, source);
  }

  evaluate(node, scope, source) {
    const ev = (n) => this.evaluate(n, scope, source);
    switch (node.kind) {
      case 'literal': return node.value;
      case 'template': return this.template(node.parts, scope, source);
      case 'tuple': return node.items.map(ev);
      case 'object': return Object.fromEntries(node.entries.map(([k, v]) => [k, ev(v)]));
      case 'conditional': return ev(node.condition) ? ev(node.then) : ev(node.otherwise);
      case 'unary': return node.op === '!' ? !ev(node.operand) : -ev(node.operand);
      case 'binary': {
        const a = ev(node.left), b = ev(node.right);
        switch (node.op) {
          case '+': return a + b; case '-': return a - b; case '*': return a * b;
          case '/': return a / b; case '%': return a % b;
          case '==': return JSON.stringify(a) === JSON.stringify(b);
          case '!=': return JSON.stringify(a) !== JSON.stringify(b);
          case '<': return a < b; case '>': return a > b; case '<=': return a <= b; case '>=': return a >= b;
          case '&&': return a && b; case '||': return a || b;
        }
        break;
      }
      case 'for': return this.forExpression(node, scope, source);
      case 'call': {
        const f = FUNCTIONS[node.name];
        if (!f) throw new Error(`terraform: function ${node.name}() is not supported (${source})`);
        return f(...node.args.map(ev));
      }
      case 'reference': return this.root(node.root, scope, source);
      case 'get': {
        const target = ev(node.target);
        const key = ev(node.key);
        return this.member(target, key, node, source);
      }
      case 'splat': {
        const target = ev(node.target);
        return [].concat(target).map((item) => node.steps.reduce((v, s) => this.member(v, s, node, source), item));
      }
    }
    throw new Error(`terraform: cannot evaluate ${source}`);
  }

  forExpression(node, scope, source) {
    const collection = this.evaluate(node.collection, scope, source);
    const entries = Array.isArray(collection) ? collection.map((v, i) => [i, v]) : Object.entries(collection);
    const out = node.object ? {} : [];
    for (const [k, v] of entries) {
      const inner = { ...scope, locals: { ...(scope.locals ?? {}),
        ...(node.names.length === 2 ? { [node.names[0]]: k, [node.names[1]]: v } : { [node.names[0]]: v }) } };
      if (node.condition && !this.evaluate(node.condition, inner, source)) continue;
      const value = this.evaluate(node.value, inner, source);
      if (node.object) out[this.evaluate(node.key, inner, source)] = value;
      else out.push(value);
    }
    return out;
  }

  member(target, key, node, source) {
    if (target === null || typeof target !== 'object' || !(key in target)) {
      throw new Error(`terraform: no '${key}' in ${describe(node.target)} (${source})`);
    }
    return target[key];
  }

  root(name, scope, source) {
    if (scope.locals && name in scope.locals) return scope.locals[name];
    if (name === 'var') return this.variables;
    if (name === 'each') {
      if (!scope.each) throw new Error(`terraform: each outside for_each (${source})`);
      return scope.each;
    }
    if (name === 'count') {
      if (!scope.count) throw new Error(`terraform: count outside a counted resource (${source})`);
      return scope.count;
    }
    if (name === 'local') {
      const evaluator = this;
      return new Proxy({}, {
        has: (_, key) => key in evaluator.deployment.locals,
        get: (_, key) => {
          if (!(key in evaluator.deployment.locals)) return undefined;
          if (!(key in evaluator.localCache)) evaluator.localCache[key] = evaluator.value(evaluator.deployment.locals[key]);
          return evaluator.localCache[key];
        },
      });
    }
    if (name === 'data') return this.dataSources(source);
    if (name === 'path' || name === 'module') {
      throw new Error(`terraform: ${name}.* is not supported (${source})`);
    }
    const byName = this.standIns[name];
    if (!byName) throw new Error(`terraform: the sandbox has no stand-in for ${name} (${source})`);
    return this.materialize(name, byName, 'resource');
  }

  // { type: { name: attributes } } of the data sources: stand-ins, and the policy documents.
  dataSources(source) {
    const evaluator = this;
    return new Proxy({}, {
      has: () => true,
      get: (_, type) => {
        if (type === 'aws_iam_policy_document') {
          return new Proxy({}, { has: (__, n) => Boolean(evaluator.deployment.data(type, n)),
            get: (__, n) => evaluator.policyDocuments(n) });
        }
        const byName = evaluator.standIns.data?.[type];
        if (!byName) throw new Error(`terraform: the sandbox has no stand-in for data.${type} (${source})`);
        return evaluator.materialize(type, byName, 'data');
      },
    });
  }

  // A stand-in's attributes by name, computing those given as functions of the instance.
  materialize(type, byName, kind) {
    return new Proxy(byName, {
      get: (target, name) => {
        const given = target[name];
        if (typeof given !== 'function') return given;
        const instances = this.instances(type, name, kind).map((instance) => [instance.key, given({
          ...instance, argument: (argument) => this.value(instance.body[argument], instance.scope) })]);
        if (instances.length === 1 && instances[0][0] === null) return instances[0][1];
        return typeof instances[0]?.[0] === 'number' ? instances.map(([, v]) => v) : Object.fromEntries(instances);
      },
    });
  }

  // data.aws_iam_policy_document.<name>: { json, document } per instance.
  policyDocuments(name) {
    const instances = this.instances('aws_iam_policy_document', name, 'data').map(({ key, scope, body }) => {
      const document = policyDocument(this, body, scope);
      return [key, { json: JSON.stringify(document), document }];
    });
    return instances.length === 1 && instances[0][0] === null ? instances[0][1] : Object.fromEntries(instances);
  }
}

// The policy JSON the AWS provider renders from an aws_iam_policy_document's statement blocks,
// static and dynamic (the latter's iterator named after the block, `statement.value`).
export function policyDocument(evaluator, body, scope) {
  const statements = [];
  for (const block of [].concat(body.statement ?? [])) statements.push(renderStatement(evaluator, block, scope));
  for (const dynamic of [].concat(body.dynamic ?? [])) {
    for (const generator of [].concat(dynamic.statement ?? [])) {
      const collection = evaluator.value(generator.for_each, scope);
      const entries = Array.isArray(collection) ? collection.map((v, i) => [i, v]) : Object.entries(collection);
      for (const [key, value] of entries) {
        const inner = { ...scope, locals: { ...(scope.locals ?? {}), statement: { key, value } } };
        statements.push(renderStatement(evaluator, [].concat(generator.content)[0], inner));
      }
    }
  }
  return { Version: '2012-10-17', Statement: statements };
}

function renderStatement(evaluator, block, scope) {
  const v = (raw) => (raw === undefined ? undefined : evaluator.value(raw, scope));
  const statement = { Effect: v(block.effect) ?? 'Allow' };
  if (block.sid !== undefined) statement.Sid = v(block.sid);
  for (const [argument, element] of [['actions', 'Action'], ['not_actions', 'NotAction'],
    ['resources', 'Resource'], ['not_resources', 'NotResource']]) {
    if (block[argument] !== undefined) statement[element] = [].concat(v(block[argument]));
  }
  const principals = [].concat(block.principals ?? []);
  if (principals.length) {
    statement.Principal = {};
    for (const p of principals) {
      const type = v(p.type);
      statement.Principal[type] = [].concat(statement.Principal[type] ?? [], v(p.identifiers));
    }
  }
  const conditions = [].concat(block.condition ?? []);
  if (conditions.length) {
    statement.Condition = {};
    for (const c of conditions) {
      const test = v(c.test);
      statement.Condition[test] = { ...(statement.Condition[test] ?? {}), [v(c.variable)]: [].concat(v(c.values)) };
    }
  }
  return statement;
}

function describe(node) {
  if (node.kind === 'reference') return node.root;
  if (node.kind === 'get') return `${describe(node.target)}[${node.key.kind === 'literal' ? node.key.value : '…'}]`;
  return node.kind;
}

// "rate(1 minute)" / "rate(5 minutes)" in milliseconds; cron() is not supported.
export function rateMillis(expression) {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) throw new Error(`terraform: schedule ${expression} is not a rate()`);
  const unit = { minute: 60e3, hour: 3600e3, day: 86400e3 }[m[2].replace(/s$/, '')];
  return Number(m[1]) * unit;
}
