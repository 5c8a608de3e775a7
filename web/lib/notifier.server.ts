/**
 * Runs the notifier inside the web app's server (started from instrumentation.ts): the web app already has
 * the store, Temporal and its public URL. The store's lease keeps sending to one process however many
 * replicas run; SLUICE_NOTIFIER=off leaves it to another (e.g. `sluice notifier`).
 */
import 'server-only';
import { Notifier } from 'sluice/internal/notify';
import { getEnv } from './env';
import { getSluice } from './sluice.server';

const key = Symbol.for('sluice.web.notifier');
const RETRY_CONNECT_MS = 15_000;

export function startNotifier(): void {
  const env = getEnv();
  const holder = globalThis as Record<symbol, unknown>;
  if (!env.notifierEnabled || env.building || holder[key]) return;
  holder[key] = true;
  const begin = async () => {
    try {
      const notifier = new Notifier({ client: await getSluice(), ...env.notifications, log: (line) => console.log(`[sluice] ${line}`) });
      notifier.start();
      // No signal handlers (Next owns them): a stopped server's lease simply expires and another takes over.
      holder[key] = notifier;
    } catch (err) {
      // Temporal not up yet: the pages say so; the notifier tries again.
      console.warn(`[sluice] notifier: cannot connect yet (${(err as Error).message}); trying again in ${RETRY_CONNECT_MS / 1000} s`);
      setTimeout(begin, RETRY_CONNECT_MS).unref();
    }
  };
  void begin();
}
