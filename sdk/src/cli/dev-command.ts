import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, statSync, watch } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDevServer, type DevServer } from '../dev/dev-server';
import { SLUICE_BIN } from '../dev/sluice-bin';
import { migrateStore } from '../store/open-store';
import { storeUrlFromEnv } from '../store/store-url';
import { withoutTemporalSecurity } from '../temporal/connection';
import { workerConfigFromEnv } from '../worker/config';
import { EXIT, UsageError, type Command } from './usage';

export const devCommand: Command = {
  summary: 'one command for a developer: a local Temporal and this repository\'s worker, restarted on changes',
  help: `Usage: sluice dev [--port N] [--ui-port N] [--no-watch]

Starts an embedded Temporal dev server (its state in .sluice/temporal.db) and this repository's worker
(\`sluice worker\`), and restarts the worker when a file under workflows/ or activities/ changes.
With TEMPORAL_ADDRESS set it starts no server and joins that one instead — e.g. the Temporal of a
running Sluice (\`npm start\` in Sluice's own checkout), whose web app then lists this repository's flows
when both use the same DATABASE_URL. Ctrl-C stops the worker, then the server.

Options:
  --port N        the dev server's frontend port [SLUICE_TEMPORAL_PORT, default 7233]
  --ui-port N     Temporal Web's port, on 127.0.0.1 [SLUICE_TEMPORAL_UI_PORT, default 8233]
  --no-watch      do not restart the worker on changes

Environment: SLUICE_TASK_QUEUE (default: package.json "sluice.taskQueue"), SLUICE_WORKFLOWS, SLUICE_ACTIVITIES, DATABASE_URL (default
sqlite:./data/sluice.db), SLUICE_WEB_URL (the Sluice web app to link to).`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { port: { type: 'string' }, 'ui-port': { type: 'string' }, 'no-watch': { type: 'boolean' } },
    });
    const port = portOf('--port', values.port ?? process.env.SLUICE_TEMPORAL_PORT ?? '7233');
    const uiPort = portOf('--ui-port', values['ui-port'] ?? process.env.SLUICE_TEMPORAL_UI_PORT ?? '8233');
    const config = workerConfigFromEnv(); // checks the settings before anything starts
    const storeUrl = storeUrlFromEnv();
    // The developer's own store: brought up to date here, since the worker only checks it (as in production).
    const { where, migrated } = await migrateStore(storeUrl);
    if (migrated.length) say(`store ${where}: migrated (${migrated.join(', ')})`);

    let server: DevServer | undefined;
    let address = process.env.TEMPORAL_ADDRESS;
    if (address) {
      say(`joining Temporal at ${address} (TEMPORAL_ADDRESS)`);
    } else {
      mkdirSync('.sluice', { recursive: true });
      server = await startDevServer({ dbFile: path.resolve('.sluice/temporal.db'), port, uiPort, logFile: path.resolve('.sluice/temporal.log') });
      address = server.address;
      say(`Temporal dev server on ${server.address}, Temporal Web on ${server.uiUrl}`);
    }
    const webUrl = process.env.SLUICE_WEB_URL;
    say(
      webUrl
        ? `Sluice web app: ${webUrl}`
        : `Sluice web app: run it with TEMPORAL_ADDRESS=${address} DATABASE_URL=${storeUrl} (or set SLUICE_WEB_URL to link one)`,
    );

    // Its own dev server speaks plain gRPC: TLS settings and an API key meant for another Temporal stay out.
    const env = { ...(server ? withoutTemporalSecurity(process.env) : process.env), TEMPORAL_ADDRESS: address, DATABASE_URL: storeUrl };
    let worker: ChildProcess | undefined;
    let stopping = false;
    let restarting = false; // a restart's own stop is not "the worker exited"
    const startWorker = () => {
      worker = spawn(process.execPath, [SLUICE_BIN, 'worker'], { env, stdio: 'inherit' });
      worker.once('exit', (code, signal) => {
        if (!stopping && !restarting) say(`the worker exited (${code ?? signal}); it starts again when you save a file`);
      });
    };
    const restart = async () => {
      restarting = true;
      await stopChild(worker);
      restarting = false;
      if (!stopping) startWorker();
    };
    startWorker();

    const watchers = values['no-watch']
      ? []
      : [config.workflowsPath, config.activitiesPath].map((dir) => {
          let timer: NodeJS.Timeout | undefined;
          return watch(folderOf(dir), { recursive: true }, () => {
            clearTimeout(timer);
            timer = setTimeout(() => {
              say('a file changed: restarting the worker');
              void restart();
            }, 300);
          });
        });

    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    stopping = true;
    for (const w of watchers) w.close();
    await stopChild(worker);
    await server?.stop();
    return EXIT.ok;
  },
};

function say(line: string): void {
  console.log(`[sluice dev] ${line}`);
}

function portOf(flag: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`${flag}: ${JSON.stringify(value)} is not a port number (1-65535)`);
  return port;
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 35_000);
  await exited;
  clearTimeout(timer);
}

/** The folder to watch for a module path: the folder itself (`workflows`), or the folder holding the file. */
function folderOf(modulePath: string): string {
  return existsSync(modulePath) && statSync(modulePath).isDirectory() ? modulePath : path.dirname(modulePath);
}
