import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type Command } from './usage';

const PACKAGE = path.join(__dirname, '..', '..');
const TEMPLATE = path.join(PACKAGE, 'template');
/** Laid over TEMPLATE by --python: a Python task, its tests, image and CI, and a flow calling it. */
const PYTHON_TEMPLATE = path.join(PACKAGE, 'template-python');
const VERSION: string = require('../../package.json').version;

export const newCommand: Command = {
  summary: 'create a new workflow repository from the template',
  help: `Usage: sluice new DIR [--name NAME] [--sluice SPEC] [--python]

Creates DIR with two example flows and their tasks; unit tests of the tasks, a test of a flow's logic on
Temporal's time-skipping test server and one that runs a flow on a real Temporal dev server; a Dockerfile
for the worker image (with its HEALTHCHECK), a GitHub Actions workflow that tests and publishes that image,
.nvmrc, .env.example and a README. Then: cd DIR && npm install && npm test.

Options:
  --name NAME      the package name and the task queue of its worker [default: DIR's name]; both
                   are recorded in package.json ("sluice": { "taskQueue", "repository" }), which every
                   sluice command reads
  --sluice SPEC    where to install Sluice from: a version range (default ^${VERSION}) or the path of a
                   sluice-X.Y.Z.tgz made by \`npm pack\`, which is copied into DIR/vendor/
  --python         Python tasks too: python/ (a task module, its pytest tests, pyproject.toml and the
                   Python worker's Dockerfile, served on the task queue NAME-python), a flow calling
                   it, a CI workflow of their own, and Sluice's Python package in DIR/vendor/sluice-python`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { name: { type: 'string' }, sluice: { type: 'string' }, python: { type: 'boolean' } },
    });
    if (positionals.length !== 1) throw new UsageError('name one directory to create, e.g. `sluice new rainfall-flows`');
    const dir = path.resolve(positionals[0]!);
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`${positionals[0]} exists and is not empty; choose a new directory`);
    const name = values.name ?? path.basename(dir);
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
      throw new UsageError(`${JSON.stringify(name)} cannot be a package name and task queue: use lower-case letters, digits, '-', '_' and '.' (or pass --name)`);
    }

    let spec = values.sluice ?? `^${VERSION}`;
    mkdirSync(dir, { recursive: true });
    if (spec.endsWith('.tgz')) {
      const tarball = path.resolve(spec);
      if (!existsSync(tarball)) throw new UsageError(`--sluice: no file ${spec}`);
      mkdirSync(path.join(dir, 'vendor'), { recursive: true });
      copyFileSync(tarball, path.join(dir, 'vendor', path.basename(tarball)));
      spec = `file:vendor/${path.basename(tarball)}`;
    }
    // The repository's identity owns its flows and schedules: unique, so another repository of the same name
    // (two teams' `sluice new flows`) can never retire them.
    const repository = `${name}-${randomBytes(4).toString('hex')}`;
    const fill = { __NAME__: name, __SLUICE_SPEC__: spec, __REPOSITORY__: repository };
    copyTemplate(TEMPLATE, dir, fill);
    let python = '';
    if (values.python) {
      copyTemplate(PYTHON_TEMPLATE, dir, fill);
      const from = pythonPackage();
      for (const entry of ['pyproject.toml', 'README.md', 'src']) {
        cpSync(path.join(from, entry), path.join(dir, 'vendor', 'sluice-python', entry), { recursive: true, filter: (p) => !/(__pycache__|\.egg-info)$/.test(p) });
      }
      python = `\n  pip install ./vendor/sluice-python -e './python[test]'   # in a virtual environment, Python 3.11+\n  (cd python && python -m pytest)`;
    }
    console.log(`sluice new: created ${path.relative(process.cwd(), dir) || '.'} (task queue ${name}${values.python ? `, Python tasks on ${name}-python` : ''}, repository ${repository}). Next:\n  cd ${positionals[0]}\n  npm install\n  npm test${python}`);
    return EXIT.ok;
  },
};

/** Sluice's Python package: inside the npm package (put there at pack time), else beside sdk/ in a checkout. */
function pythonPackage(): string {
  const found = [path.join(PACKAGE, 'python'), path.join(PACKAGE, '..', 'python')].find((dir) =>
    /^name = "sluice"$/m.test(existsSync(path.join(dir, 'pyproject.toml')) ? readFileSync(path.join(dir, 'pyproject.toml'), 'utf8') : ''),
  );
  if (!found) throw new Error(`Sluice's Python package is not in ${PACKAGE}: reinstall sluice (its package brings it in python/)`);
  return found;
}

/**
 * Copies the template, filling in placeholders. A file ending in `.append` is added to the end of the file of
 * its name without it (an overlay's line in `workflows/index.ts`). Files starting with `_` lose it (`_gitignore` →
 * `.gitignore`, `_package.json` → `package.json`): npm pack would drop or misread them under their real names
 * (`_nvmrc` and `_env.example` follow the same rule, and no ignore file of this repository hides them).
 */
function copyTemplate(from: string, to: string, values: Record<string, string>): void {
  for (const entry of readdirSync(from)) {
    const source = path.join(from, entry);
    const target = path.join(to, entry.replace(/^_(?=(gitignore|dockerignore|nvmrc|env\.example|package\.json)(\.append)?$)/, (_m, rest: string) => (rest === 'package.json' ? '' : '.')));
    if (statSync(source).isDirectory()) {
      mkdirSync(target, { recursive: true });
      copyTemplate(source, target, values);
    } else {
      const text = Object.entries(values).reduce((t, [k, v]) => t.replaceAll(k, v), readFileSync(source, 'utf8'));
      if (target.endsWith('.append')) appendFileSync(target.slice(0, -'.append'.length), text);
      else writeFileSync(target, text);
    }
  }
}
