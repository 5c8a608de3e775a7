// docker-compose.yml cannot run here (no Docker engine), so it is checked statically: every service it
// names exists, the commands are npm scripts that exist, the addresses match the services, every variable
// it sets is one Sluice reads, and its images and Temporal settings are those of deploy/ — the one place
// test/deploy/production.test.ts runs natively from.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { readDeployEnv } from '../harness/production-temporal';
import { LATENCY_SETTINGS } from 'sluice/internal/dev';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
type Service = {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  profiles?: string[];
  labels?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  environment?: Record<string, string | number>;
  env_file?: string[];
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  restart?: string;
};
const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
const stack = readDeployEnv('stack.env');
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
    assert.deepEqual(Object.keys(services).sort(), [
      'caddy', 'migrate', 'python-worker', 'sluice-db', 'temporal', 'temporal-db', 'temporal-namespace', 'temporal-setup', 'temporal-ui', 'watchtower',
      'web', 'worker', 'worker-example',
    ]);
    assert.equal(readDeployEnv('temporal/server.env').DB, 'postgres12', 'persistence and visibility on PostgreSQL');
    assert.equal(services.temporal!.environment!.TEMPORAL_DB_HOST, 'temporal-db');
    assert.equal(services['temporal-setup']!.environment!.SQL_HOST, 'temporal-db');
  });

  it("runs the images of deploy/stack.env's versions: the server Sluice is tested on, not auto-setup", () => {
    assert.equal(services.temporal!.image, `temporalio/server:${stack.TEMPORAL_SERVER_VERSION}`);
    for (const name of ['temporal-setup', 'temporal-namespace']) {
      assert.ok(services[name]!.image!.startsWith(`temporalio/admin-tools:${stack.TEMPORAL_SERVER_VERSION}-`), `${name}: admin tools of the same server version`);
    }
    assert.equal(services['temporal-ui']!.image, `temporalio/ui:${stack.TEMPORAL_UI_VERSION}`);
    for (const name of ['temporal-db', 'sluice-db']) assert.equal(services[name]!.image, `postgres:${stack.POSTGRES_VERSION}`);
    assert.doesNotMatch(composeText, /auto-setup/, 'temporalio/auto-setup is not for production');
  });

  it('sets Temporal up in order: schemas, then the server, then the namespace, then the worker and the web app', () => {
    const condition = (name: string, dep: string) => (services[name]!.depends_on as Record<string, { condition: string }>)[dep]?.condition;
    assert.equal(condition('temporal-setup', 'temporal-db'), 'service_healthy');
    assert.equal(condition('temporal', 'temporal-setup'), 'service_completed_successfully');
    assert.equal(condition('temporal-namespace', 'temporal'), 'service_healthy');
    for (const name of ['worker', 'web', 'worker-example']) assert.equal(condition(name, 'temporal-namespace'), 'service_completed_successfully', name);
    for (const name of ['temporal-setup', 'temporal-namespace']) assert.equal(services[name]!.restart, 'no', `${name} runs once per up`);
  });

  it("migrates Sluice's store once per up, before the web app; workers start after the web app, their way to the store", () => {
    const migrate = services.migrate!;
    assert.deepEqual(migrate.build, services.web!.build, "the web app's image: the same Sluice version as the web app");
    assert.deepEqual(migrate.command, ['node', 'sdk/bin/sluice.js', 'migrate']);
    assert.ok(existsSync(path.join(ROOT, 'sdk/bin/sluice.js')));
    assert.equal(migrate.restart, 'no', 'runs once per up');
    assert.deepEqual(migrate.depends_on, { 'sluice-db': { condition: 'service_healthy' } });
    assert.deepEqual(migrate.environment, { DATABASE_URL: services.web!.environment!.DATABASE_URL }, "the web app's store, nothing else");
    const dependsOn = (name: string) => services[name]!.depends_on as Record<string, { condition: string }>;
    assert.equal(dependsOn('web').migrate?.condition, 'service_completed_successfully', 'the web app starts after the migration');
    for (const name of ['worker', 'worker-example', 'python-worker']) {
      assert.equal(dependsOn(name).web?.condition, 'service_started', `${name} starts after the web app, whose worker API it waits for`);
      assert.equal(dependsOn(name).migrate, undefined, `${name} never opens the store`);
    }
  });

  it("gives Temporal deploy/temporal's files, which the native production test uses too", () => {
    const mount = './deploy/temporal:/etc/sluice/temporal:ro';
    for (const name of ['temporal-setup', 'temporal', 'temporal-namespace']) assert.ok(services[name]!.volumes!.includes(mount), `${name} mounts deploy/temporal`);
    const inMount = (file: string) => path.join(ROOT, 'deploy/temporal', path.relative('/etc/sluice/temporal', file));
    assert.deepEqual(services['temporal-setup']!.entrypoint, ['/bin/sh', '/etc/sluice/temporal/setup-schema.sh']);
    assert.deepEqual(services['temporal-namespace']!.entrypoint, ['/bin/sh', '/etc/sluice/temporal/namespace.sh']);
    assert.match(services.temporal!.entrypoint!.join(' '), /temporal-server --root \/etc\/sluice --config temporal --env production start/);
    assert.ok(existsSync(path.join(ROOT, 'deploy/temporal/production.yaml')), 'the configuration --env production loads');
    const dynamicConfig = inMount(String(services.temporal!.environment!.TEMPORAL_DYNAMIC_CONFIG));
    const settings = parse(readFileSync(dynamicConfig, 'utf8')) as Record<string, { value: unknown }[]>;
    for (const [key, value] of Object.entries(LATENCY_SETTINGS)) {
      assert.deepEqual(settings[key], [{ value }], `${key}: production has the embedded server's latency setting`);
    }
    for (const name of ['temporal-setup', 'temporal']) assert.deepEqual(services[name]!.env_file, ['deploy/temporal/server.env']);
    assert.deepEqual(services['temporal-namespace']!.env_file, ['deploy/stack.env'], 'namespace and retention from deploy/stack.env');
    assert.equal(compose.services.web!.environment!.TEMPORAL_NAMESPACE, stack.TEMPORAL_NAMESPACE);
  });

  it('publishes the web app on 127.0.0.1 only, no other port but the TLS proxy\'s, and every long-running service has a healthcheck', () => {
    for (const [name, s] of Object.entries(services)) {
      if (name !== 'web' && name !== 'caddy') assert.equal(s.ports, undefined, `${name} publishes ${JSON.stringify(s.ports)}`);
      assert.equal((s as { network_mode?: string }).network_mode, undefined, `${name}: host networking would publish every port`);
      if (s.restart !== 'no') assert.ok(s.healthcheck?.test?.length, `${name} has no healthcheck`);
    }
    // Plain HTTP with https-only cookies: reachable from this host, never from the network.
    assert.deepEqual(services.web!.ports, ['127.0.0.1:3000:3000']);
    for (const name of ['worker', 'worker-example']) {
      assert.ok(services[name]!.volumes!.includes('./deploy/worker-healthcheck.cjs:/opt/sluice/worker-healthcheck.cjs:ro'), name);
    }
  });

  it('requires every secret, with a message saying what to set', () => {
    for (const secret of ['TEMPORAL_DB_PASSWORD', 'SLUICE_DB_PASSWORD', 'NEXTAUTH_SECRET']) {
      const uses = [...composeText.matchAll(new RegExp(`\\$\\{${secret}([^}]*)\\}`, 'g'))].map((m) => m[1]!);
      assert.ok(uses.length > 0, `${secret} is used`);
      for (const use of uses) assert.match(use, new RegExp(`^:\\?set ${secret}\\b`), `\${${secret}${use}}: no default, and the error names it`);
    }
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

  it('serves the web app over HTTPS through Caddy, only in the tls profile: NEXTAUTH_URL is the site, web:3000 the upstream', () => {
    const caddy = services.caddy!;
    assert.deepEqual(caddy.profiles, ['tls'], 'off unless asked for');
    assert.match(caddy.image!, /^caddy:\d+\.\d+\.\d+$/, 'a pinned Caddy release');
    assert.deepEqual(caddy.ports, ['80:80', '443:443', '443:443/udp'], 'ACME http-01 and the http:// redirect on 80, HTTPS (and HTTP/3) on 443');
    const mount = caddy.volumes!.find((v) => v.endsWith(':/etc/caddy/Caddyfile:ro'))!;
    assert.ok(mount, 'the Caddyfile is mounted read-only where the image reads it');
    for (const volume of ['caddy-data:/data', 'caddy-config:/config']) assert.ok(caddy.volumes!.includes(volume), `${volume}: certificates survive a restart`);
    const caddyfile = read(mount.split(':')[0]!);
    const lines = caddyfile.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    assert.equal(lines[0], '{$NEXTAUTH_URL} {', 'the site is the address people open');
    assert.equal(caddy.environment!.NEXTAUTH_URL, services.web!.environment!.NEXTAUTH_URL, 'the same address as the web app\'s');
    const upstreams = lines.filter((l) => l.startsWith('reverse_proxy ')).map((l) => l.split(/\s+/)[1]);
    const webPort = services.web!.ports![0]!.split(':').at(-1);
    assert.deepEqual(upstreams, [`web:${webPort}`], 'forwards to the web service on the compose network');
    assert.ok(Object.keys(caddy.depends_on!).includes('web'));
    assert.match(String(services.web!.environment!.SLUICE_TRUST_PROXY), /^\$\{SLUICE_TRUST_PROXY:-\}$/, 'the web app can be told a proxy is in front');
  });

  it('updates only labelled workers, and only in the autoupdate profile, with a maintained watchtower that speaks Docker API 1.44+', () => {
    const watchtower = services.watchtower!;
    assert.deepEqual(watchtower.profiles, ['autoupdate']);
    // containrrr/watchtower (archived) speaks API 1.25, which Docker Engine 29 refuses: it restarts in a loop.
    assert.match(watchtower.image!, /^nickfedor\/watchtower:\d+\.\d+\.\d+$/, 'the maintained fork, at a pinned release');
    assert.deepEqual(watchtower.healthcheck!.test, ['CMD', '/watchtower', '--health-check']);
    assert.ok(watchtower.command!.includes('--label-enable'), 'without --label-enable watchtower would update every container');
    const labelled = Object.entries(services).filter(([, s]) => s.labels?.['com.centurylinklabs.watchtower.enable'] === 'true').map(([n]) => n);
    assert.deepEqual(labelled, ['worker-example']);
    assert.equal(services['worker-example']!.environment!.TEMPORAL_ADDRESS, 'temporal:7233');
  });

  it('points the web app at the store, and every worker at Temporal and the web app with a token of its own, never at the store', () => {
    const db = services['sluice-db']!.environment!;
    const web = services.web!.environment!;
    assert.equal(web.TEMPORAL_ADDRESS, 'temporal:7233');
    const url = new URL(String(web.DATABASE_URL).replace(/\$\{SLUICE_DB_PASSWORD:\?[^}]*\}/, 'secret'));
    assert.equal(url.hostname, 'sluice-db');
    assert.equal(url.username, db.POSTGRES_USER);
    assert.equal(url.pathname, `/${db.POSTGRES_DB}`);
    assert.match(String(web.NEXTAUTH_SECRET), /^\$\{NEXTAUTH_SECRET:\?/, 'the web app must not start without a secret');
    const workers = ['worker', 'worker-example', 'python-worker'];
    const tokenVariables = new Set<string>();
    for (const name of workers) {
      const env = services[name]!.environment!;
      assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233', name);
      // The owner's credential in a team's worker would let its tasks read and change everything.
      for (const [variable, value] of Object.entries(env)) {
        assert.doesNotMatch(`${variable}=${value}`, /DATABASE_URL|SLUICE_DB_PASSWORD|postgres:\/\//, `${name} gets the store's credential (${variable})`);
      }
      assert.equal(env.SLUICE_URL, 'http://web:3000', `${name} reaches the web app inside the compose network`);
      const token = /^\$\{(SLUICE_WORKER_TOKEN_[A-Z0-9_]+):-\}$/.exec(String(env.SLUICE_WORKER_TOKEN));
      assert.ok(token, `${name}: SLUICE_WORKER_TOKEN comes from a variable of its own in .env, got ${env.SLUICE_WORKER_TOKEN}`);
      tokenVariables.add(token[1]!);
      assert.ok(composeText.includes(token[1]!.replace(/^SLUICE_WORKER_TOKEN_/, '_')) || composeText.includes(`${token[1]}=`), `the file's header says how to set ${token[1]}`);
    }
    assert.equal(tokenVariables.size, workers.length, 'each worker service has its own token variable');
    assert.match(composeText, /token create \S+ --role worker --queues /, 'the header says how an operator makes a worker token');
  });

  it('serves Temporal Web only through the web app: temporal-ui publishes no port, links point at /temporal', () => {
    const ui = services['temporal-ui']!;
    assert.equal(ui.ports, undefined, `temporal-ui publishes ${JSON.stringify(ui.ports)}: that would bypass Sluice's log-in and roles`);
    assert.equal((ui as { network_mode?: string }).network_mode, undefined, 'host networking would publish it too');
    assert.equal(ui.environment!.TEMPORAL_UI_PUBLIC_PATH, '/temporal', 'the UI server must use the path the web app serves it at');
    const upstream = new URL(String(services.web!.environment!.TEMPORAL_UI_UPSTREAM));
    assert.equal(upstream.host, 'temporal-ui:8080');
    for (const name of ['worker', 'web', 'worker-example']) {
      assert.match(String(services[name]!.environment!.TEMPORAL_WEB_URL), /^\$\{NEXTAUTH_URL:-http:\/\/localhost:3000\}\/temporal$/, `${name}: links go through the web app`);
    }
  });

  it('serves the Python tasks from their own image and queue, against the same Temporal, a client of the web app', () => {
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
    assert.ok(Object.keys(py.depends_on!).includes('web'), 'after the web app, whose worker API it writes to');
    assert.match(read('python/Dockerfile'), /SLUICE_SPOOL_DIR=\/var\/lib\/sluice\/spool/);
    assert.deepEqual(py.volumes, ['/var/lib/sluice/spool'], 'the log spool outlives the container');
    assert.deepEqual(py.healthcheck!.test, ['CMD', 'python', '-m', 'sluice', 'healthcheck'], 'its image has no Node: the Python package checks');
    assert.match(read('python/src/sluice/__main__.py'), /"healthcheck"/);
    const pythonSources = listFiles(path.join(ROOT, 'python/src'), /\.py$/).map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const variable of Object.keys(py.environment!)) assert.ok(pythonSources.includes(`"${variable}"`), `python-worker sets ${variable}, which the Python worker does not read`);
  });

  it("takes the template README's worker service as it is: shared environment, healthcheck, started after the namespace and the migration", () => {
    const snippet = /```yaml\n([\s\S]*?)```/.exec(read('sdk/template/README.md'))![1]!;
    const withIt = composeText.replace(/\nvolumes:\n/, `\n${snippet}\nvolumes:\n`);
    const added = (parse(withIt, { merge: true }) as { services: Record<string, Service> }).services['worker-__NAME__']!;
    assert.equal(added.environment!.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.equal(added.environment!.SLUICE_URL, services.worker!.environment!.SLUICE_URL);
    assert.equal(added.environment!.DATABASE_URL, undefined, 'a workflow repository\'s worker gets no store credential');
    assert.match(String(added.environment!.SLUICE_WORKER_TOKEN), /^\$\{SLUICE_WORKER_TOKEN_\w+:-\}$/, 'and a worker token of its own');
    assert.deepEqual(added.healthcheck, services.worker!.healthcheck);
    assert.deepEqual(added.depends_on, { 'temporal-namespace': { condition: 'service_completed_successfully' }, web: { condition: 'service_started' } });
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
