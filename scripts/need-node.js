// Run first by `npm start`, `npm test` and the bench scripts (package.json "pre" scripts): on an older `node`
// they stop here with one line saying what to run, instead of crashing in the worker. `npm install` is
// stopped by npm itself (.npmrc: engine-strict), before it fetches or builds anything.
require('../sdk/bin/need-node').needNode('run: export PATH="$(bash scripts/node.sh):$PATH"');
