#!/usr/bin/env node
// The `sluice` command (sdk/src/cli/main.ts, compiled to lib/).
require('./need-node').needNode('install it (https://nodejs.org) or put it first on PATH.');
const args = process.argv.slice(2);
// A container's healthcheck runs every 30 s for the worker's whole life: it loads only itself, not the CLI.
if (args[0] === 'healthcheck' && !args.includes('--help') && !args.includes('-h')) {
  process.exit(require('../lib/cli/healthcheck-command.js').healthcheck(args.slice(1)));
}
require('../lib/cli/main.js')
  .main(args)
  .then((code) => process.exit(code));
