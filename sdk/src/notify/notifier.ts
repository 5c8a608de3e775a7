/**
 * The notifier: every few seconds the process holding the lease starts the runs `after` triggers call for
 * (fire-triggers.ts), reads Temporal for new events, records
 * them in the outbox (once per rule, channel, run and event), groups them into one message per rule and
 * channel, and sends what is due — several sends at once, each within its timeout — retrying failures with
 * backoff. Any number of processes may run it: the lease keeps the work to one, and should it lapse (a long
 * look-up, a paused process), the outbox still groups an event into one message and sends a message once.
 *
 * @example
 * const notifier = new Notifier({ client, ...notifierSettingsFromEnv(process.env) });
 * notifier.start();            // … and on shutdown:
 * await notifier.stop();
 */
import { randomUUID } from 'node:crypto';
import type { SluiceClient } from '../client/sluice-client';
import { findChannel } from './channel-store';
import type { ChannelConfig } from './channels';
import { Detector, type Found } from './detect';
import { fireAfterTriggers } from './fire-triggers';
import { buildMessage } from './messages';
import { readState, releaseLease, takeLease, writeState } from './notifier-state';
import { eachLimited } from './each-limited';
import { claimDelivery, deleteEmptyDelivery, dueDeliveries, eventKey, eventsOfDelivery, groupEvents, knownEvents, markAttemptFailed, markSent, recordEvents, type Delivery, type NewEvent } from './outbox';
import { listRules } from './rules';
import type { SecretBox } from './secrets';
import { send, type MailSettings } from './send';

export interface NotifierSettings {
  /** Channels from the environment (SLUICE_CHANNEL_*); an admin's stored channels are read from the store. */
  channels: ChannelConfig[];
  mail: MailSettings;
  /** The web app's URL, for links to run pages (SLUICE_PUBLIC_URL, else NEXTAUTH_URL). */
  publicUrl: string | null;
  /** Decrypts stored channels; null when no key is set (then only environment and mailto: channels work). */
  secrets: SecretBox | null;
  /** Webhooks may go to loopback and link-local addresses (SLUICE_WEBHOOK_ALLOW_LOCAL=true); off by default. */
  allowLocalWebhooks: boolean;
}

export interface NotifierOptions extends NotifierSettings {
  client: SluiceClient;
  /** Time between ticks. Default 15 s. */
  intervalMs?: number;
  /** How long a rule's events must have been quiet before they go out as one message. Default 10 s. */
  groupWindowMs?: number;
  /** The longest an event waits for its group to go quiet. Default 5 min. */
  groupMaxWaitMs?: number;
  /** How far before the cursor each visibility query reaches, for runs visibility lists late. Default 2 min. */
  overlapMs?: number;
  /** How long the lease lasts without renewal (a crashed holder is replaced after it). Default 60 s. */
  leaseMs?: number;
  /** Attempts per delivery before it is marked failed. Default 8. */
  maxAttempts?: number;
  /** Longest one send may take (per message and channel), connecting included. Default 15 s. */
  sendTimeoutMs?: number;
  /** Messages sent at once, so a channel that hangs delays no other. Default 8. */
  sendsAtOnce?: number;
  /** First retry after this; doubles each attempt up to retryMaxMs. Defaults 30 s and 1 h. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Where the first tick of a fresh store starts looking. Default: now (runs closed before are not told). */
  since?: Date;
  /** Lines about what was sent and what failed. Default: none. */
  log?: (line: string) => void;
}

export interface TickReport {
  /** False when another process holds the lease (or took it over during this tick, which then stopped). */
  leader: boolean;
  recorded: number;
  grouped: number;
  sent: number;
  failed: number;
  /** Runs started by `after` triggers (fire-triggers.ts). */
  fired: number;
}

const CURSOR = 'cursor';

/** Thrown inside a tick when another process has taken the lease over: the tick stops, the other goes on. */
class LeaseLost extends Error {}

export class Notifier {
  readonly holder = `notifier-${randomUUID()}`;
  private readonly detector: Detector;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly options: NotifierOptions) {
    this.detector = new Detector(options.client, options.publicUrl?.replace(/\/+$/, '') ?? null);
  }

  private get db() {
    return this.options.client.store.db;
  }

  /** Ticks every `intervalMs` until `stop()`; a failing tick is logged and the next one tries again. */
  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((err) => this.options.log?.(`notifier: tick failed: ${(err as Error).message}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs ?? 15_000);
        });
    };
    loop();
  }

  /** Stops ticking, waits for the current tick, and releases the lease so another process takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await releaseLease(this.db, this.holder);
  }

  /** One round: take the lease, find and record events, group them, send what is due. */
  async tick(now = Date.now()): Promise<TickReport> {
    const report: TickReport = { leader: false, recorded: 0, grouped: 0, sent: 0, failed: 0, fired: 0 };
    const leaseMs = this.options.leaseMs ?? 60_000;
    this.leaseLost = false;
    let heartbeat: NodeJS.Timeout | undefined;
    try {
      await this.keepLease(now);
      report.leader = true;
      // Renewed while the tick works, so a long look-up does not let the lease lapse under it.
      heartbeat = setInterval(() => {
        takeLease(this.db, this.holder, leaseMs).then((held) => (this.leaseLost ||= !held), () => undefined);
      }, leaseMs / 3);
      report.fired = await fireAfterTriggers(this.options.client, { now, overlapMs: this.options.overlapMs ?? 120_000, since: this.options.since?.getTime(), log: this.options.log });
      await this.keepLease();
      report.recorded = await this.findEvents(now);
      await this.keepLease();
      const { groupWindowMs = 10_000, groupMaxWaitMs } = this.options;
      report.grouped = (await groupEvents(this.db, (events) => buildMessage(events).subject, Date.now(), groupWindowMs, groupMaxWaitMs)).length;
      await this.keepLease();
      return { ...report, ...(await this.sendDue()) };
    } catch (err) {
      if (err instanceof LeaseLost) return { ...report, leader: false };
      throw err;
    } finally {
      clearInterval(heartbeat);
    }
  }

  private leaseLost = false;

  /** Takes or renews the lease; throws LeaseLost when another process holds it (or took it during this tick). */
  private async keepLease(now = Date.now()): Promise<void> {
    if (this.leaseLost || !(await takeLease(this.db, this.holder, this.options.leaseMs ?? 60_000, now))) throw new LeaseLost();
  }

  private async findEvents(now: number): Promise<number> {
    const cursorText = await readState(this.db, CURSOR);
    const cursor = cursorText ? Number(cursorText) : (this.options.since?.getTime() ?? now);
    const [rules, flows] = await Promise.all([listRules(this.db), this.options.client.store.listFlows()]);
    if (rules.length === 0) {
      // Nothing to tell anyone: no visibility queries (every web app runs a notifier by default).
      await writeState(this.db, CURSOR, String(now));
      return 0;
    }
    const catalog = new Map(flows.map((f) => [f.name, f]));
    const pairs = (f: Found) => f.rules.flatMap((r) => r.channels.map((c) => eventKey(r.key, c, f.runKey, f.detail.event)));
    const knownOf = async (runKeys: string[]) => {
      const known = await knownEvents(this.db, runKeys);
      return (f: Found) => pairs(f).every((k) => known.has(k));
    };
    let recorded = 0;
    // Each page of events is recorded as soon as it is read, under a renewed lease: a burst of thousands of
    // runs is recorded in steps, and what one tick recorded is not looked up again by the next.
    const record = async (found: Found[]) => {
      await this.keepLease();
      const events: NewEvent[] = found.flatMap((f) => f.rules.flatMap((rule) => rule.channels.map((channel) => ({ ruleKey: rule.key, channel, runKey: f.runKey, detail: f.detail }))));
      // Stamped when recorded, not when the tick began: a group stays open while a long look-up still adds to it.
      recorded += await recordEvents(this.db, events, Date.now());
    };
    await this.detector.closed(cursor - (this.options.overlapMs ?? 120_000), catalog, rules, knownOf, record);
    await record(await this.detector.longRunning(now, catalog, rules));
    await record(await this.detector.late(now, catalog, rules));
    await record(await this.detector.asked(catalog, rules));
    await this.detector.saveOutcomes();
    await writeState(this.db, CURSOR, String(now));
    return recorded;
  }

  /** Sends the due messages, several at once, each within `sendTimeoutMs`; each is claimed first, so none goes out twice. */
  private async sendDue(): Promise<{ sent: number; failed: number }> {
    const timeoutMs = this.options.sendTimeoutMs ?? 15_000;
    const outcomes = await eachLimited(await dueDeliveries(this.db), this.options.sendsAtOnce ?? 8, async (delivery) => {
      // Claimed until well past the timeout: should this process die mid-send, the message is due again then.
      if (!(await claimDelivery(this.db, delivery, Date.now() + 2 * timeoutMs + 10_000))) return undefined;
      return this.sendOne(delivery, timeoutMs);
    });
    return { sent: outcomes.filter((o) => o === 'sent').length, failed: outcomes.filter((o) => o === 'failed').length };
  }

  private async sendOne(delivery: Delivery, timeoutMs: number): Promise<'sent' | 'failed' | undefined> {
    const { maxAttempts = 8, retryBaseMs = 30_000, retryMaxMs = 3_600_000 } = this.options;
    try {
      const events = await eventsOfDelivery(this.db, delivery.id);
      if (events.length === 0) {
        await deleteEmptyDelivery(this.db, delivery.id);
        return undefined;
      }
      const channel = await findChannel(this.db, this.options, delivery.channel);
      const message = buildMessage(events);
      await send(channel, message, { id: delivery.id, rule: delivery.ruleKey }, this.options.mail, { timeoutMs, allowLocalWebhooks: this.options.allowLocalWebhooks });
      await markSent(this.db, delivery.id);
      this.options.log?.(`notifier: sent #${delivery.id} to ${delivery.channel}: ${message.subject}`);
      return 'sent';
    } catch (err) {
      const attempts = delivery.attempts + 1;
      const retryIn = attempts >= maxAttempts ? null : Math.min(retryBaseMs * 2 ** (attempts - 1), retryMaxMs);
      await markAttemptFailed(this.db, delivery.id, (err as Error).message, retryIn);
      this.options.log?.(`notifier: delivery #${delivery.id} to ${delivery.channel} failed (attempt ${attempts}${retryIn === null ? ', giving up' : ''}): ${(err as Error).message}`);
      return 'failed';
    }
  }
}
