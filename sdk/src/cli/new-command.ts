import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type Command } from './usage';

const TEMPLATE = path.join(__dirname, '..', '..', 'template');
const VERSION: string = require('../../package.json').version;

export const newCommand: Command = {
  summary: 'create a new workflow repository from the template',
  help: `Usage: sluice new DIR [--name NAME] [--sluice SPEC]

Creates DIR with one example flow and its tasks, a test that runs it on a real Temporal dev server, a
Dockerfile for the worker image, a GitHub Actions workflow that tests and publishes that image, and a
README. Then: cd DIR && npm install && npm test.

Options:
  --name NAME      the package name and the task queue of its worker [default: DIR's name]; both
                   are recorded in package.json ("sluice": { "taskQueue", "repository" }), which every
                   sluice command reads
  --sluice SPEC    where to install Sluice from: a version range (default ^${VERSION}) or the path of a
                   sluice-X.Y.Z.tgz made by \`npm pack\`, which is copied into DIR/vendor/`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { name: { type: 'string' }, sluice: { type: 'string' } },
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
    copyTemplate(TEMPLATE, dir, { __NAME__: name, __SLUICE_SPEC__: spec, __REPOSITORY__: repository });
    console.log(`sluice new: created ${path.relative(process.cwd(), dir) || '.'} (task queue ${name}, repository ${repository}). Next:\n  cd ${positionals[0]}\n  npm install\n  npm test`);
    return EXIT.ok;
  },
};

/**
 * Copies the template, filling in placeholders. Files starting with `_` lose it (`_gitignore` →
 * `.gitignore`, `_package.json` → `package.json`): npm pack would drop or misread them under their real names.
 */
function copyTemplate(from: string, to: string, values: Record<string, string>): void {
  for (const entry of readdirSync(from)) {
    const source = path.join(from, entry);
    const target = path.join(to, entry.replace(/^_(?=(gitignore|dockerignore|package\.json)$)/, (_m, rest: string) => (rest === 'package.json' ? '' : '.')));
    if (statSync(source).isDirectory()) {
      mkdirSync(target, { recursive: true });
      copyTemplate(source, target, values);
    } else {
      const text = readFileSync(source, 'utf8');
      writeFileSync(target, Object.entries(values).reduce((t, [k, v]) => t.replaceAll(k, v), text));
    }
  }
}
