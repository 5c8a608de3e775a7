/** Channels an admin adds: the target and the secret are stored encrypted and never read back into a page. */
import type { Kysely } from 'kysely';
import type { Database } from '../store';
import { channelProblem, ChannelConfigError, mailtoChannel, type ChannelConfig, type ChannelKind } from './channels';
import type { SecretBox } from './secrets';

/** A stored channel as a page may show it: no target, no secret. */
export interface ChannelListing {
  id: number;
  name: string;
  kind: ChannelKind;
  hasSecret: boolean;
  createdAt: number;
}

/** Adds a channel; throws ChannelConfigError when it is unusable or its name is taken. */
export async function addChannel(db: Kysely<Database>, box: SecretBox, channel: ChannelConfig, now = Date.now()): Promise<void> {
  const problem = channelProblem(channel);
  if (problem) throw new ChannelConfigError(problem);
  const taken = await db.selectFrom('notification_channels').select('id').where('name', '=', channel.name).executeTakeFirst();
  if (taken) throw new ChannelConfigError(`A channel named ${channel.name} exists already: delete it first to replace it.`);
  await db
    .insertInto('notification_channels')
    .values({
      name: channel.name,
      kind: channel.kind,
      target_encrypted: box.seal(channel.target),
      secret_encrypted: channel.secret ? box.seal(channel.secret) : null,
      created_at: now,
    })
    .execute();
}

export async function deleteChannel(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom('notification_channels').where('id', '=', id).execute();
}

export async function listChannels(db: Kysely<Database>): Promise<ChannelListing[]> {
  const rows = await db.selectFrom('notification_channels').select(['id', 'name', 'kind', 'secret_encrypted', 'created_at']).orderBy('name').execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name, kind: r.kind as ChannelKind, hasSecret: r.secret_encrypted !== null, createdAt: Number(r.created_at) }));
}

/** The stored channel named `name`, decrypted for sending; undefined when there is none. */
export async function loadChannel(db: Kysely<Database>, box: SecretBox, name: string): Promise<ChannelConfig | undefined> {
  const row = await db.selectFrom('notification_channels').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) return undefined;
  return {
    name: row.name,
    kind: row.kind as ChannelKind,
    target: box.open(row.target_encrypted),
    ...(row.secret_encrypted ? { secret: box.open(row.secret_encrypted) } : {}),
  };
}

/**
 * The channel a rule names: from the environment, a mailto: address, or stored by an admin (decrypted with
 * `secrets`). Throws ChannelConfigError saying where to add it when there is none.
 */
export async function findChannel(db: Kysely<Database>, settings: { channels: ChannelConfig[]; secrets: SecretBox | null }, name: string): Promise<ChannelConfig> {
  const found =
    settings.channels.find((c) => c.name === name) ??
    mailtoChannel(name) ??
    (settings.secrets ? await loadChannel(db, settings.secrets, name) : undefined);
  if (!found) {
    throw new ChannelConfigError(
      `No channel named ${name}: add it on the Notifications page${settings.secrets ? '' : ' (set SLUICE_SECRET_KEY first)'} or set SLUICE_CHANNEL_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}.`,
    );
  }
  return found;
}
