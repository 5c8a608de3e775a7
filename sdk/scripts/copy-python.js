// prepack: puts Sluice's Python package (../python: pyproject, README, sources) into the npm package, so that
// `sluice new --python` can give a new repository the Python package of the same Sluice version.
const { cpSync, rmSync } = require('node:fs');
const path = require('node:path');

const from = path.join(__dirname, '..', '..', 'python');
const to = path.join(__dirname, '..', 'python');
rmSync(to, { recursive: true, force: true });
for (const entry of ['pyproject.toml', 'README.md', 'src']) {
  cpSync(path.join(from, entry), path.join(to, entry), { recursive: true, filter: (p) => !/(__pycache__|\.egg-info)$/.test(p) });
}
