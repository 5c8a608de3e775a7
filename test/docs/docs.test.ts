// The docs cannot rot: every TypeScript sample in README.md, docs/ and the packages' READMEs is type-checked against the built
// `sluice` package (one tsc over all of them), every Python sample compiles, every `npm run` a shell sample
// names is a script, and every relative link reaches a file (and a heading, when it names one). Samples and
// links are discovered, so a new page is checked without editing this file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { anchors, checkoutTmpDir, codeBlocks, documents, isTypeScript, relativeLinks, ROOT, type CodeBlock } from './markdown';

const run = promisify(execFile);
const docs = documents();
const blocks = docs.flatMap(codeBlocks);

/** Where a sample goes in the check folder: its own file name, else one per block beside `workflows/`. */
function fileOf(b: CodeBlock): string {
  const doc = b.doc.replace(/\.md$/, '').replace(/[^\w-]/g, '_');
  return path.join(doc, b.file ?? path.join('snippets', `line-${b.line}.${b.lang === 'python' ? 'py' : 'ts'}`));
}

/** Writes the samples into a fresh folder inside the checkout (so `sluice`, `zod`, `@types/node` resolve). */
function writeSamples(samples: CodeBlock[]): { dir: string; where: Map<string, CodeBlock> } {
  const dir = checkoutTmpDir('docs-check');
  const where = new Map<string, CodeBlock>();
  for (const b of samples) {
    const file = fileOf(b);
    const earlier = where.get(file);
    assert.ok(!earlier, `${b.doc}:${b.line} and ${earlier?.doc}:${earlier?.line} are both ${b.file}: one file, one sample`);
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), b.code);
    where.set(file, b);
  }
  return { dir, where };
}

describe('code samples in README.md and docs/', () => {
  it('type-check against the sluice package (TypeScript)', async () => {
    const samples = blocks.filter((b) => isTypeScript(b) && !b.flags.includes('fragment'));
    assert.ok(samples.length >= 20, `only ${samples.length} TypeScript samples found`);
    const { dir, where } = writeSamples(samples);
    try {
      writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022', lib: ['ES2022', 'DOM'], module: 'esnext', moduleResolution: 'bundler', moduleDetection: 'force',
            strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true, types: ['node'],
            typeRoots: [path.join(ROOT, 'node_modules/@types')],
          },
          include: ['**/*.ts'],
        }),
      );
      const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
      const out = await run(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir }).then(
        () => '',
        (e: { stdout?: string }) => e.stdout ?? String(e),
      );
      // Each error back to the page and line it comes from: `docs/cookbook.md:123: error TS2345: …`.
      const errors = out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const m = /^(.+?)\((\d+),\d+\): (.*)$/.exec(line);
          const b = m && where.get(path.normalize(m[1]!));
          return b ? `${b.doc}:${b.line + Number(m[2])}: ${m[3]}` : line;
        });
      assert.deepEqual(errors, [], `TypeScript samples that do not type-check (mark a deliberate fragment \`\`\`ts fragment):\n${errors.join('\n')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compile (Python)', async () => {
    const samples = blocks.filter((b) => b.lang === 'python');
    assert.ok(samples.length >= 2, `only ${samples.length} Python samples found`);
    const { dir, where } = writeSamples(samples);
    try {
      for (const [file, b] of where) {
        const compiled = await run('python3', ['-m', 'py_compile', path.join(dir, file)]).then(() => '', (e: { stderr?: string }) => e.stderr ?? String(e));
        assert.equal(compiled, '', `${b.doc}:${b.line}: the Python sample does not compile:\n${compiled}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('name only npm scripts that exist (shell)', () => {
    const scripts = new Set([
      ...Object.keys(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts),
      // Commands run in a workflow repository made from the template.
      ...Object.keys(JSON.parse(readFileSync(path.join(ROOT, 'sdk/template/_package.json'), 'utf8')).scripts ?? {}),
    ]);
    const missing = blocks
      .filter((b) => b.lang === 'sh' || b.lang === 'bash' || b.lang === 'shell')
      .flatMap((b) => [...b.code.matchAll(/\bnpm (?:run (\S+)|(start|test)\b)/g)].map((m) => ({ b, script: m[1] ?? m[2]! })))
      .filter(({ script }) => !scripts.has(script))
      .map(({ b, script }) => `${b.doc}:${b.line}: npm script "${script}"`);
    assert.deepEqual(missing, []);
  });
});

describe('links in README.md and docs/', () => {
  it('reach a file, and a heading when they name one', () => {
    const broken: string[] = [];
    for (const link of docs.flatMap(relativeLinks)) {
      const [file, anchor] = link.target.split('#') as [string, string | undefined];
      const target = file ? path.join(path.dirname(path.join(ROOT, link.doc)), decodeURIComponent(file)) : path.join(ROOT, link.doc);
      if (!existsSync(target)) {
        broken.push(`${link.doc}:${link.line}: ${link.target} (no such file)`);
      } else if (anchor && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(anchor)) {
        broken.push(`${link.doc}:${link.line}: ${link.target} (no heading with that anchor)`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('lead from the docs index to every page in docs/', () => {
    const index = relativeLinks('docs/README.md').map((l) => path.join('docs', l.target.split('#')[0]!));
    const unlinked = docs.filter((d) => d.startsWith('docs/') && d !== 'docs/README.md' && !index.includes(d));
    assert.deepEqual(unlinked, [], 'pages docs/README.md does not link');
  });
});
