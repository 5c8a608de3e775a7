// The container images, checked statically (no Docker engine here): each Dockerfile's image runs as an
// unprivileged user, and every build context keeps .env files — in any folder — out of the image.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** Each image, and the .dockerignore of its build context (the template's ships as _dockerignore). */
const IMAGES = [
  { dockerfile: 'web/Dockerfile', dockerignore: '.dockerignore' },
  { dockerfile: 'worker/Dockerfile', dockerignore: '.dockerignore' },
  { dockerfile: 'sdk/template/Dockerfile', dockerignore: 'sdk/template/_dockerignore' },
];

/** The instructions of a Dockerfile's last stage (the image itself), continuation lines joined. */
function finalStage(dockerfile: string): Array<{ op: string; args: string }> {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const from = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  const stage = lines.slice(from);
  return stage.map((l) => {
    const [op, args = ''] = l.split(/\s+(.*)/s, 2);
    return { op: op!.toUpperCase(), args };
  });
}

describe('container images', () => {
  for (const { dockerfile, dockerignore } of IMAGES) {
    test(`${dockerfile} runs as an unprivileged user`, () => {
      const stage = finalStage(read(dockerfile));
      const users = stage.filter((i) => i.op === 'USER').map((i) => i.args.split(':')[0]!.trim());
      assert.ok(users.length > 0, 'the image names its user (else it runs as root)');
      const last = users.at(-1)!;
      assert.ok(!['root', '0'].includes(last), `it runs as ${last}`);
      assert.ok(stage.some((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT'), 'the image says what it runs');
    });

    test(`${dockerfile}: its build context (${dockerignore}) keeps .env files out, in every folder`, () => {
      const patterns = read(dockerignore).split('\n').map((l) => l.trim());
      for (const wanted of ['.env', '.env.*', '**/.env', '**/.env.*']) assert.ok(patterns.includes(wanted), `${dockerignore} lists ${wanted}`);
      // Negated patterns re-include files: none may bring an .env back.
      assert.deepEqual(patterns.filter((p) => p.startsWith('!') && p.includes('.env')), []);
      assert.doesNotMatch(read(dockerfile), /COPY[^\n]*\.env/, 'the Dockerfile copies no .env file by name');
    });
  }
});
