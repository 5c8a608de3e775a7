/**
 * API tokens for programs (a team's Python scripts): `Authorization: Bearer slc_…`. Created by admins,
 * shown once, stored only as a SHA-256 hash (a token is 256 random bits, so a fast hash is enough —
 * unlike passwords, it cannot be guessed from a dictionary), revocable, `last_used_at` kept.
 */
import { createHash, randomBytes } from 'node:crypto';
import { checkRole, UserError, type AuthDb } from './users';
import type { Role } from './roles';

export const TOKEN_PREFIX = 'slc_';
const TOKEN_SHAPE = /^slc_[A-Za-z0-9_-]{43}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// Writing last_used_at on every request would make each API call a write; once a minute is as useful.
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  createdBy: number | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function toToken(row: {
  id: number; name: string; role: string; created_by: number | null; created_at: number; last_used_at: number | null; revoked_at: number | null;
}): ApiToken {
  return {
    id: Number(row.id),
    name: row.name,
    role: checkRole(row.role),
    createdBy: row.created_by === null ? null : Number(row.created_by),
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

/**
 * Creates a token; the returned `token` is the only time its secret exists in clear.
 *
 * @example const { token } = await createApiToken(store.db, { name: 'rainfall-etl', role: 'operator', createdBy: admin.id });
 */
export async function createApiToken(
  db: AuthDb,
  input: { name: string; role: Role; createdBy: number | null },
): Promise<{ token: string; apiToken: ApiToken }> {
  const name = input.name.trim();
  if (!NAME.test(name)) {
    throw new UserError(`'${input.name}' cannot name a token: use 1–64 letters, digits, dots, dashes or underscores, e.g. rainfall-etl.`);
  }
  const role = checkRole(input.role);
  const clash = await db.selectFrom('api_tokens').select('id').where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
  // Runs started by a token say `token:<name>`, so two live tokens must not share one.
  if (clash) throw new UserError(`A token named '${name}' already exists: revoke it first or pick another name.`);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  await db
    .insertInto('api_tokens')
    .values({ name, token_hash: hashToken(token), role, created_by: input.createdBy, created_at: Date.now(), last_used_at: null, revoked_at: null })
    .execute();
  const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
  return { token, apiToken: toToken(row) };
}

/** The live token a bearer secret belongs to (and notes its use), or undefined when unknown or revoked. */
export async function findActiveToken(db: AuthDb, token: string, now = Date.now()): Promise<ApiToken | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!row || row.revoked_at !== null) return undefined;
  const found = toToken(row);
  if (found.lastUsedAt === null || now - found.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', found.id).execute();
    found.lastUsedAt = now;
  }
  return found;
}

export async function listApiTokens(db: AuthDb): Promise<ApiToken[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc').execute();
  return rows.map(toToken);
}

/** Revokes a token at once; later requests with it get 401. Revoking twice is harmless. */
export async function revokeApiToken(db: AuthDb, id: number): Promise<void> {
  const row = await db.selectFrom('api_tokens').select(['id', 'revoked_at']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new UserError(`There is no API token #${id}: it may have been deleted; reload the page.`);
  if (row.revoked_at === null) await db.updateTable('api_tokens').set({ revoked_at: Date.now() }).where('id', '=', id).execute();
}
