#!/usr/bin/env node
// The source tree's two structural rules, cheap enough to run on every test run:
// 1. Layers: a folder of src/ includes only the folders below it (LAYERS); the domain core
//    never reaches an adapter, an adapter never reaches a use case or the HTTP surface.
// 2. Function length: no function in src/ is longer than MAX_FUNCTION_LINES (a lambda counts
//    towards the function it is written in). The longest are printed either way.
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
  surge: ['common', 'adapters'],
  sim: ['common', 'domain', 'ports', 'codec', 'app', 'adapters'],
  web: [],
  hosts: ['common', 'domain', 'ports', 'codec', 'aws', 'http', 'app', 'adapters', 'wiring', 'api', 'factory'],
  cli: ['common', 'domain', 'ports', 'codec', 'app', 'adapters', 'wiring', 'api', 'hosts', 'surge', 'sim'],
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

// Functions defined at namespace scope (the tree does not indent namespaces), with their
// length in lines from the signature to the closing brace. Comments, string and character
// literals are blanked first so their braces do not count.
export function functionLengths(text) {
  const code = text
    .replace(/\/\/[^\n]*/g, '')
    .replace(/'(\\.|[^'\\])'/g, "''")
    .replace(/R"\(([\s\S]*?)\)"/g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/"(\\.|[^"\\\n])*"/g, '""');
  const lines = code.split('\n');
  const found = [];
  const notFunction = /^(namespace|using|struct|class|enum|template|#|static_assert|constexpr|inline constexpr|extern)/;
  for (let i = 0; i < lines.length; ++i) {
    const line = lines[i];
    if (!/^[A-Za-z].*\(/.test(line) || notFunction.test(line) || line.trimEnd().endsWith(';')) continue;
    let open = i;
    while (open < lines.length && !lines[open].includes('{') && !lines[open].trimEnd().endsWith(';')) ++open;
    if (open >= lines.length || !lines[open].includes('{')) continue;
    let depth = 0;
    let close = open;
    for (; close < lines.length; ++close) {
      for (const ch of lines[close]) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
      if (depth <= 0) break;
    }
    found.push({ line: i + 1, lines: close - i + 1, signature: line.trim().slice(0, 90) });
    i = close;
  }
  return found;
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
