/**
 * What the docs tests read from the project's Markdown: the documents (README.md and every docs/**.md), their
 * fenced code blocks, their relative links and their headings' anchors. Discovered, never listed, so a new page
 * or a new sample is checked without editing a test.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

/**
 * README.md, CHANGELOG.md, every Markdown file under docs/ and the READMEs of the packages and tools a user
 * reads (sdk/, python/, web/, bench/), as paths relative to the repository.
 */
export function documents(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : [],
    );
  return ['README.md', 'CHANGELOG.md', ...walk('docs'), 'sdk/README.md', 'python/README.md', 'web/README.md', 'bench/README.md', 'bench/web/README.md'];
}

export interface CodeBlock {
  doc: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The language of the info string (`ts`, `python`, `sh`…), lower case. */
  lang: string;
  /** The words after the language (`fragment`). */
  flags: string[];
  code: string;
  /** The file a sample says it is, from a first line `// workflows/fan-out.ts` or `# activities/hydrology.py`. */
  file?: string;
}

const FENCE = /^```(\S*)(.*)$/;
const FILE_COMMENT = /^(?:\/\/|#)\s*([\w./-]+\.(?:ts|py))\s*$/;

export function codeBlocks(doc: string): CodeBlock[] {
  const lines = readFileSync(path.join(ROOT, doc), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const code = body.join('\n') + '\n';
    blocks.push({
      doc,
      line: start + 1,
      lang: open[1]!.toLowerCase(),
      flags: open[2]!.trim().split(/\s+/).filter(Boolean),
      code,
      file: FILE_COMMENT.exec(body[0] ?? '')?.[1],
    });
  }
  return blocks;
}

export const isTypeScript = (b: CodeBlock) => b.lang === 'ts' || b.lang === 'typescript';

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes; repeats get -1, -2… */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^```/.test(line)) inFence = !inFence;
    const heading = !inFence && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

export interface Link {
  doc: string;
  line: number;
  target: string;
}

/** Relative links `[text](target)` outside code blocks and code spans (http(s):, mailto: and the like left out). */
export function relativeLinks(doc: string): Link[] {
  const links: Link[] = [];
  let inFence = false;
  readFileSync(path.join(ROOT, doc), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (/^```/.test(line)) inFence = !inFence;
      if (inFence) return;
      for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push({ doc, line: i + 1, target });
      }
    });
  return links;
}

/**
 * A page's `workflows/…` and `activities/…` samples (TypeScript and Python) written as a reader copies them
 * into a repository: a fresh folder inside the checkout (so `sluice` and `zod` resolve; `tmp/` is git-ignored),
 * with each folder's `index.ts` exporting its TypeScript modules. Returns the folder and the flows declared.
 */
export function sampleRepository(doc: string): { dir: string; flows: string[] } {
  const dir = checkoutTmpDir('docs-samples');
  const modules: Record<string, string[]> = { workflows: [], activities: [] };
  const flows: string[] = [];
  for (const block of codeBlocks(doc).filter((b) => b.file && /^(workflows|activities)\//.test(b.file))) {
    const [folder, name] = block.file!.split('/') as [string, string];
    mkdirSync(path.join(dir, folder), { recursive: true });
    writeFileSync(path.join(dir, block.file!), block.code);
    if (!isTypeScript(block)) continue;
    modules[folder]!.push(name.replace(/\.ts$/, ''));
    if (folder === 'workflows') flows.push(...[...block.code.matchAll(/^export const (\w+) = flow\(/gm)].map((m) => m[1]!));
  }
  for (const [folder, names] of Object.entries(modules)) {
    mkdirSync(path.join(dir, folder), { recursive: true });
    writeFileSync(path.join(dir, folder, 'index.ts'), names.map((n) => `export * from './${n}';\n`).join(''));
  }
  return { dir, flows };
}

/** A fresh folder under the checkout's git-ignored `tmp/`, where `sluice`, `zod` and `@types/node` resolve. */
export function checkoutTmpDir(prefix: string): string {
  mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
  return mkdtempSync(path.join(ROOT, 'tmp', `${prefix}-`));
}
