/**
 * Password hashing with Node's scrypt: slow and salted, no native dependency. The stored form carries
 * its own parameters (`scrypt$N$r$p$salt$hash`, base64url) so they can be raised later without
 * invalidating existing hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { SluiceError } from 'sluice/internal/errors';

const N = 16384; // 2^14: ~50 ms on a laptop core, the cost OWASP lists for scrypt with r=8, p=1 (at 2^17 it needs more memory than Node allows by default)
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

/** Shortest password `hashPassword` accepts. */
export const MIN_PASSWORD_LENGTH = 10;

/** Thrown by `hashPassword` for a password too weak to store; the message says what is needed. */
export class WeakPasswordError extends SluiceError {
  static override readonly code = 'weak_password';
  static override readonly kind = 'bad_request';

  override name = 'WeakPasswordError';
}

function derive(password: string, salt: Buffer, options: ScryptOptions, keyLength = KEY_LENGTH): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, { ...options, maxmem: MAX_MEMORY }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * Hashes a password for the users table.
 *
 * @example const hash = await hashPassword('correct horse battery'); // 'scrypt$16384$8$1$…$…'
 */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new WeakPasswordError(`The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * True when `password` matches `stored`. Anything that is not a scrypt hash (an SSO-only user's
 * placeholder, a corrupted value) never matches.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  if (!Number.isInteger(n) || !Number.isInteger(r) || !Number.isInteger(p) || expected.length === 0) return false;
  const key = await derive(password, salt, { N: n, r, p }, expected.length);
  return timingSafeEqual(key, expected);
}

/** A hash no password matches, for users who log in through single sign-on only. */
export const NO_PASSWORD = '!sso-only';

// Checked against when the email is unknown, so a wrong email costs as long as a wrong password
// (no telling which emails exist from the answer time).
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(18).toString('base64url'));
  return decoy;
}
