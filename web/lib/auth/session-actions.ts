'use server';
// "Log out everywhere" for the logged-in user: every session of theirs ends, on every device.
import { getStore } from '../sluice.server';
import { authorizeAction } from './guard';
import { endUserSessions } from './users';

export async function logOutEverywhere(): Promise<{ error?: string }> {
  let me;
  try {
    me = await authorizeAction('viewer');
  } catch (err) {
    return { error: (err as Error).message };
  }
  await endUserSessions((await getStore()).db, Number(me.id));
  return {};
}
