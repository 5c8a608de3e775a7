/**
 * API tokens for programs (a team's Python scripts): `Authorization: Bearer slc_…`. Created by admins,
 * shown once, stored only as a SHA-256 hash (a token is 256 random bits, so a fast hash is enough —
 * unlike passwords, it cannot be guessed from a dictionary), revocable, optionally expiring after a number
 * of days, `last_used_at` kept.
 */
import { createHash, randomBytes } from 'node:crypto';
import { TOKEN_ROLES, type TokenRole } from 'sluice/internal/types';
import { UserError, type AuthDb } from './users';

export const TOKEN_PREFIX = 'slc_';
const TOKEN_SHAPE = /^slc_[A-Za-z0-9_-]{43}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// Writing last_used_at on every request would make each API call a write; once a minute is as useful.
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiToken {
  id: number;
  name: string;
  role: TokenRole;
  /** A worker token's task queues (the only ones whose runs and flows it may touch); null for other roles. */
  taskQueues: string[] | null;
  createdBy: number | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** From then on (epoch ms) the token is refused; null: it does not expire. */
  expiresAt: number | null;
}

/** Longest expiry a token can be given, in days (ten years); no expiry at all is also possible. */
export const MAX_EXPIRY_DAYS = 3650;
const DAY_MS = 86_400_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A task queue a worker token may name: what Temporal accepts, without spaces or commas (lists use them). */
const QUEUE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

export function checkTokenRole(role: string): TokenRole {
  if (!(TOKEN_ROLES as readonly string[]).includes(role)) throw new UserError(`'${role}' is not a token role: use one of ${TOKEN_ROLES.join(', ')}.`);
  return role as TokenRole;
}

/**
 * The task queues of a worker token, checked and deduplicated: at least one for `worker`, none for another role.
 *
 * @example checkTokenQueues('worker', ['hydrology', 'hydrology-py']) // ['hydrology', 'hydrology-py']
 */
export function checkTokenQueues(role: TokenRole, queues: readonly string[] | null | undefined): string[] | null {
  const list = [...new Set((queues ?? []).map((q) => q.trim()).filter((q) => q !== ''))];
  if (role !== 'worker') {
    if (list.length) throw new UserError(`Only a worker token names task queues; a ${role} token sees every run its role allows. Leave the queues empty or pick the worker role.`);
    return null;
  }
  if (list.length === 0) throw new UserError('A worker token needs the task queues its worker serves, e.g. hydrology: it may touch only their runs and flows.');
  const bad = list.find((q) => !QUEUE.test(q));
  if (bad !== undefined) throw new UserError(`'${bad.slice(0, 100)}' cannot name a task queue: use 1–200 letters, digits, dots, dashes, underscores, colons or slashes.`);
  return list.sort();
}

function toToken(row: {
  id: number; name: string; role: string; created_by: number | null; created_at: number; last_used_at: number | null; revoked_at: number | null;
  expires_at: number | null; task_queues: string | null;
}): ApiToken {
  return {
    id: Number(row.id),
    name: row.name,
    role: checkTokenRole(row.role),
    taskQueues: row.task_queues === null ? null : (JSON.parse(row.task_queues) as string[]),
    createdBy: row.created_by === null ? null : Number(row.created_by),
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

/**
 * Creates a token; the returned `token` is the only time its secret exists in clear. With `expiresInDays`
 * it is refused from that many days on (1 to MAX_EXPIRY_DAYS); without, it lasts until revoked. A `worker` token
 * names the task queues its worker serves (`taskQueues`).
 *
 * @example const { token } = await createApiToken(store.db, { name: 'rainfall-etl', role: 'operator', createdBy: admin.id, expiresInDays: 90 });
 * @example const { token } = await createApiToken(store.db, { name: 'hydrology-worker', role: 'worker', taskQueues: ['hydrology'], createdBy: admin.id });
 */
export async function createApiToken(
  db: AuthDb,
  input: { name: string; role: TokenRole; taskQueues?: readonly string[] | null; createdBy: number | null; expiresInDays?: number | null },
  now = Date.now(),
): Promise<{ token: string; apiToken: ApiToken }> {
  const name = input.name.trim();
  if (!NAME.test(name)) {
    throw new UserError(`'${input.name}' cannot name a token: use 1–64 letters, digits, dots, dashes or underscores, e.g. rainfall-etl.`);
  }
  const role = checkTokenRole(input.role);
  const taskQueues = checkTokenQueues(role, input.taskQueues);
  const days = input.expiresInDays ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_EXPIRY_DAYS)) {
    throw new UserError(`'${days}' cannot be a token's expiry: give a whole number of days from 1 to ${MAX_EXPIRY_DAYS}, or none for a token that does not expire.`);
  }
  const clash = await db.selectFrom('api_tokens').select('id').where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
  // Runs started by a token say `token:<name>`, so two live tokens must not share one.
  if (clash) throw new UserError(`A token named '${name}' already exists: revoke it first or pick another name.`);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  await db
    .insertInto('api_tokens')
    .values({
      name, token_hash: hashToken(token), role, created_by: input.createdBy, created_at: now, last_used_at: null, revoked_at: null,
      expires_at: days === null ? null : now + days * DAY_MS,
      task_queues: taskQueues === null ? null : JSON.stringify(taskQueues),
    })
    .execute();
  const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
  return { token, apiToken: toToken(row) };
}

/**
 * The token a bearer secret belongs to (and notes its use), or why it is refused, in words for the caller:
 * unknown, revoked or expired.
 */
export async function lookUpApiToken(db: AuthDb, token: string, now = Date.now()): Promise<{ token: ApiToken } | { refused: string }> {
  const unknown = { refused: 'This API token is unknown or revoked. Ask an admin for a new one.' };
  if (!TOKEN_SHAPE.test(token)) return unknown;
  const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!row || row.revoked_at !== null) return unknown;
  const found = toToken(row);
  if (found.expiresAt !== null && found.expiresAt <= now) {
    return { refused: `This API token ('${found.name}') expired on ${new Date(found.expiresAt).toISOString()}. Ask an admin for a new one.` };
  }
  if (found.lastUsedAt === null || now - found.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', found.id).execute();
    found.lastUsedAt = now;
  }
  return { token: found };
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
