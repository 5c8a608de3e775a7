/**
 * `npm start` (scripts/start.ts) as a user runs it, for tests: on free ports and a fresh data directory, its
 * output kept line by line. The caller stops it (`stop()`, e.g. in `after`); should the test process die
 * first, start.ts and its children go with it.
 *
 * @example
 * const started = await npmStart({ SLUICE_ADMIN_EMAIL: 'admin@x.test', SLUICE_ADMIN_PASSWORD: 'long-enough' });
 * await started.waitFor(/Press Ctrl-C to stop/, 480_000);
 * const web = `http://127.0.0.1:${started.ports.web}`;
 *
 * With `{ viaNpm: true }` it is `npm start` itself (its build step and npm's own process included: the whole
 * process tree a user starts, as bench/prefect measures it); otherwise start.ts directly, which is quicker.
 */
import { join } from 'node:path';
import { freePort, spawnManaged } from 'sluice/internal/dev';
import { freshTmpDir } from './env';

const root = join(__dirname, '..', '..');

export interface NpmStart {
  /** Every line start.ts printed so far (prefixed `[temporal]`, `[worker]`, `[web]`, …). */
  output: string[];
  exit: Promise<number | null>;
  /** Resolves at the first line matching `pattern`; rejects with the output after `timeoutMs` or if start.ts exits. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM (start.ts stops its children in order), SIGKILL after a minute. */
  stop(): Promise<void>;
  /** The process started: start.ts, or npm with start.ts below it. */
  pid: number;
  ports: { temporal: number; ui: number; web: number };
  dataDir: string;
}

/**
 * Starts it, on other ports again when a port chosen free was taken before start.ts checked it (another test file
 * beside this one may bind it in between: freePort's own caveat). start.ts checks its ports before anything else.
 */
export async function npmStart(extraEnv: Record<string, string>, dataDir = freshTmpDir('start-data'), options: { viaNpm?: boolean } = {}): Promise<NpmStart> {
  for (let attempt = 1; ; attempt++) {
    const started = await startOnce(extraEnv, dataDir, options.viaNpm ?? false);
    const past = await Promise.race([
      started.waitFor(/starting Temporal/, 60_000).then(() => true),
      started.exit.then(() => false),
    ]).catch(() => false);
    const portTaken = !past && started.output.some((l) => /is already in use/.test(l));
    if (!portTaken || attempt === 3) return started;
  }
}

async function startOnce(extraEnv: Record<string, string>, dataDir: string, viaNpm: boolean): Promise<NpmStart> {
  const ports = { temporal: await freePort(), ui: await freePort(), web: await freePort() };
  // Not the suite's Temporal: start.ts runs its own, so TEMPORAL_* must not leak in from the harness.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
  const output: string[] = [];
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  // spawnManaged: should this test process die, start.ts (and, through its own guards, its children) goes too.
  const [command, args] = viaNpm ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', join(root, 'scripts', 'start.ts')]];
  const child = spawnManaged(command, args, {
    cwd: root,
    env: {
      ...env,
      SLUICE_DATA_DIR: dataDir,
      SLUICE_TEMPORAL_PORT: String(ports.temporal),
      SLUICE_TEMPORAL_UI_PORT: String(ports.ui),
      SLUICE_WEB_PORT: String(ports.web),
      NEXT_TELEMETRY_DISABLED: '1',
      ...extraEnv,
    },
    onLine: (line) => {
      output.push(line);
      for (const w of waiters) if (w.pattern.test(line)) w.resolve();
    },
  });
  const exit = child.exited.then(({ code }) => code);
  const waitFor = (pattern: RegExp, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      if (output.some((l) => pattern.test(l))) return resolve();
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms. Output:\n${output.join('\n')}`)), timeoutMs);
      waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
      void exit.then((code) => (clearTimeout(timer), reject(new Error(`start.ts exited (${code}) before ${pattern}. Output:\n${output.join('\n')}`))));
    });
  return { output, exit, waitFor, kill: (signal) => child.process.kill(signal), stop: async () => void (await child.stop(60_000)), pid: child.pid, ports, dataDir };
}
