// The structure check (tools/structure/check.mjs): that it catches what it is for, and that the
// tree passes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { functionLengths, layerBreaches, MAX_FUNCTION_LINES } from '../../tools/structure/check.mjs';

const root = process.argv[3] ?? new URL('../..', import.meta.url).pathname;

test('a lower layer including a higher one is a breach; its own and lower layers are not', () => {
  assert.deepEqual(layerBreaches('domain/sales.cc', '#include "domain/sales.h"\n#include "common/time.h"\n'), []);
  const breaches = layerBreaches('domain/sales.cc', '#include "adapters/sqlite/database.h"\n');
  assert.equal(breaches.length, 1);
  assert.match(breaches[0], /domain\/sales\.cc includes adapters\//);
  assert.equal(layerBreaches('adapters/memory/x.cc', '#include "app/order_service.h"\n').length, 1);
  assert.equal(layerBreaches('app/x.cc', '#include "http/server.h"\n').length, 1, 'use cases know no HTTP');
  assert.equal(layerBreaches('newfolder/x.cc', '').length, 1, 'a folder without a layer is named');
});

test('function lengths count from the signature to the closing brace, ignoring braces in text', () => {
  const body = Array.from({ length: 100 }, (_, i) => `  call(${i}, "}{", '{');  // }`).join('\n');
  const text = `namespace x {\n\nint small() {\n  return 1;\n}\n\nvoid big(int a,\n         int b) {\n${body}\n}\n\n}  // namespace x\n`;
  const found = functionLengths(text);
  assert.deepEqual(found.map((f) => [f.line, f.lines]), [[3, 3], [7, 103]]);
  assert.ok(found[1].lines >= MAX_FUNCTION_LINES);
});

test('functions defined inside class bodies are measured, at any depth of classes', () => {
  const body = Array.from({ length: 90 }, (_, i) => `      step(${i});`).join('\n');
  const text = [
    'namespace x {',                                   // 1
    '',                                                // 2
    'class Outer final : public Base {',               // 3
    ' public:',                                        // 4
    '  Outer(int a, int b) : a_{a}, b_(b) {}',          // 5
    '  int a() const { return a_; }',                  // 6
    '  struct Inner {',                                // 7
    '    void run(int times)',                         // 8
    '        const noexcept {',                        // 9
    body,                                              // 10..99
    '    }',                                           // 100
    '  };',                                            // 101
    '  enum class Kind { one, two };',                 // 102
    '',                                                // 103
    ' private:',                                       // 104
    '  int a_ = 0, b_{0};',                            // 105
    '};',                                              // 106
    '',                                                // 107
    '}  // namespace x',                               // 108
  ].join('\n');
  const found = functionLengths(text);
  assert.deepEqual(found.map((f) => [f.line, f.lines]), [[5, 1], [6, 1], [8, 93]]);
  assert.match(found[2].signature, /void run\(int times\)/);
});

test('braced initialisers, tables and lambdas inside a function are not functions of their own', () => {
  const text = [
    '#include "x.h"',
    '#define TWICE(x) \\',
    '  { x; x; }',
    'constexpr Engine kEngines[] = {',
    '    {"a://", open_a},',
    '};',
    'std::atomic<int> counter{0};',
    'int run() {',
    '  auto f = [](int a) {',
    '    return a;',
    '  };',
    '  return f(1);',
    '}',
    'const auto kSeed = std::string(R"sql(x { y)sql");',
  ].join('\n');
  assert.deepEqual(functionLengths(text).map((f) => [f.line, f.lines]), [[8, 6]]);
});

test('the tree keeps its layers and its functions short', () => {
  const out = execFileSync(process.execPath, [join(root, 'tools/structure/check.mjs'), root], {
    encoding: 'utf8',
  });
  assert.match(out, /longest functions in src\//);
});
