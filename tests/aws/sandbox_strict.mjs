// The sandbox refuses what AWS refuses, so a Terraform AWS would fail fails here, at the step
// that needs what is missing and naming it:
// - one IAM action removed from a function's policy: the story stops at the first step that
//   needs it, the refusal quoted (AccessDenied, the principal, the action, the resource);
// - an account at its starting Lambda quota of 10: the larger capacity profile stops at plan,
//   saying which quota to request; reserved concurrency that ignores the quota (as deploy/aws
//   had it) fails at apply with AWS's PutFunctionConcurrency error.
//
//   node tests/aws/sandbox_strict.mjs <donut binary> <folder of the zips>
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import { startSandbox } from '../../tools/lambda-sandbox/deployment.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [donut, lambdaDir] = process.argv.slice(2).map((p) => resolve(p));

// A copy of deploy/aws with `edits` ([file, from, to]) made.
function mutated(edits) {
  const dir = mkdtempSync('/tmp/donut-terraform-mutated.');
  cpSync(join(root, 'deploy/aws'), dir, { recursive: true });
  for (const [file, from, to] of edits) {
    const text = readFileSync(join(dir, file), 'utf8');
    assert.ok(text.includes(from), `${file} has ${from}`);
    writeFileSync(join(dir, file), text.replace(from, to));
  }
  return dir;
}

test('an IAM action removed from the Terraform stops the story at the step that needs it, naming it', async () => {
  const dir = mutated([['functions.tf', '"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"',
    '"sqs:ReceiveMessage", "sqs:ChangeMessageVisibility"']]);
  try {
    const { code, out } = await new Promise((done) => execFile(process.execPath,
      [join(root, 'tests/aws/sandbox_story.mjs'), '--donut', donut, '--lambda-dir', lambdaDir, '--cold-starts', '0', '--deploy-dir', dir],
      { maxBuffer: 1 << 24 }, (error, stdout, stderr) => done({ code: error?.code ?? 0, out: stdout + stderr })));
    assert.equal(code, 1, out);
    assert.match(out, /sold out: 201 then 409/, 'the steps before it pass');
    assert.match(out, /SBX-1 restocked: AWS refused/, out);
    assert.match(out, /is not authorized to perform: sqs:DeleteMessage on resource: arn:aws:sqs:us-east-1:000000000000:donut-states-factory-requests/, out);
    const work = /logs in (\S+) \(kept\)/.exec(out)?.[1];
    if (work?.startsWith('/tmp/donut-sandbox-story.')) rmSync(work, { recursive: true, force: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a new account (Lambda quota 10): the larger profile stops at plan; reserving regardless fails at apply, as AWS does', async () => {
  const works = [];
  const start = (settings) => {
    works.push(mkdtempSync('/tmp/donut-sandbox-quota.'));
    return startSandbox({ root, work: works.at(-1), donut, lambdaDir, lambdaQuota: 10, ...settings });
  };
  await assert.rejects(start({ variables: { capacity_profile: 'standard', db_instance_class: 'db.t4g.small' } }),
    /Resource precondition failed on aws_lambda_function.*quota is 10 .*"Concurrent executions" \(L-B99A9384\) of at least 129/);
  // The rule deploy/aws had: reserve for every synchronous function, whatever the quota.
  const dir = mutated([
    ['functions.tf', 'contains(keys(local.consumers), each.key) || !local.reserve_concurrency ? -1', 'contains(keys(local.consumers), each.key) ? -1'],
    ['functions.tf', 'condition     = local.concurrency_fits', 'condition     = true'],
    ['variables.tf', 'default     = "new_account"', 'default     = "standard"'],
    ['variables.tf', 'default     = "db.t4g.micro"', 'default     = "db.t4g.small"'],
  ]);
  try {
    await assert.rejects(start({ deployDir: dir }),
      /terraform apply fails as AWS would:\s+PutFunctionConcurrency: InvalidParameterValueException: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of \[10\]/);
    // The same files on an account with the default quota apply.
    const fine = await start({ deployDir: dir, lambdaQuota: 1000 });
    await fine.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const work of works) rmSync(work, { recursive: true, force: true });
  }
});
