#!/usr/bin/env node
/*
 * portal-pii-scan: the portal's personal-data scanner over a folder, for
 * CI (see src/pii/cli.ts). In the portal's image it runs the built package;
 * in this repository, the TypeScript source through Backstage's transform.
 */
const fs = require('node:fs');
const path = require('node:path');

function load() {
  const dist = path.join(__dirname, '../dist/index.cjs.js');
  if (fs.existsSync(dist)) return require(dist);
  require('@backstage/cli-node/config/nodeTransform.cjs');
  return require('../src');
}

load()
  .runPiiScan(process.argv.slice(2))
  .then(code => {
    process.exitCode = code;
  })
  .catch(error => {
    console.error(error.stack || String(error));
    process.exitCode = 1;
  });
