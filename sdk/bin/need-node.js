// Stops at once, with one line, on a Node.js older than Sluice needs: its native parts (Temporal's core,
// better-sqlite3) would otherwise crash later with a segmentation fault that says nothing. Written for any
// Node.js (no newer syntax), since it runs before anything else.
'use strict';

var NEEDED = 24;

/** Exits 1 with one line naming the Node.js found and `hint` (what to run) when it is older than NEEDED. */
function needNode(hint) {
  var major = Number(process.versions.node.split('.')[0]);
  if (major >= NEEDED) return;
  process.stderr.write('Sluice needs Node.js ' + NEEDED + ' or later, this is ' + process.version + ' (' + process.execPath + '); ' + hint + '\n');
  process.exit(1);
}

module.exports = { needNode: needNode, NEEDED: NEEDED };
