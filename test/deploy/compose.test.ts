// docker-compose.yml cannot run here (no Docker engine), so it is checked statically: every service it
// names exists, the commands are npm scripts that exist, the addresses match the services, and every
// variable it sets is one Sluice reads. The same processes run natively in the rest of the suite.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
type Service = { image?: string; build?: { context: string; dockerfile: string }; command?: string[]; profiles?: string[]; labels?: Record<string, string>; depends_on?: Record<string, unknown> | string[]; environment?: Record<string, string>; ports?: string[] };
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
const services = compose.services;

/** Every source file Sluice's own code lives in, to check that a variable is read somewhere. */
const sources = ['sdk/src', 'web/lib', 'web/app', 'scripts']
  .flatMap((dir) => listFiles(path.join(ROOT, dir)))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

function listFiles(dir: string, pattern = /\.(ts|tsx)$/): string[] {
  if (!existsSync(dir)) return [];
  const { readdirSync, statSync } = require('node:fs') as typeof import('node:fs');
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === '.next') return [];
    return statSync(full).isDirectory() ? listFiles(full, pattern) : pattern.test(name) ? [full] : [];
  });
}

describe('docker-compose.yml', () => {
  it('has Temporal on PostgreSQL, Temporal Web, the store, the worker and the web app', () => {
    assert.deepEqual(Object.keys(services).sort(), ['python-worker', 'sluice-db', 'temporal', 'temporal-db', 'temporal-ui', 'watchtower', 'web', 'worker', 'worker-example']);
    assert.equal(services.temporal!.environment!.DB, 'postgres12');
    assert.equal(services.temporal!.environment!.POSTGRES_SEEDS, 'temporal-db');
  });

  it('depends only on services it defines', () => {
    for (const [name, s] of Object.entries(services)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) assert.ok(services[d], `${name} depends on unknown service ${d}`);
    }
  });

  it('builds the worker and the web app from their own Dockerfiles, which run npm scripts that exist', () => {
    assert.deepEqual(services.worker!.build, { context: '.', dockerfile: 'worker/Dockerfile' });
    assert.deepEqual(services.web!.build, { context: '.', dockerfile: 'web/Dockerfile' });
    for (const file of ['worker/Dockerfile', 'web/Dockerfile']) {
      const dockerfile = read(file);
      for (const [, script] of dockerfile.matchAll(/npm run (\S+)/g)) assert.ok(scripts[script!], `${file} runs missing script ${script}`);
      const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
      assert.match(finalStage, /^USER node$/m, `${file}: the image runs as the unprivileged node user`);
      for (const from of dockerfile.match(/^FROM .+$/gm)!) assert.match(from, /^FROM node:24-/, `${file}: Node.js 24`);
    }
    assert.match(read('.dockerignore'), /^\.env$/m, '.env stays out of images');
  });

  it('updates only labelled workers, and only in the autoupdate profile', () => {
    const watchtower = services.watchtower!;
    assert.deepEqual(watchtower.profiles, ['autoupdate']);
    assert.ok(watchtower.command!.includes('--label-enable'), 'without --label-enable watchtower would update every container');
    const labelled = Object.entries(services).filter(([, s]) => s.labels?.['com.centurylinklabs.watchtower.enable'] === 'true').map(([n]) => n);
    assert.deepEqual(labelled, ['worker-example']);
    assert.equal(services['worker-example']!.environment!.TEMPORAL_ADDRESS, 'temporal:7233');
  });

  it('points the worker and the web app at the Temporal and store services', () => {
    const db = services['sluice-db']!.environment!;
    for (const name of ['worker', 'web']) {
      const env = services[name]!.environment!;
      assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233');
      const url = new URL(env.DATABASE_URL!.replace('${SLUICE_DB_PASSWORD:-sluice}', 'sluice'));
      assert.equal(url.hostname, 'sluice-db');
      assert.equal(url.username, db.POSTGRES_USER);
      assert.equal(url.pathname, `/${db.POSTGRES_DB}`);
    }
    assert.match(services.web!.environment!.NEXTAUTH_SECRET!, /^\$\{NEXTAUTH_SECRET:\?/, 'the web app must not start without a secret');
  });

  it('serves Temporal Web only through the web app: temporal-ui publishes no port, links point at /temporal', () => {
    const ui = services['temporal-ui']!;
    assert.equal(ui.ports, undefined, `temporal-ui publishes ${JSON.stringify(ui.ports)}: that would bypass Sluice's log-in and roles`);
    assert.equal((ui as { network_mode?: string }).network_mode, undefined, 'host networking would publish it too');
    assert.equal(ui.environment!.TEMPORAL_UI_PUBLIC_PATH, '/temporal', 'the UI server must use the path the web app serves it at');
    const upstream = new URL(services.web!.environment!.TEMPORAL_UI_UPSTREAM!);
    assert.equal(upstream.host, 'temporal-ui:8080');
    for (const name of ['worker', 'web', 'worker-example']) {
      assert.match(services[name]!.environment!.TEMPORAL_WEB_URL!, /^\$\{NEXTAUTH_URL:-http:\/\/localhost:3000\}\/temporal$/, `${name}: links go through the web app`);
    }
  });

  it('serves the Python tasks from their own image and queue, against the same Temporal and store', () => {
    const py = services['python-worker']!;
    assert.deepEqual(py.build, { context: '.', dockerfile: 'python/Dockerfile' });
    const dockerfile = read('python/Dockerfile');
    const cmd = JSON.parse(/^CMD (\[.+\])$/m.exec(dockerfile)![1]!) as string[];
    assert.deepEqual(cmd.slice(0, 4), ['python', '-m', 'sluice', 'worker']);
    assert.ok(existsSync(path.join(ROOT, cmd[4]!)), `the image serves ${cmd[4]}, which exists`);
    assert.equal(cmd[cmd.indexOf('--task-queue') + 1], py.environment!.SLUICE_TASK_QUEUE, 'one queue, said once in each file');
    assert.match(read('workflows/rainfall-surface.ts'), new RegExp(`pythonTasks<Hydrology>\\('${py.environment!.SLUICE_TASK_QUEUE}'\\)`), 'the example flow calls that queue');
    assert.match(dockerfile.slice(dockerfile.lastIndexOf('\nUSER ')), /^USER sluice$/m, 'runs unprivileged');
    for (const [, file] of dockerfile.matchAll(/^COPY (\S+)/gm)) assert.ok(existsSync(path.join(ROOT, file!.replace(/\*\.py$/, ''))), `COPY ${file}`);
    assert.equal(py.environment!.TEMPORAL_ADDRESS, services.worker!.environment!.TEMPORAL_ADDRESS);
    assert.equal(py.environment!.DATABASE_URL, services.worker!.environment!.DATABASE_URL);
    assert.ok(Object.keys(py.depends_on!).includes('worker'), 'after the worker, whose start migrates the store');
    const pythonSources = listFiles(path.join(ROOT, 'python/src'), /\.py$/).map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const variable of Object.keys(py.environment!)) assert.ok(pythonSources.includes(`"${variable}"`), `python-worker sets ${variable}, which the Python worker does not read`);
  });

  it('sets only variables Sluice reads', () => {
    for (const name of ['worker', 'web', 'worker-example']) {
      for (const variable of Object.keys(services[name]!.environment!)) {
        if (variable === 'NODE_ENV') continue;
        assert.ok(sources.includes(variable), `${name} sets ${variable}, which no source file reads`);
      }
    }
  });
});
