#!/usr/bin/env node
// Folds the call stacks of `perf script` into one line per distinct stack and draws them as a
// flame graph (SVG): each box is a function, its width the share of samples in which it was on
// the stack, its children above it. The thread's name is the root, so the HTTP threads and the
// sales writer stand side by side.
//
//   perf record -e cpu-clock -F 499 --call-graph dwarf -p PID -o perf.data -- sleep 10
//   perf script -i perf.data | node bench/flamegraph.mjs --title "donut up" > flame.svg
//   perf script -i perf.data | node bench/flamegraph.mjs --folded > stacks.folded
//
// Names are shortened so a box says which function it is: template arguments, parameter lists
// and offsets are dropped, lambdas become {lambda}. Frames of one inlined chain keep their
// order. Reads standard input; writes standard output.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const foldedOnly = args.includes('--folded');
const title = option('--title', 'flame graph');
const width = Number(option('--width', '1200'));
const minShare = Number(option('--min-share', '0.001'));  // boxes narrower than this are left out

// Drops everything between matching `open` and `close` (nested), e.g. template arguments.
function dropNested(text, open, close) {
  let depth = 0;
  let out = '';
  for (const c of text) {
    if (c === open) depth++;
    else if (c === close && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

export function shortName(symbol) {
  let s = symbol.replace(/\+0x[0-9a-f]+$/, '');
  s = s.replace(/\{lambda\([^]*?\)#\d+\}/g, '{lambda}');
  if (s.startsWith('operator') || s.includes('::operator')) {
    s = s.replace(/operator\(\)/g, 'operator_call').replace(/operator<</g, 'operator_shl');
  }
  s = dropNested(s, '<', '>');
  s = dropNested(s, '(', ')');
  s = s.replace(/operator_call/g, 'operator()').replace(/operator_shl/g, 'operator<<');
  return s.replace(/\s+const$/, '').trim() || '[unknown]';
}

// perf script's text: a header line per sample, then one frame per line (leaf first), then a
// blank line.
export function foldStacks(text) {
  const counts = new Map();
  let thread = null;
  let frames = [];
  const flush = () => {
    if (thread !== null) {
      const stack = [thread, ...frames.reverse()].join(';');
      counts.set(stack, (counts.get(stack) || 0) + 1);
    }
    thread = null;
    frames = [];
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (!/^\s/.test(line)) {
      flush();
      thread = line.trim().split(/\s+/)[0];
      continue;
    }
    const m = line.trim().match(/^[0-9a-f]+\s+(.*?)\s+\(([^()]*)\)$/);
    if (!m) continue;
    const symbol = m[1] === '[unknown]' ? `[${m[2].split('/').pop()}]` : shortName(m[1]);
    frames.push(symbol.replace(/;/g, ':'));
  }
  flush();
  return counts;
}

function tree(counts) {
  const root = { name: 'all', value: 0, children: new Map() };
  for (const [stack, n] of counts) {
    root.value += n;
    let node = root;
    for (const name of stack.split(';')) {
      if (!node.children.has(name)) node.children.set(name, { name, value: 0, children: new Map() });
      node = node.children.get(name);
      node.value += n;
    }
  }
  return root;
}

function depthOf(node) {
  let d = 0;
  for (const child of node.children.values()) d = Math.max(d, depthOf(child));
  return d + 1;
}

function colour(name) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const kernel = name.startsWith('[k]') || /^(entry_|do_syscall|__x64_sys|__schedule)/.test(name);
  if (kernel) return `rgb(${200 + (h % 55)},${120 + (h % 60)},${60 + (h % 40)})`;
  return `rgb(${205 + (h % 50)},${(h >> 8) % 200},${(h >> 16) % 55})`;
}

const escape = (s) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderSvg(counts, { titleText, svgWidth, min }) {
  const root = tree(counts);
  const row = 16;
  const top = 34;
  const height = top + depthOf(root) * row + 10;
  const scale = (svgWidth - 20) / Math.max(root.value, 1);
  const boxes = [];
  const draw = (node, x, depth) => {
    const w = node.value * scale;
    if (node.value / Math.max(root.value, 1) < min) return;
    const y = height - 10 - (depth + 1) * row;
    const share = ((100 * node.value) / Math.max(root.value, 1)).toFixed(2);
    const label = w > 30 ? escape(node.name.slice(0, Math.floor(w / 6.5))) : '';
    boxes.push(
      `<g><title>${escape(node.name)} (${node.value} samples, ${share}%)</title>` +
        `<rect x="${(10 + x).toFixed(1)}" y="${y}" width="${Math.max(w - 0.5, 0.1).toFixed(1)}" ` +
        `height="${row - 1}" fill="${colour(node.name)}" rx="2"/>` +
        (label ? `<text x="${(13 + x).toFixed(1)}" y="${y + 11.5}">${label}</text>` : '') +
        '</g>',
    );
    let childX = x;
    const children = [...node.children.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) {
      draw(child, childX, depth + 1);
      childX += child.value * scale;
    }
  };
  draw(root, 0, 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${svgWidth}" height="${height}" ` +
      `viewBox="0 0 ${svgWidth} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fdfdf6"/>`,
    `<text x="${svgWidth / 2}" y="20" text-anchor="middle" font-size="15">${escape(titleText)} ` +
      `(${root.value} samples; hover a box for its name and share)</text>`,
    ...boxes,
    '</svg>',
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const counts = foldStacks(readFileSync(0, 'utf8'));
  if (foldedOnly) {
    const lines = [...counts].map(([stack, n]) => `${stack} ${n}`).sort();
    process.stdout.write(lines.join('\n') + '\n');
  } else {
    process.stdout.write(renderSvg(counts, { titleText: title, svgWidth: width, min: minShare }));
  }
}
