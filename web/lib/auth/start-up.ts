/**
 * What the web app checks once when its server starts (called from web/instrumentation.ts): the settings
 * are valid (a production server without NEXTAUTH_SECRET refuses to start), the store opens, and a fresh
 * install gets its first admin.
 */
import { EnvError, getEnv } from '../env';
import { getStore } from '../sluice.server';
import { decideForwardedHeaders } from './client-address';
import { ensureFirstAdmin, firstAdminMessage } from './first-admin';

export async function startUp(): Promise<void> {
  let env;
  try {
    env = getEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`\n[sluice] ${err.message}\n`);
      // Serving with a broken configuration (no secret: forgeable sessions) is worse than not serving.
      process.exit(1);
    }
    throw err;
  }
  decideForwardedHeaders(env.proxyTrust);
  try {
    const store = await getStore();
    const result = await ensureFirstAdmin(store.db, env.firstAdmin);
    if (result.created) console.log(firstAdminMessage(result));
  } catch (err) {
    console.error(`\n[sluice] The store could not be opened: ${(err as Error).message}\n`);
    if (env.production) process.exit(1);
  }
}
