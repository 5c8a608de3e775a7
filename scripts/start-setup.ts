/**
 * What `npm start` (scripts/start.ts) does once before it starts anything, in a short-lived process of its own:
 * read the settings, check the ports, migrate the store, make the worker token and the first admin. These need
 * the store's and the web app's code, which the supervisor, running for days, is better without (tens of MB).
 * Run as `node --import tsx scripts/start-setup.ts '["queue", ...]'` (the Python workers' task queues); its last
 * line on stdout is the JSON of a SetupResult.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isPortFree } from 'sluice/internal/dev';
import { migrateStore, openStore, storeUrlFromEnv } from 'sluice/internal/store';
import { withoutTemporalSecurity } from 'sluice/internal/temporal';
import { workerConfigFromEnv } from 'sluice/internal/worker';
import { ensureFirstAdmin, firstAdminMessage } from '../web/lib/auth/first-admin';
import { EnvError, parseEnv } from '../web/lib/env';
import { ensureWorkerToken } from './worker-token';

const root = resolve(__dirname, '..');

export type SetupResult =
  | {
      ok: true;
      dataDir: string;
      ports: { temporal: number; ui: number; web: number };
      /** web/ exists, and whether to start it. */
      webPresent: boolean;
      startWeb: boolean;
      /** Said before Temporal starts: how the store was found. */
      store: string;
      /** The worker's task queue. */
      taskQueue: string;
      /** Variables the children must not get (TLS settings and an API key meant for another Temporal). */
      dropEnv: string[];
      /** With the web app: its NEXTAUTH_SECRET, the workers' token, and how to log in (said at the end). */
      web?: { secret: string; workerToken: string; logIn: string };
    }
  | { ok: false; settings: boolean; message: string };

const port = z.coerce.number().int().min(1).max(65535);
const settingsSchema = z.object({
  SLUICE_DATA_DIR: z.string().trim().min(1).default('./data'),
  SLUICE_TEMPORAL_PORT: port.default(7233),
  SLUICE_TEMPORAL_UI_PORT: port.default(8233),
  SLUICE_WEB_PORT: port.default(3000),
  // "false" runs Temporal and the worker only (the web app served some other way, or not at all).
  SLUICE_START_WEB: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
});

async function setup(pythonQueues: string[]): Promise<SetupResult> {
  const settings = settingsSchema.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
  if (!settings.success) {
    const lines = settings.error.issues.map((i) => `  ${i.path.join('.')}=${process.env[String(i.path[0])]}: ${i.message}`);
    return { ok: false, settings: true, message: `Invalid settings in the environment:\n${lines.join('\n')}` };
  }
  const config = settings.data;
  const dataDir = resolve(config.SLUICE_DATA_DIR);
  const webPresent = existsSync(join(root, 'web')) && readdirSync(join(root, 'web')).some((f) => f.startsWith('next.config.'));
  const startWeb = webPresent && config.SLUICE_START_WEB;
  const ports = { temporal: config.SLUICE_TEMPORAL_PORT, ui: config.SLUICE_TEMPORAL_UI_PORT, web: config.SLUICE_WEB_PORT };

  mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...withoutTemporalSecurity(process.env), SLUICE_DATA_DIR: dataDir };
  // The web app's own check of its settings (web/lib/env.ts), made before anything starts: a wrong one is said here
  // in a line, not from inside the web app's build once Temporal and the worker are up.
  const secret = startWeb ? webSecret(dataDir) : undefined;
  if (secret) {
    try {
      parseEnv({ ...env, NODE_ENV: 'production', NEXTAUTH_SECRET: secret, TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}` });
    } catch (err) {
      if (err instanceof EnvError) return { ok: false, settings: true, message: err.message };
      throw err;
    }
  }
  await requireFreePorts(ports, startWeb);
  // Before anything starts: the worker and the Python workers only check the schema (the web app would migrate
  // too, but starts last).
  const storeUrl = storeUrlFromEnv(env);
  const { where, migrated, applied } = await migrateStore(storeUrl);
  const { taskQueue } = workerConfigFromEnv(env);
  const result: SetupResult = {
    ok: true,
    dataDir,
    ports,
    webPresent,
    startWeb,
    store: `store ${where}: ${migrated.length ? `migrated to ${applied.at(-1)}` : `up to date (${applied.at(-1)})`}`,
    taskQueue,
    dropEnv: Object.keys(process.env).filter((k) => !(k in env)),
  };
  if (secret) {
    result.web = {
      secret,
      // The Python tasks' lines belong to runs of the worker's flows, so one token serves the queues of both.
      workerToken: await ensureWorkerToken(storeUrl, dataDir, [taskQueue, ...pythonQueues]),
      logIn: await firstLogIn(storeUrl),
    };
  }
  return result;
}

async function requireFreePorts(ports: { temporal: number; ui: number; web: number }, startWeb: boolean): Promise<void> {
  const wanted: [string, string, number][] = [
    ['Temporal', 'SLUICE_TEMPORAL_PORT', ports.temporal],
    ['Temporal Web', 'SLUICE_TEMPORAL_UI_PORT', ports.ui],
  ];
  if (startWeb) wanted.push(['the web app', 'SLUICE_WEB_PORT', ports.web]);
  for (const [what, variable, p] of wanted) {
    if (!(await isPortFree(p))) {
      throw new Error(
        `Port ${p} (for ${what}) is already in use on 127.0.0.1 - is another \`npm start\` or Temporal running? ` +
          `Stop it, or choose another port with ${variable}=...`,
      );
    }
  }
}

/**
 * The web app's NEXTAUTH_SECRET when the environment sets none: made once per data directory (its
 * sessions then outlive a restart) and kept there, readable by this user only.
 */
function webSecret(dataDir: string): string {
  if (process.env.NEXTAUTH_SECRET?.trim()) return process.env.NEXTAUTH_SECRET.trim();
  const file = join(dataDir, 'web-secret');
  try {
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * How to log in: on a fresh data folder the first admin is created here (the web app would do the same at
 * its start-up), and its password is shown this once.
 */
async function firstLogIn(storeUrl: string): Promise<string> {
  const store = await openStore(storeUrl);
  try {
    const admin = await ensureFirstAdmin(store.db, {
      email: (process.env.SLUICE_ADMIN_EMAIL?.trim() || 'admin@localhost').toLowerCase(),
      password: process.env.SLUICE_ADMIN_PASSWORD?.trim() || null,
    });
    return admin.created
      ? firstAdminMessage(admin).trim().replace(/^\[sluice\] /, '  ')
      : '  log in        with your user (add one: npm run user -- add EMAIL --role admin)';
  } finally {
    await store.close();
  }
}

setup(JSON.parse(process.argv[2] ?? '[]') as string[])
  .catch((err: Error): SetupResult => ({ ok: false, settings: false, message: err.message }))
  .then((result) => {
    process.stdout.write(`\n${JSON.stringify(result)}\n`);
    process.exit(0);
  });
