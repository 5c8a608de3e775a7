/** What every operator server action does first: the caller (operator or admin) and the client, or the readable reason why not. */
import 'server-only';
import type { SluiceClient } from 'sluice/client';
import { authorizeAction, type SessionUser } from './auth/guard';
import { readableError } from './readable-error';
import { getSluice } from './sluice.server';

export async function operatorAndClient(): Promise<{ user: SessionUser; client: SluiceClient } | { error: string }> {
  let user;
  try {
    user = await authorizeAction('operator');
  } catch (err) {
    return { error: (err as Error).message };
  }
  try {
    return { user, client: await getSluice() };
  } catch (err) {
    return { error: readableError(err, 'reach Temporal and the store') };
  }
}
