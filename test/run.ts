// `npm test [-- FILE|DIR ... --node-test-flag ...]`: starts ONE Temporal dev server and ONE PostgreSQL
// for the whole suite (or reuses TEMPORAL_ADDRESS / SLUICE_TEST_DATABASE_URL when already set), builds the
// web app if its sources changed, runs the test files two at a time with Node's test runner, stops the
// servers, exits with the runner's code.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { connect, ensureSearchAttributes } from 'sluice/internal/temporal';
import { startDevServer, type DevServer } from 'sluice/internal/dev';
import { startPostgres, type Postgres } from '../scripts/postgres';
import { buildWebApp } from '../scripts/web-build';

const root = resolve(__dirname, '..');
const say = (message: string) => process.stderr.write(`[test/run] ${message}\n`);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(path);
      return entry.name.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

/** A file that serves the web app (the test harness, `npm start`) needs its production build. */
const usesWebApp = (file: string) => /startWebApp|buildWebApp|npmStart|scripts\/start/.test(readFileSync(file, 'utf8'));

// Arguments starting with "-" go to `node --test`; the rest name test files or directories.
function parseArgs(args: string[]): { files: string[]; nodeFlags: string[] } {
  const nodeFlags = args.filter((a) => a.startsWith('-'));
  const paths = args.filter((a) => !a.startsWith('-'));
  const files = (paths.length > 0 ? paths : [join(root, 'test')]).flatMap((p) => {
    const path = resolve(p);
    if (!existsSync(path)) throw new Error(`No such test file or directory: ${p}`);
    return statSync(path).isDirectory() ? testFiles(path) : [path];
  });
  return { files, nodeFlags };
}

async function main(): Promise<number> {
  const { files, nodeFlags } = parseArgs(process.argv.slice(2));
  if (files.length === 0) {
    say('no *.test.ts files found');
    return 1;
  }

  const tmp = process.env.SLUICE_TEST_TMP ?? mkdtempSync(join(tmpdir(), 'sluice-test-'));
  mkdirSync(tmp, { recursive: true });
  let temporal: DevServer | undefined;
  let postgres: Postgres | undefined;
  let exitCode = 1;
  let runner: ReturnType<typeof spawn> | undefined;
  let interrupted = false;
  // Ctrl-C reaches the runner too (same process group); we only have to clean up after it.
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    runner?.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const started = Date.now();
    // All at once (the servers take about a second each, a build a minute); if one fails, the others are still
    // stopped below.
    const [t, p, w] = await Promise.allSettled([
      process.env.TEMPORAL_ADDRESS ? undefined : startDevServer({ logFile: join(tmp, 'temporal.log'), uiPublicPath: '/temporal' }),
      process.env.SLUICE_TEST_DATABASE_URL ? undefined : startPostgres(),
      // Once, before any file runs: a file that needed it would build it while the other file runs beside it,
      // and both would crawl (a minute of next build on 2 cores).
      files.some(usesWebApp) ? buildWebApp() : 0, // quiet; a failure's error carries next build's output
    ]);
    temporal = t.status === 'fulfilled' ? t.value : undefined;
    postgres = p.status === 'fulfilled' ? p.value : undefined;
    if (t.status === 'rejected') throw t.reason;
    if (p.status === 'rejected') throw p.reason;
    if (w.status === 'rejected') throw w.reason;
    if (w.value) say(`built the web app in ${(w.value / 1000).toFixed(0)} s (web/, sdk/ or package-lock.json changed since the last build)`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal?.address ?? process.env.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: temporal?.namespace ?? (process.env.TEMPORAL_NAMESPACE || 'default'),
      // Served at /temporal, as the web app forwards it (TEMPORAL_UI_UPSTREAM in test/web/harness.ts).
      TEMPORAL_WEB_URL: temporal?.uiUrl ?? (process.env.TEMPORAL_WEB_URL || 'http://127.0.0.1:8233/temporal'),
      SLUICE_TEST_DATABASE_URL: postgres?.url ?? process.env.SLUICE_TEST_DATABASE_URL,
      SLUICE_TEST_TMP: tmp,
    };
    if (!temporal) {
      // A server we did not start may predate Sluice's search attributes; tests rely on them.
      const connection = await connect({ address: env.TEMPORAL_ADDRESS! });
      try {
        await ensureSearchAttributes(connection, env.TEMPORAL_NAMESPACE!);
      } finally {
        await connection.close();
      }
    }
    say(`Temporal ${env.TEMPORAL_ADDRESS} (${temporal ? 'started' : 'reused'}; Web ${env.TEMPORAL_WEB_URL}), ` +
      `PostgreSQL ${env.SLUICE_TEST_DATABASE_URL} (${postgres ? 'started' : 'reused'}) in ${Date.now() - started} ms`);
    say(`temporary files${temporal ? ' and temporal.log' : ''} in ${tmp} (kept if a test fails); ${files.length} test file(s)`);
    if (interrupted) return 130;

    if (process.stdout.isTTY && !env.NO_COLOR) env.FORCE_COLOR ??= '1';
    const args = [
      '--import', 'tsx', '--test', '--test-reporter=spec',
      // Two files at a time: most of a file's time is waiting (for Temporal, a browser, a worker), so on 2 cores
      // the serial suite used about half the CPU. Files share the two servers, so each keeps to names of its own.
      '--test-concurrency=2',
      // A file whose tests are done but which keeps a handle open (a forgotten connection) would
      // otherwise hang the whole suite; a hung test fails after 10 minutes for the same reason.
      '--test-force-exit', '--test-timeout=600000',
      ...nodeFlags,
      ...files.map((f) => relative(process.cwd(), f) || f),
    ];
    runner = spawn(process.execPath, args, { env, stdio: ['inherit', 'pipe', 'inherit'] });
    exitCode = await relayAndSummarise(runner);
  } catch (err) {
    say(`failed: ${(err as Error).stack ?? err}`);
    exitCode = 1;
  } finally {
    await Promise.allSettled([temporal?.stop(), postgres?.stop()]);
    if (exitCode === 0 && !process.env.SLUICE_TEST_TMP) rmSync(tmp, { recursive: true, force: true });
  }
  return interrupted && exitCode === 0 ? 130 : exitCode;
}

// The spec reporter ends with "ℹ pass N" lines; tools and people grep for the TAP form "# pass N",
// so the same numbers are repeated in that form as the very last lines.
async function relayAndSummarise(runner: ReturnType<typeof spawn>): Promise<number> {
  const summary = new Map<string, string>();
  const lines = createInterface({ input: runner.stdout!, crlfDelay: Infinity });
  lines.on('line', (line) => {
    process.stdout.write(line + '\n');
    // eslint-disable-next-line no-control-regex
    const match = /^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) (\S+)$/.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
    if (match) summary.set(match[1], match[2]);
  });
  const code = await new Promise<number>((done) => runner.once('close', (c, signal) => done(c ?? (signal ? 128 : 1))));
  for (const [key, value] of summary) process.stdout.write(`# ${key} ${value}\n`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    say(`failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
