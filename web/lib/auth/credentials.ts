/**
 * Checks an email and password for the log-in form, with lock-out. Returns the user, or throws
 * LoginError whose message the log-in page shows as it is (it never tells whether the email exists).
 */
import { clearFailures, failureDelayMs, lockedMessage, lockedUntil, recordFailure } from './lockout';
import { decoyHash, verifyPassword } from './passwords';
import { passwordHashOf, type AuthDb, type User } from './users';

export class LoginError extends Error {
  override name = 'LoginError';
}

export const WRONG_CREDENTIALS = 'Wrong email or password.';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function checkCredentials(db: AuthDb, rawEmail: string, password: string): Promise<User> {
  const email = rawEmail.trim().toLowerCase();
  if (!email || !password) throw new LoginError('Enter your email and password.');
  const now = Date.now();
  const until = await lockedUntil(db, email, now);
  if (until) throw new LoginError(lockedMessage(until, now));

  const found = await passwordHashOf(db, email);
  // Hash even for unknown emails so the answer takes as long either way.
  const ok = await verifyPassword(password, found?.hash ?? (await decoyHash()));
  if (ok && found && found.user.disabledAt === null) {
    await clearFailures(db, email);
    return found.user;
  }
  const failure = await recordFailure(db, email, now);
  await sleep(failureDelayMs(failure.failures));
  if (failure.lockedUntil) throw new LoginError(lockedMessage(failure.lockedUntil, now));
  if (ok && found?.user.disabledAt !== null) throw new LoginError('This account is disabled. Ask an admin to enable it.');
  throw new LoginError(WRONG_CREDENTIALS);
}
