// The workflow repository template, end to end, as a team uses it: the package packed to a tarball, two
// repositories made with `sluice new` (the second with `--python`: Python tasks too), each installed from the
// tarball and passing its own tests (unit tests of tasks, a time-skipping test of a flow, an integration test on a
// dev server; pytest for the Python tasks), then
// both served by their workers against one Temporal and one store, listed and started through one web app.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { openStore } from 'sluice/internal/store';
import { parse } from 'yaml';
import { createApiToken } from '../../web/lib/auth/tokens';
import { freshTmpDir, temporalAddress, temporalNamespace } from '../harness/env';
import { eventually } from '../harness/eventually';
import { startPythonWorker, venvPython, workerToken } from '../harness/python';
import { testConnection } from '../harness/temporal';
import type { TestWorker } from '../harness/worker';
import { startWebApp, type WebApp } from '../web/harness';

const ROOT = path.resolve(__dirname, '../..');
const tmp = freshTmpDir('template');

/**
 * Temporal's time-skipping test server, for the repositories' flow tests: its Java build, from Maven Central and
 * cached outside the clone, instead of the binary Temporal's SDK would download from GitHub.
 */
const testServer = (): string => run('bash', [path.join(ROOT, 'scripts/temporal-test-server.sh')]).trim().split('\n').pop()!;
let testServerPath = '';

/** Native addons build against this node's own headers (the official tarball ships them): no download. */
function installEnv(): NodeJS.ProcessEnv {
  const nodedir = path.dirname(path.dirname(process.execPath));
  // Without NODE_TEST_CONTEXT, a repository's own `node --test` reports as it would in a terminal.
  const { NODE_TEST_CONTEXT: _child, ...env } = process.env;
  return {
    ...env,
    npm_config_nodedir: existsSync(path.join(nodedir, 'include', 'node')) ? nodedir : process.env.npm_config_nodedir,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    ...(testServerPath && { SLUICE_TEST_SERVER: testServerPath }),
  };
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, timeout: 10 * 60_000, env: installEnv(), ...options });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  return String(result.stdout);
}

const sluice = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [path.join(cwd, 'node_modules/sluice/bin/sluice.js'), ...args], { cwd, encoding: 'utf8', env: installEnv() });

let tarball: string;
const repoA = path.join(tmp, 'rain-flows');
const repoB = path.join(tmp, 'river-flows');

before(() => {
  const packed = run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: path.join(ROOT, 'sdk') });
  const [info] = JSON.parse(packed.slice(packed.search(/^\[/m))); // after the prepack build's own output
  tarball = path.join(tmp, info.filename);
  console.log(`package: ${info.filename}, ${(statSync(tarball).size / 1024).toFixed(0)} KiB packed, ${info.entryCount} files`);

  const cli = path.join(ROOT, 'sdk/bin/sluice.js');
  run(process.execPath, [cli, 'new', repoA, '--sluice', tarball]);
  run(process.execPath, [cli, 'new', repoB, '--sluice', tarball, '--python']);
  // The second repository gets its own flow names, as a second team would write.
  for (const file of ['workflows/rainfall-summary.ts', 'workflows/rainfall-watch.ts', 'test/rainfall-summary.test.ts', 'test/rainfall-watch.test.ts']) {
    const full = path.join(repoB, file);
    const renamed = readFileSync(full, 'utf8').replaceAll('rainfallSummary', 'riverSummary').replaceAll('rainfallWatch', 'riverWatch');
    writeFileSync(full, renamed.replaceAll("'daily'", "'nightly'"));
  }
  testServerPath = testServer();
  for (const repo of [repoA, repoB]) {
    const started = Date.now();
    run('npm', ['install'], { cwd: repo });
    console.log(`${path.basename(repo)}: npm install ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
});

describe('sluice new', () => {
  test('makes a repository that depends on the package, not on a copy of it', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoA, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'rain-flows');
    assert.equal(pkg.dependencies.sluice, `file:vendor/${path.basename(tarball)}`);
    assert.ok(existsSync(path.join(repoA, 'vendor', path.basename(tarball))));
    for (const file of ['.gitignore', '.dockerignore', '.nvmrc', '.env.example', 'Dockerfile', 'README.md', '.github/workflows/ci.yml', 'workflows/index.ts', 'activities/index.ts']) {
      assert.ok(existsSync(path.join(repoA, file)), `${file} is missing`);
    }
    for (const file of ['README.md', '.env.example']) assert.ok(!readFileSync(path.join(repoA, file), 'utf8').includes('__NAME__'), file);
    assert.equal(readFileSync(path.join(repoA, '.nvmrc'), 'utf8').trim(), '24');
  });

  test('its .env.example holds the settings a worker reads, none of them refused as they stand, and .env stays out of git and the image', () => {
    const example = readFileSync(path.join(repoA, '.env.example'), 'utf8');
    const set = Object.fromEntries([...example.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    assert.deepEqual(set, { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_NAMESPACE: 'default' });
    for (const name of ['SLUICE_URL', 'SLUICE_WORKER_TOKEN', 'TEMPORAL_API_KEY', 'TEMPORAL_TLS']) assert.match(example, new RegExp(`^# ${name}=`, 'm'));
    assert.match(example, /--queues rain-flows/);
    assert.match(readFileSync(path.join(repoA, '.gitignore'), 'utf8'), /^\.env$/m);
    assert.match(JSON.parse(readFileSync(path.join(repoA, 'package.json'), 'utf8')).scripts.worker, /--env-file-if-exists=\.env /);
  });

  test('records its task queue and a repository identity of its own in package.json, which sluice check reads', () => {
    const [a, b] = [repoA, repoB].map((repo) => JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).sluice);
    assert.equal(a.taskQueue, 'rain-flows');
    assert.equal(b.taskQueue, 'river-flows');
    assert.match(a.repository, /^rain-flows-[0-9a-f]{8}$/);
    assert.match(b.repository, /^river-flows-[0-9a-f]{8}$/);
    const { SLUICE_TASK_QUEUE: _unset, ...env } = installEnv();
    const check = spawnSync(process.execPath, ['node_modules/sluice/bin/sluice.js', 'check', '--no-bundle'], { cwd: repoA, encoding: 'utf8', env });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, new RegExp(`task queue rain-flows, repository ${a.repository}$`, 'm'));
  });

  test('refuses a directory that is not empty, and a name that cannot be a task queue', () => {
    const cli = path.join(ROOT, 'sdk/bin/sluice.js');
    const busy = spawnSync(process.execPath, [cli, 'new', repoA], { encoding: 'utf8' });
    assert.equal(busy.status, 2);
    assert.match(busy.stderr, /exists and is not empty/);
    const badName = spawnSync(process.execPath, [cli, 'new', path.join(tmp, 'x'), '--name', 'Has Spaces'], { encoding: 'utf8' });
    assert.equal(badName.status, 2);
    assert.match(badName.stderr, /cannot be a package name and task queue/);
  });

  test('its GitHub Actions workflow passes actionlint, tests, then pushes the image as :sha and :latest with the updater label', () => {
    const actionlint = run('bash', [path.join(ROOT, 'scripts/actionlint.sh')]).trim().split('\n').pop()!;
    run(actionlint, ['-no-color', '.github/workflows/ci.yml'], { cwd: repoA });
    const workflow = parse(readFileSync(path.join(repoA, '.github/workflows/ci.yml'), 'utf8'));
    assert.deepEqual(workflow.on.push.branches, ['main']);
    assert.ok(workflow.jobs.test.steps.some((s: { run?: string }) => s.run === 'npm test'));
    const node = workflow.jobs.test.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/setup-node'));
    assert.equal(node.with['node-version-file'], '.nvmrc');
    const image = workflow.jobs.image;
    assert.deepEqual(image.needs, 'test');
    assert.match(image.if, /refs\/heads\/main/);
    const push = image.steps.find((s: { uses?: string }) => s.uses?.startsWith('docker/build-push-action'));
    assert.equal(push.with.push, true);
    assert.match(push.with.tags, /:\$\{\{ github\.sha \}\}/);
    assert.match(push.with.tags, /:latest/);
    assert.match(push.with.labels, /com\.centurylinklabs\.watchtower\.enable=true/);
  });

  test('its CI builds the Temporal CLI only when its cache, keyed by the version Sluice pins, misses', () => {
    type Step = { id?: string; uses?: string; run?: string; if?: string; with?: Record<string, string> };
    const steps: Step[] = parse(readFileSync(path.join(repoA, '.github/workflows/ci.yml'), 'utf8')).jobs.test.steps;
    const versionStep = steps.find((s) => s.id === 'temporal-cli')!;
    const cache = steps.find((s) => s.uses?.startsWith('actions/cache'))!;
    // The step's own command, run in the repository, finds the version the package's script pins.
    const output = path.join(tmp, 'github-output');
    writeFileSync(output, '');
    run('bash', ['-c', versionStep.run!], { cwd: repoA, env: { ...installEnv(), GITHUB_OUTPUT: output } });
    const version = readFileSync(output, 'utf8').match(/^version=(\d+\.\d+\.\d+)$/m)?.[1];
    assert.equal(version, readFileSync(path.join(repoA, 'node_modules/sluice/bin/temporal-cli.sh'), 'utf8').match(/^version="v(.+)"$/m)?.[1]);
    assert.equal(cache.with!.path, '~/.cache/sluice/temporal-${{ steps.temporal-cli.outputs.version }}');
    assert.match(cache.with!.key, /\$\{\{ steps\.temporal-cli\.outputs\.version \}\}/);
    // That path is where the tests look for the CLI (without `temporal` on PATH).
    const noTemporal = { ...installEnv(), PATH: path.dirname(process.execPath) + ':/usr/bin:/bin', SLUICE_GO: '/nonexistent' };
    const found = spawnSync('bash', ['node_modules/sluice/bin/temporal-cli.sh'], { cwd: repoA, encoding: 'utf8', env: noTemporal });
    if (found.status === 0) assert.equal(found.stdout.trim(), path.join(os.homedir(), `.cache/sluice/temporal-${version}/temporal`));
    else assert.match(found.stderr, new RegExp(`Looked for: 'temporal' on PATH, then ${os.homedir()}/\\.cache/sluice/temporal-${version}/temporal`));
    const cacheId = cache.id!;
    const onMiss = steps.filter((s) => s.if === `steps.${cacheId}.outputs.cache-hit != 'true'`);
    assert.deepEqual(onMiss.map((s) => s.uses ?? s.run), ['actions/setup-go@v5', 'bash node_modules/sluice/bin/temporal-cli.sh']);
    assert.ok(steps.every((s) => !s.uses?.startsWith('actions/setup-go') || s.if), 'Go only when the cache misses');
  });

  test('its Dockerfile is multi-stage, bundles the flows at build time, keeps production dependencies only and runs as non-root', () => {
    const dockerfile = readFileSync(path.join(repoA, 'Dockerfile'), 'utf8');
    const stages = dockerfile.match(/^FROM .+$/gm) ?? [];
    assert.equal(stages.length, 2);
    for (const from of stages) assert.match(from, /^FROM node:24-/);
    assert.match(dockerfile, /sluice build --out dist\/flows\.js/);
    assert.match(dockerfile, /npm prune --omit=dev/);
    assert.match(dockerfile, /SLUICE_FLOWS_BUNDLE=\/app\/dist\/flows\.js/);
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    assert.match(finalStage, /^USER node$/m);
    assert.doesNotMatch(finalStage, /COPY \. \./, 'the image copies only what the worker needs');
    assert.match(readFileSync(path.join(repoA, '.dockerignore'), 'utf8'), /^\.env$/m);
    assert.match(finalStage, /^HEALTHCHECK .*\\\n\s+CMD \["node", "node_modules\/sluice\/bin\/sluice\.js", "healthcheck"\]$/m);
    assert.match(finalStage, /SLUICE_HEALTH_FILE=\/tmp\/sluice-health\.json/);
    assert.doesNotMatch(dockerfile, /deploy\/worker-healthcheck/, 'it names no file the repository does not have');
  });

  test('each repository passes its own tests: one on a dev server of its own, one on a shared server', () => {
    const { TEMPORAL_ADDRESS: _unset, ...withoutServer } = installEnv();
    const own = run('npm', ['test'], { cwd: repoA, env: withoutServer as NodeJS.ProcessEnv });
    assert.match(own, /# pass 8\b|ℹ pass 8\b/);
    // The flow test waits two times six hours on the test server's clock: it passes, so nothing waited them.
    assert.match(own, /rainfallWatch checks every station at each check, hours apart, and warns of heavy rain/);
    const shared = run('npm', ['test'], { cwd: repoB, env: { ...installEnv(), TEMPORAL_ADDRESS: temporalAddress() } });
    assert.match(shared, /# pass 8\b|ℹ pass 8\b/);
    run('npm', ['run', 'typecheck'], { cwd: repoB }); // as its CI does: flows, tasks, tests and the flow calling Python
  });

  test('sluice check passes on the template and names the flow and deployment of a bad declaration', () => {
    const ok = sluice(repoA, 'check');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /2 flow\(s\) \(rainfallSummary, rainfallWatch\), 2 task\(s\), 2 deployment\(s\)/);
    const flowFile = path.join(repoA, 'workflows/rainfall-summary.ts');
    const original = readFileSync(flowFile, 'utf8');
    try {
      writeFileSync(flowFile, original.replace("cron: '0 6 * * *'", "cron: '0 25 * * *'"));
      const bad = sluice(repoA, 'check', '--no-bundle');
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /rainfallSummary/);
      assert.match(bad.stderr, /daily/);
      assert.doesNotMatch(bad.stderr, /^\s+at /m, 'no stack trace without --verbose');
    } finally {
      writeFileSync(flowFile, original);
    }
  });

  test('sluice build writes the flows bundle a worker starts from, and a worker refuses a stale one', async () => {
    const built = sluice(repoA, 'build', '--out', 'dist/flows.js');
    assert.equal(built.status, 0, built.stderr);
    assert.ok(statSync(path.join(repoA, 'dist/flows.js')).size > 10_000);
    const tasksFile = path.join(repoA, 'activities/rainfall.ts');
    const original = readFileSync(tasksFile, 'utf8');
    try {
      writeFileSync(tasksFile, original.replace('{ retries: 2 }', '{ retries: 4 }'));
      const worker = spawnSync(process.execPath, ['node_modules/sluice/bin/sluice.js', 'worker'], {
        cwd: repoA,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...installEnv(), SLUICE_FLOWS_BUNDLE: 'dist/flows.js', TEMPORAL_ADDRESS: temporalAddress(), DATABASE_URL: `sqlite:${path.join(tmp, 'stale.db')}`, SLUICE_TASK_QUEUE: 'stale' },
      });
      assert.equal(worker.status, 1);
      assert.match(worker.stderr, /built from other task declarations.*sluice build/);
      const temporal = new Client({ connection: await testConnection(), namespace: temporalNamespace() });
      try {
        for await (const schedule of temporal.schedule.list()) assert.notEqual(schedule.memo?.sluiceOwner, 'stale', 'a refused worker synced a schedule');
      } finally {
        await temporal.connection.close();
      }
    } finally {
      writeFileSync(tasksFile, original);
    }
  });
});

describe('sluice new --python', () => {
  // The Python side runs on the suite's venv (temporalio, pytest) with the repository's own copy of Sluice's Python
  // package on PYTHONPATH: the one the npm package brought, not this checkout's python/src.
  const pythonEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, PYTHONPATH: path.join(repoB, 'vendor/sluice-python/src') });

  test("adds Python tasks, their tests, image and CI, a flow calling them, and the npm package's own Python package", () => {
    for (const file of ['python/rain_stats.py', 'python/tests/test_rain_stats.py', 'python/pyproject.toml', 'python/Dockerfile', '.github/workflows/python.yml', 'workflows/rainfall-percentiles.ts']) {
      assert.ok(existsSync(path.join(repoB, file)), `${file} is missing`);
    }
    const vendored = readFileSync(path.join(repoB, 'vendor/sluice-python/pyproject.toml'), 'utf8');
    assert.match(vendored, /^name = "sluice"$/m);
    assert.equal(vendored.match(/^version = "(.+)"$/m)?.[1], JSON.parse(readFileSync(path.join(ROOT, 'sdk/package.json'), 'utf8')).version);
    assert.ok(existsSync(path.join(repoB, 'vendor/sluice-python/src/sluice/worker.py')));
    assert.ok(!existsSync(path.join(repoA, 'python')), 'without --python, no Python');
    assert.match(readFileSync(path.join(repoB, 'workflows/index.ts'), 'utf8'), /^export \* from '\.\/rainfall-percentiles';$/m);
    assert.match(readFileSync(path.join(repoB, 'workflows/rainfall-percentiles.ts'), 'utf8'), /pythonTasks<RainStats>\('river-flows-python'\)/);
    assert.match(readFileSync(path.join(repoB, '.gitignore'), 'utf8'), /^__pycache__\/$/m);
    const check = sluice(repoB, 'check', '--no-bundle');
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /3 flow\(s\) \(riverSummary, riverWatch, rainfallPercentiles\)/);
  });

  test('its Python tasks pass their pytest tests', () => {
    const out = run(venvPython(), ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: path.join(repoB, 'python'), env: pythonEnv() });
    assert.match(out, /^4 passed/m);
  });

  test('its Python CI passes actionlint, runs pytest, then pushes the Python image; the image checks its health as the Python worker does', () => {
    const actionlint = run('bash', [path.join(ROOT, 'scripts/actionlint.sh')]).trim().split('\n').pop()!;
    run(actionlint, ['-no-color', '.github/workflows/python.yml'], { cwd: repoB });
    const workflow = parse(readFileSync(path.join(repoB, '.github/workflows/python.yml'), 'utf8'));
    assert.ok(workflow.jobs.test.steps.some((s: { run?: string }) => s.run === 'python -m pytest'));
    const push = workflow.jobs.image.steps.find((s: { uses?: string }) => s.uses?.startsWith('docker/build-push-action'));
    assert.equal(push.with.file, 'python/Dockerfile');
    assert.match(push.with.labels, /sluice\.task-queue=river-flows-python/);
    const dockerfile = readFileSync(path.join(repoB, 'python/Dockerfile'), 'utf8');
    assert.match(dockerfile, /^COPY vendor\/sluice-python\/ vendor\/sluice-python\/$/m);
    const [program, ...args]: string[] = JSON.parse(dockerfile.match(/^HEALTHCHECK [^\n]*\\\n\s+CMD (\[.*\])$/m)![1]!);
    assert.equal(program, 'python');
    const report = path.join(tmp, 'python-health.json');
    writeFileSync(report, JSON.stringify({ ok: true, checkedAt: new Date().toISOString(), taskQueue: 'river-flows-python', identity: '1@host (python)' }));
    const healthy = spawnSync(venvPython(), args, { cwd: path.join(repoB, 'python'), env: { ...pythonEnv(), SLUICE_HEALTH_FILE: report }, encoding: 'utf8' });
    assert.equal(healthy.status, 0, healthy.stderr);
  });
});

describe('two repositories, one Sluice', () => {
  // As a team does it: a running Sluice (the suite's Temporal, the web app's store) serves a first repository's
  // flow with two schedules; a second repository made by `sluice new` joins, its worker started the way its
  // README says, with nothing but the running Sluice's TEMPORAL_ADDRESS and DATABASE_URL (and its namespace).
  // Each serves its own task queue, from its package.json, and neither touches the other's flows or schedules.
  let app: WebApp;
  let temporal: Client;
  const workers: ReturnType<typeof spawn>[] = [];
  const outputs: string[] = [];
  const schedulesOfA = ['rainfallSummary.daily', 'rainfallSummary.on-demand'];
  const repositoryOf = (repo: string): string => JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).sluice.repository;

  const startWorker = (repo: string, storeUrl: string, extra: Record<string, string> = {}) => {
    const { SLUICE_TASK_QUEUE: _unset, ...env } = installEnv();
    const child = spawn(process.execPath, ['node_modules/sluice/bin/sluice.js', 'worker'], {
      cwd: repo,
      env: { ...env, TEMPORAL_ADDRESS: temporalAddress(), TEMPORAL_NAMESPACE: temporalNamespace(), DATABASE_URL: storeUrl, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const index = outputs.push('') - 1;
    child.stdout!.on('data', (d) => (outputs[index] += d));
    child.stderr!.on('data', (d) => (outputs[index] += d));
    workers.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { child, output: () => outputs[index]!, exited };
  };

  const healthFileA = path.join(tmp, 'rain-flows-health.json');
  let pythonWorker: TestWorker | undefined;
  let token: string;
  before(async () => {
    app = await startWebApp();
    // Runs started as `token:template-e2e`: other test files count the runs their own users start.
    const store = await openStore(app.storeUrl);
    try {
      token = (await createApiToken(store.db, { name: 'template-e2e', role: 'operator', createdBy: null })).token;
    } finally {
      await store.close();
    }
    temporal = new Client({ connection: await testConnection(), namespace: temporalNamespace() });
    const a = startWorker(repoA, app.storeUrl, { SLUICE_HEALTH_FILE: healthFileA });
    await eventually(() => /worker ready/.test(a.output()), 120_000, `the first repository's worker ready:\n${a.output()}`);
    for (const id of schedulesOfA) await temporal.schedule.getHandle(id).describe(); // the first repository's two schedules
    const b = startWorker(repoB, app.storeUrl);
    await eventually(() => /worker ready/.test(b.output()), 120_000, `the second repository's worker ready:\n${b.output()}`);
    assert.match(b.output(), new RegExp(`worker ready: task queue river-flows \\(repository ${repositoryOf(repoB)}\\)`));
    // Its Python worker, as its README says: its own queue, a worker token for both queues, the web app's URL.
    pythonWorker = await startPythonWorker({
      module: 'rain_stats',
      taskQueue: 'river-flows-python',
      sluiceUrl: app.baseUrl,
      token: await workerToken(app.storeUrl, ['river-flows-python', 'river-flows']),
      env: { PYTHONPATH: path.join(repoB, 'python') },
    });
  });

  after(async () => {
    await pythonWorker?.stop();
  });

  test("the image's HEALTHCHECK, run as its Dockerfile says, passes once the worker polls its queue, and fails without a report", async () => {
    const dockerfile = readFileSync(path.join(repoA, 'Dockerfile'), 'utf8');
    const [program, ...args]: string[] = JSON.parse(dockerfile.match(/^HEALTHCHECK [^\n]*\\\n\s+CMD (\[.*\])$/m)![1]!);
    assert.equal(program, 'node');
    const check = (file: string) => spawnSync(process.execPath, args, { cwd: repoA, encoding: 'utf8', env: { PATH: process.env.PATH, SLUICE_HEALTH_FILE: file } });
    await eventually(() => check(healthFileA).status === 0, 30_000, `the healthcheck passing: ${check(healthFileA).stderr}`);
    const none = check(path.join(tmp, 'no-health.json'));
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^worker healthcheck: no health report at .*no-health\.json yet/);
  });

  test('the web app lists the flows of both, each with the task queue it comes from, none gone', async () => {
    const res = await fetchFlows(app);
    assert.equal(res.status, 200);
    const { flows } = (await res.json()) as { flows: { name: string; taskQueue: string; goneAt?: number | null }[] };
    const byName = Object.fromEntries(flows.map((f) => [f.name, [f.taskQueue, f.goneAt ?? null]]));
    assert.deepEqual(byName.rainfallSummary, ['rain-flows', null]);
    assert.deepEqual(byName.riverSummary, ['river-flows', null]);
  });

  test("the second repository's flow calls its Python task, served by its Python worker", async () => {
    const res = await app.fetch('/api/runs', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ flow: 'rainfallPercentiles', parameters: { station: 'Eelde', days: 12 } }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { workflowId, runId } = (await res.json()) as { workflowId: string; runId: string };
    const result = (await temporal.workflow.getHandle(workflowId, runId).result()) as Record<string, number>;
    assert.deepEqual(Object.keys(result), ['p50', 'p90', 'p99']);
    assert.ok(result.p50! <= result.p90! && result.p90! <= result.p99!, JSON.stringify(result));
  });

  test('a run of each, started through the web app, completes on its own worker', async () => {
    for (const flow of ['rainfallSummary', 'riverSummary']) {
      const res = await app.fetch('/api/runs', {
        method: 'POST',
        token,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ flow, parameters: { station: 'Eelde', days: 3 } }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      const { workflowId, runId } = (await res.json()) as { workflowId: string; runId: string };
      const result = (await temporal.workflow.getHandle(workflowId, runId).result()) as { station: string; days: number };
      assert.deepEqual([result.station, result.days], ['Eelde', 3]);
      const description = await temporal.workflow.getHandle(workflowId, runId).describe();
      assert.equal(description.taskQueue, flow === 'rainfallSummary' ? 'rain-flows' : 'river-flows');
    }
  });

  test("the deployments of both are schedules, each owned by its repository and task queue; the first repository's two are all there", async () => {
    const owners: Record<string, [string, string]> = {};
    for (const id of [...schedulesOfA, 'riverSummary.nightly', 'riverSummary.on-demand']) {
      const schedule = await temporal.schedule.getHandle(id).describe();
      owners[id] = [String(schedule.memo?.sluiceRepository), String(schedule.memo?.sluiceOwner)];
      assert.equal(schedule.action.type === 'startWorkflow' && schedule.action.taskQueue, owners[id][1]);
    }
    const [a, b] = [[repositoryOf(repoA), 'rain-flows'], [repositoryOf(repoB), 'river-flows']];
    assert.deepEqual(owners, { 'rainfallSummary.daily': a, 'rainfallSummary.on-demand': a, 'riverSummary.nightly': b, 'riverSummary.on-demand': b });
  });

  test("a worker of the second repository started on the first one's task queue is refused, and changes nothing", async () => {
    const catalog = await (await fetchFlows(app)).json();
    const before = await Promise.all(schedulesOfA.map(async (id) => (await temporal.schedule.getHandle(id).describe()).memo));
    const intruder = startWorker(repoB, app.storeUrl, { SLUICE_TASK_QUEUE: 'rain-flows' });
    assert.equal(await intruder.exited, 1, intruder.output());
    assert.match(
      intruder.output(),
      new RegExp(`task queue rain-flows serves the flows of repository ${repositoryOf(repoA)} \\(rainfallSummary, rainfallWatch\\), and repository ${repositoryOf(repoB)} cannot share it`),
    );
    assert.match(intruder.output(), /Give this repository a task queue of its own: "sluice": \{ "taskQueue": "NAME" \} in its package\.json/);
    assert.doesNotMatch(intruder.output(), /\n\s+at /, 'no stack trace');
    assert.deepEqual(await (await fetchFlows(app)).json(), catalog, 'the catalog is untouched: no flow of the first repository is gone');
    assert.deepEqual(await Promise.all(schedulesOfA.map(async (id) => (await temporal.schedule.getHandle(id).describe()).memo)), before, 'its schedules are there, unchanged');
  });
});

const fetchFlows = (app: WebApp) => app.fetch('/api/flows', { as: 'viewer' });
