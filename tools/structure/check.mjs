#!/usr/bin/env node
// The source tree's two structural rules, cheap enough to run on every test run:
// 1. Layers: a folder of src/ includes only the folders below it (LAYERS); the domain core
//    never reaches an adapter, an adapter never reaches a use case or the HTTP surface.
// 2. Function length: no function in src/ is longer than MAX_FUNCTION_LINES, whether defined at
//    namespace scope or inside a class body (a lambda counts towards the function it is written
//    in). The longest are printed either way.
// Usage: node tools/structure/check.mjs [repository root]. Exit 1 names each breach.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const MAX_FUNCTION_LINES = 80;

// folder -> the folders its files may include (besides its own).
export const LAYERS = {
  common: [],
  domain: ['common'],
  ports: ['common', 'domain'],
  codec: ['common', 'domain', 'ports'],
  aws: ['common'],
  http: ['common'],
  app: ['common', 'domain', 'ports', 'codec'],
  adapters: ['common', 'domain', 'ports', 'codec', 'aws'],
  wiring: ['common', 'domain', 'ports', 'codec', 'aws', 'adapters'],
  api: ['common', 'domain', 'ports', 'codec', 'app', 'http'],
  factory: ['common', 'domain', 'ports', 'codec', 'app', 'http', 'adapters'],
  surge: ['common', 'domain', 'ports', 'codec', 'adapters'],
  sim: ['common', 'domain', 'ports', 'codec', 'app', 'adapters'],
  web: [],
  hosts: ['common', 'domain', 'ports', 'codec', 'aws', 'http', 'app', 'adapters', 'wiring', 'api', 'factory'],
  cli: ['common', 'domain', 'ports', 'codec', 'app', 'adapters', 'wiring', 'hosts', 'surge', 'sim'],
};

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(cc|h)$/.test(name)) yield path;
  }
}

// Which folders one file includes that its layer may not.
export function layerBreaches(file, text) {
  const folder = file.split('/')[0];
  const allowed = new Set([folder, ...(LAYERS[folder] ?? [])]);
  const breaches = [];
  for (const m of text.matchAll(/^#include "([a-z_]+)\//gm)) {
    if (!allowed.has(m[1])) breaches.push(`${file} includes ${m[1]}/ (a ${folder}/ file may include ${[...allowed].join(', ')})`);
  }
  if (!(folder in LAYERS)) breaches.push(`${file}: folder ${folder}/ has no layer in tools/structure/check.mjs`);
  return breaches;
}

// Comments, string and character literals and preprocessor lines blanked (their braces and
// semicolons do not count), in one pass so that `//` in a string or `"` in a comment is read as
// what it is; line breaks are kept, so line numbers stay those of the file.
function codeOnly(text) {
  let out = '';
  let i = 0;
  const blankTo = (end) => {
    out += text.slice(i, end).replace(/[^\n]/g, ' ');
    i = end;
  };
  const lineEnd = (from) => {
    const end = text.indexOf('\n', from);
    return end < 0 ? text.length : end;
  };
  while (i < text.length) {
    const two = text.slice(i, i + 2);
    const before = out.length > 0 ? out[out.length - 1] : '\n';
    if (two === '//') {
      blankTo(lineEnd(i));
    } else if (two === '/*') {
      const end = text.indexOf('*/', i + 2);
      blankTo(end < 0 ? text.length : end + 2);
    } else if (text[i] === '#' && /^[ \t]*$/.test(out.slice(out.lastIndexOf('\n') + 1))) {
      let end = lineEnd(i);
      while (end < text.length && text[end - 1] === '\\') end = lineEnd(end + 1);
      blankTo(end);
    } else if (two === 'R"' && !/[A-Za-z0-9_]/.test(before)) {
      const open = text.indexOf('(', i);
      const close = text.indexOf(`)${text.slice(i + 2, open)}"`, open);
      blankTo(close < 0 ? text.length : close + (open - i - 2) + 2);
    } else if (text[i] === '"' || (text[i] === "'" && !/[0-9A-Fa-f]/.test(before))) {
      // (A quote after a digit is a digit separator, 1'000, not a character literal.)
      let j = i + 1;
      while (j < text.length && text[j] !== text[i] && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      blankTo(Math.min(j + 1, text.length));
    } else {
      out += text[i++];
    }
  }
  return out;
}

// What a `{` opens, from the text since the previous declaration ended (its head).
function scopeOf(head) {
  const h = head.trim();
  if (/^(inline\s+)?namespace\b/.test(h) || /^extern\s*""$/.test(h)) return 'namespace';
  if (/^(template\s*<[^{]*>\s*)?enum\b/.test(h)) return 'other';
  if (/^(template\s*<[^{]*>\s*)?(class|struct|union)\b/.test(h) && !/\)\s*$/.test(h)) return 'class';
  const qualifiers =
    /\)(\s*(const|noexcept(\s*\([^)]*\))?|override|final|mutable|volatile|&&?))*\s*(->[^{};]*)?$/;
  return h.includes('(') && qualifiers.test(h) ? 'function' : 'other';
}

// A function's first line and its signature: the head's first line that is not blank or a
// `template <...>` line.
function signatureOf(head, firstLine) {
  const lines = head.split('\n');
  for (let i = 0; i < lines.length; ++i) {
    const text = lines[i].trim();
    if (text === '' || (/^template\s*<.*>$/.test(text) && i + 1 < lines.length)) continue;
    return { line: firstLine + i, signature: text.slice(0, 90) };
  }
  return { line: firstLine, signature: '' };
}

// Functions defined at namespace scope or inside class bodies (at any depth of classes), with
// their length in lines from the signature to the closing brace. A lambda or a local class
// counts towards the function it is written in; braced initialisers and tables are not
// functions.
export function functionLengths(text) {
  const code = codeOnly(text);
  const found = [];
  const scopes = [];  // what each open brace opened: namespace, class, function, other, inside
  let head = '';      // the declaration being read, at namespace or class scope
  let headLine = 1;   // the line where `head` starts
  let line = 1;
  const startHead = () => {
    head = '';
    headLine = line;
  };
  const atDeclarations = () => scopes.every((s) => s.kind === 'namespace' || s.kind === 'class');
  for (const ch of code) {
    if (!atDeclarations()) {
      // Inside a function's body or an initialiser: only the braces matter.
      if (ch === '{') scopes.push({ kind: 'inside' });
      if (ch === '}') {
        const scope = scopes.pop();
        if (scope.kind === 'function') {
          found.push({ line: scope.line, lines: line - scope.line + 1, signature: scope.signature });
        }
        if (atDeclarations()) {
          if (scope.kind === 'other') head += '{}';  // a braced initialiser inside a declaration
          else startHead();
        }
      }
    } else if (ch === '{') {
      const kind = scopeOf(head);
      scopes.push({ kind, ...signatureOf(head, headLine) });
      if (kind !== 'other') startHead();
    } else if (ch === '}') {
      scopes.pop();
      startHead();
    } else if (ch === ';') {
      startHead();
    } else {
      head += ch;
      if (ch === ':' && /\b(public|private|protected)\s*:$/.test(head)) startHead();
    }
    if (ch === '\n') {
      ++line;
      if (head.trim() === '') startHead();
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

function main() {
  const root = process.argv[2] ?? new URL('../..', import.meta.url).pathname;
  const src = join(root, 'src');
  const breaches = [];
  const functions = [];
  for (const path of sources(src)) {
    const file = relative(src, path);
    const text = readFileSync(path, 'utf8');
    breaches.push(...layerBreaches(file, text));
    for (const f of functionLengths(text)) functions.push({ file: `src/${file}`, ...f });
  }
  functions.sort((a, b) => b.lines - a.lines);
  console.log(`longest functions in src/ (limit ${MAX_FUNCTION_LINES - 1} lines):`);
  for (const f of functions.slice(0, 5)) console.log(`  ${f.lines} lines  ${f.file}:${f.line}  ${f.signature}`);
  for (const f of functions) {
    if (f.lines >= MAX_FUNCTION_LINES) breaches.push(`${f.file}:${f.line} is ${f.lines} lines long: ${f.signature}`);
  }
  console.log(`${functions.length} functions measured; every #include checked against the layers`);
  if (breaches.length > 0) {
    for (const b of breaches) console.error(`structure: ${b}`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
