/**
 * Checks an email and password for the log-in form, with lock-out (lockout.ts). Returns the user, or throws
 * LoginError whose message the log-in page shows as it is (it never tells whether the email exists).
 */
import { countAttempt, countSuccess, failureDelayMs, lockedMessage, LOCK_MS, overLimit } from './lockout';
import { decoyHash, verifyPassword } from './passwords';
import { passwordHashOf, type AuthDb, type User } from './users';
import { SluiceError } from 'sluice/internal/errors';

export class LoginError extends SluiceError {
  static override readonly code = 'login_failed';
  static override readonly kind = 'unauthorized';

  override name = 'LoginError';
}

export const WRONG_CREDENTIALS = 'Wrong email or password.';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CredentialsContext {
  /** The client's address group (client-address.ts addressGroup), which the limits count under. */
  address: string;
  /** The password check; tests pass a counting wrapper to see how many attempts reach it. */
  verify?: typeof verifyPassword;
}

export async function checkCredentials(db: AuthDb, rawEmail: string, password: string, context: CredentialsContext): Promise<User> {
  const email = rawEmail.trim().toLowerCase();
  if (!email || !password) throw new LoginError('Enter your email and password.');
  const { address, verify = verifyPassword } = context;
  const now = Date.now();
  // Counted first (lockout.ts): an attempt past a limit never reaches the password check.
  const fromAddress = await countAttempt(db, { address }, now);
  if (overLimit({ address }, fromAddress)) throw new LoginError(lockedMessage(fromAddress.lockedUntil ?? now + LOCK_MS, now, 'address'));
  const attempt = await countAttempt(db, { email, address }, now);
  if (overLimit({ email, address }, attempt)) throw new LoginError(lockedMessage(attempt.lockedUntil ?? now + LOCK_MS, now));

  const found = await passwordHashOf(db, email);
  // Hash even for unknown emails so the answer takes as long either way.
  const ok = await verify(password, found?.hash ?? (await decoyHash()));
  if (ok && found && found.user.disabledAt === null) {
    await countSuccess(db, email, address);
    return found.user;
  }
  await sleep(failureDelayMs(attempt.failures));
  if (attempt.lockedUntil) throw new LoginError(lockedMessage(attempt.lockedUntil, now));
  if (ok && found?.user.disabledAt !== null) throw new LoginError('This account is disabled. Ask an admin to enable it.');
  throw new LoginError(WRONG_CREDENTIALS);
}
