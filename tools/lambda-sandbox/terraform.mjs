// Evaluates the expressions of the parsed deploy/aws files (tools/terraform/parse.mjs) the way
// Terraform would for one set of variable values, so the sandbox runs what `terraform apply`
// would create: the same queue attributes, redrive policies, subscriptions, function settings,
// event source mappings and routes. Only the part of Terraform's language the files use is
// understood (references, for_each, for expressions, templates, arithmetic, comparisons,
// conditionals, and the functions listed in FUNCTIONS); anything else throws, naming the expression, so a change to
// the files that the sandbox cannot follow fails the test instead of being skipped.
//
// Resources are not created by this module: the caller gives, per resource type and name, the
// attributes of its stand-in (a queue's url and arn, the database's address, ...). A reference
// to an attribute no stand-in has also throws: the sandbox never guesses a value.

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
    if (['==', '!=', '<=', '>=', '&&', '||', '=>'].includes(two)) { push('op', two); i += 2; continue; }
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
      const entries = [];
      skipNewlines();
      if (peek().type === 'ident' && peek().value === 'for') return forExpression('}');
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
  // [for v in c : e if cond] and {for k, v in c : ke => ve if cond}; `for` is next.
  function forExpression(close) {
    next();
    const names = [next().value];
    if (isOp(',')) { next(); names.push(next().value); }
    const keyword = next();
    if (keyword.type !== 'ident' || keyword.value !== 'in') throw new Error(`terraform: 'in' expected in ${source}`);
    const collection = expression();
    skipNewlines();
    expect(':');
    const first = expression();
    skipNewlines();
    let value = null;
    if (close === '}') { expect('=>'); value = expression(); skipNewlines(); }
    let condition = null;
    if (peek().type === 'ident' && peek().value === 'if') { next(); condition = expression(); skipNewlines(); }
    expect(close);
    return { kind: 'for', object: close === '}', names, collection, key: first, value, condition };
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
  // take their defaults); `standIns`: { type: { name: attributes } }, attributes being an
  // object (or, for for_each resources, an object of instances by key).
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
  // ({ each: { key, value } } inside a for_each resource).
  value(raw, scope = {}) {
    if (typeof raw === 'string') return this.template(parseTemplate(raw), scope, raw);
    if (Array.isArray(raw)) return raw.map((item) => this.value(item, scope));
    if (raw !== null && typeof raw === 'object') {
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, this.value(v, scope)]));
    }
    return raw;
  }

  // Each instance of resource `type`.`name`: [{ key, each, body }] (one with key null
  // without for_each or count).
  instances(type, name) {
    const body = this.deployment.one(type, name);
    if (!body) throw new Error(`terraform: no resource ${type}.${name}`);
    if (body.count !== undefined) throw new Error(`terraform: count on ${type}.${name} is not supported`);
    if (body.for_each === undefined) return [{ key: null, scope: {}, body }];
    const collection = this.value(body.for_each);
    const entries = Array.isArray(collection) ? collection.map((v) => [v, v]) : Object.entries(collection);
    return entries.map(([key, value]) => ({ key, scope: { each: { key, value } }, body }));
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
      case 'call': {
        const f = FUNCTIONS[node.name];
        if (!f) throw new Error(`terraform: function ${node.name}() is not supported (${source})`);
        return f(...node.args.map(ev));
      }
      case 'for': return this.forEach(node, scope, source);
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

  // A for expression: over a list (index, value) or an object (key, value), as Terraform does.
  forEach(node, scope, source) {
    const collection = this.evaluate(node.collection, scope, source);
    const pairs = Array.isArray(collection) ? collection.map((v, i) => [i, v]) : Object.entries(collection);
    const results = [];
    for (const [k, v] of pairs) {
      const names = node.names.length === 2 ? { [node.names[0]]: k, [node.names[1]]: v } : { [node.names[0]]: v };
      const inner = { ...scope, names: { ...(scope.names ?? {}), ...names } };
      if (node.condition && !this.evaluate(node.condition, inner, source)) continue;
      results.push(node.object ? [this.evaluate(node.key, inner, source), this.evaluate(node.value, inner, source)]
        : this.evaluate(node.key, inner, source));
    }
    return node.object ? Object.fromEntries(results) : results;
  }

  member(target, key, node, source) {
    if (target === null || typeof target !== 'object' || !(key in target)) {
      throw new Error(`terraform: no '${key}' in ${describe(node.target)} (${source})`);
    }
    return target[key];
  }

  root(name, scope, source) {
    if (scope.names && name in scope.names) return scope.names[name];
    if (name === 'var') return this.variables;
    if (name === 'each') {
      if (!scope.each) throw new Error(`terraform: each outside for_each (${source})`);
      return scope.each;
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
    if (name === 'data' || name === 'path' || name === 'count' || name === 'module') {
      throw new Error(`terraform: ${name}.* is not supported (${source})`);
    }
    const byName = this.standIns[name];
    if (!byName) throw new Error(`terraform: the sandbox has no stand-in for ${name} (${source})`);
    return byName;
  }
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
