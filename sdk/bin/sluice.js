#!/usr/bin/env node
// The `sluice` command (sdk/src/cli/main.ts, compiled to lib/).
require('./need-node').needNode('install it (https://nodejs.org) or put it first on PATH.');
require('../lib/cli/main.js')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
