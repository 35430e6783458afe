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

test('the tree keeps its layers and its functions short', () => {
  const out = execFileSync(process.execPath, [join(root, 'tools/structure/check.mjs'), root], {
    encoding: 'utf8',
  });
  assert.match(out, /longest functions in src\//);
});
