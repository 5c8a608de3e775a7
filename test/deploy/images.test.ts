// The container images, checked statically (no Docker engine here): each Dockerfile's image runs as an
// unprivileged user, runs its program itself (no npm or shell in between), and every build context keeps .env
// files — in any folder — out of the image.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { NEXT_BIN } from '../../scripts/web-build';
import HEALTH_CONTRACT from '../../sdk/src/worker/health-contract.json';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** Each image, and the .dockerignore of its build context (the template's ships as _dockerignore). */
const IMAGES = [
  { dockerfile: 'web/Dockerfile', dockerignore: '.dockerignore' },
  { dockerfile: 'worker/Dockerfile', dockerignore: '.dockerignore' },
  { dockerfile: 'sdk/template/Dockerfile', dockerignore: 'sdk/template/_dockerignore' },
  { dockerfile: 'python/Dockerfile', dockerignore: '.dockerignore' },
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

    test(`${dockerfile} runs its program itself, not through npm or a shell`, () => {
      const cmd = finalStage(read(dockerfile)).filter((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT').at(-1)!;
      // Exec form (a JSON array): the program is PID 1 and gets docker stop's SIGTERM. `npm run` would stay
      // resident as its parent: 140 MB of the web image's 280 MB when idle.
      const argv = JSON.parse(cmd.args) as string[];
      assert.ok(['node', 'python'].includes(argv[0]!), `it runs ${argv.join(' ')}`);
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

test('the worker images have the worker write its health report, which their healthcheck then only reads', () => {
  for (const dockerfile of ['worker/Dockerfile', 'sdk/template/Dockerfile', 'python/Dockerfile']) {
    const env = finalStage(read(dockerfile)).filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    // The contract's file (docs/health.md): the variable and the place the images agree on.
    assert.ok(` ${env} `.includes(` ${HEALTH_CONTRACT.fileVariable}=${HEALTH_CONTRACT.imageFile} `), `${dockerfile}: ${env}`);
  }
});

test('the web image runs next start in web/ from the repository root, as test/web/harness.ts does natively', () => {
  const cmd = finalStage(read('web/Dockerfile')).filter((i) => i.op === 'CMD').at(-1)!;
  assert.deepEqual(JSON.parse(cmd.args), ['node', 'node_modules/next/dist/bin/next', 'start', 'web']);
  assert.match(read('web/Dockerfile'), /^WORKDIR \/app$/m);
  // The image copies the repository's layout (/app = the root): the script is where the command says.
  assert.equal(path.relative(ROOT, NEXT_BIN), 'node_modules/next/dist/bin/next');
  assert.ok(existsSync(NEXT_BIN));
});
