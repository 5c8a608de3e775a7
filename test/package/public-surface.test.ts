// The `sluice` package's public surface changes only on purpose: the built package matches the committed API
// reports (sdk/api/*.api.md, API Extractor), every public symbol has TSDoc with an example, the public entries are
// the four a workflow repository uses (the rest under `sluice/internal/*`), and no source imports a Temporal SDK
// internal path (which would pin every repository to one exact SDK version). Needs the built package (npm test
// builds it first).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { checkApiReports, PUBLIC_ENTRIES } from '../../scripts/api-report';

const SDK = resolve(__dirname, '../../sdk');

test('the public entries match the committed API reports', () => {
  const checks = checkApiReports();
  const changed = checks.filter((c) => !c.same);
  const what = changed.map((c) => `sdk/api/${c.report}:\n${c.changes.join('\n')}`).join('\n');
  assert.equal(changed.length, 0, `The public API of sluice changed. If on purpose, run \`npm run api:update\` and commit sdk/api/; if not, undo the change.\n${what}`);
});

test('the package exports the four public entries and, besides, only sluice/internal/*', () => {
  const exports = Object.keys(JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8')).exports as Record<string, unknown>);
  const publicOnes = exports.filter((e) => !e.startsWith('./internal/') && e !== './package.json').map((e) => (e === '.' ? 'sluice' : `sluice/${e.slice(2)}`));
  assert.deepEqual(publicOnes.sort(), PUBLIC_ENTRIES.map((p) => p.entry).sort());
});

test('every public symbol has TSDoc with an @example', () => {
  const files = PUBLIC_ENTRIES.map((p) => join(SDK, p.declarations));
  const program = ts.createProgram(files, { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, lib: ['lib.es2023.d.ts'], types: ['node'], skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const missing: string[] = [];
  for (const { entry, declarations } of PUBLIC_ENTRIES) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(join(SDK, declarations))!)!;
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const hasExample = (symbol.declarations ?? []).some((d) => ts.getJSDocTags(d).some((tag) => tag.tagName.text === 'example'));
      if (!hasExample) missing.push(`${entry}: ${exported.name}`);
    }
  }
  assert.deepEqual(missing, [], `Public symbols without an @example in their TSDoc:\n${missing.join('\n')}`);
});

test('no source of the package imports a Temporal SDK internal path', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ts$/.test(entry.name) && /['"]@temporalio\/[a-z-]+\/lib\//.test(readFileSync(path, 'utf8'))) offenders.push(path.slice(SDK.length + 1));
    }
  };
  walk(join(SDK, 'src'));
  walk(join(SDK, 'template'));
  assert.deepEqual(offenders, [], 'these import @temporalio/<package>/lib/…, which is not the SDK\'s public API');
});
