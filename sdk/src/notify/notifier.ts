/**
 * The notifier: every few seconds the process holding the lease reads Temporal for new events, records
 * them in the outbox (once per rule, channel, run and event), groups them into one message per rule and
 * channel, and sends what is due, retrying failures with backoff. Any number of processes may run it.
 *
 * @example
 * const notifier = new Notifier({ client, ...notifierSettingsFromEnv(process.env) });
 * notifier.start();            // … and on shutdown:
 * await notifier.stop();
 */
import { randomUUID } from 'node:crypto';
import type { SluiceClient } from '../client/sluice-client';
import { loadChannel } from './channel-store';
import { mailtoChannel, type ChannelConfig } from './channels';
import { Detector, type Found } from './detect';
import { buildMessage } from './messages';
import { readState, releaseLease, takeLease, writeState } from './notifier-state';
import { dueDeliveries, eventKey, eventsOfDelivery, groupEvents, knownEvents, markAttemptFailed, markSent, recordEvent } from './outbox';
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
}

export interface NotifierOptions extends NotifierSettings {
  client: SluiceClient;
  /** Time between ticks. Default 15 s. */
  intervalMs?: number;
  /** How long events wait to be grouped into one message. Default 10 s. */
  groupWindowMs?: number;
  /** How far before the cursor each visibility query reaches, for runs visibility lists late. Default 2 min. */
  overlapMs?: number;
  /** How long the lease lasts without renewal (a crashed holder is replaced after it). Default 60 s. */
  leaseMs?: number;
  /** Attempts per delivery before it is marked failed. Default 8. */
  maxAttempts?: number;
  /** First retry after this; doubles each attempt up to retryMaxMs. Defaults 30 s and 1 h. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Where the first tick of a fresh store starts looking. Default: now (runs closed before are not told). */
  since?: Date;
  /** Lines about what was sent and what failed. Default: none. */
  log?: (line: string) => void;
}

export interface TickReport {
  /** False when another process holds the lease: this tick did nothing. */
  leader: boolean;
  recorded: number;
  grouped: number;
  sent: number;
  failed: number;
}

const CURSOR = 'cursor';

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
    const report: TickReport = { leader: false, recorded: 0, grouped: 0, sent: 0, failed: 0 };
    if (!(await takeLease(this.db, this.holder, this.options.leaseMs ?? 60_000, now))) return report;
    report.leader = true;
    report.recorded = await this.findEvents(now);
    report.grouped = (await groupEvents(this.db, (events) => buildMessage(events).subject, now, this.options.groupWindowMs ?? 10_000)).length;
    const { sent, failed } = await this.sendDue();
    return { ...report, sent, failed };
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
    const found = [
      ...(await this.detector.closed(cursor - (this.options.overlapMs ?? 120_000), catalog, rules, knownOf)),
      ...(await this.detector.longRunning(now, catalog, rules)),
      ...(await this.detector.late(now, catalog, rules)),
    ];
    let recorded = 0;
    for (const f of found) {
      for (const rule of f.rules) {
        for (const channel of rule.channels) {
          if (await recordEvent(this.db, { ruleKey: rule.key, channel, runKey: f.runKey, detail: f.detail }, now)) recorded++;
        }
      }
    }
    await this.detector.saveOutcomes();
    await writeState(this.db, CURSOR, String(now));
    return recorded;
  }

  private async sendDue(): Promise<{ sent: number; failed: number }> {
    let sent = 0;
    let failed = 0;
    const { maxAttempts = 8, retryBaseMs = 30_000, retryMaxMs = 3_600_000 } = this.options;
    for (const delivery of await dueDeliveries(this.db)) {
      // A long round of sends must not outlive the lease: renew it before each.
      if (!(await takeLease(this.db, this.holder, this.options.leaseMs ?? 60_000))) break;
      try {
        const channel = await this.channel(delivery.channel);
        const message = buildMessage(await eventsOfDelivery(this.db, delivery.id));
        await send(channel, message, { id: delivery.id, rule: delivery.ruleKey }, this.options.mail);
        await markSent(this.db, delivery.id);
        sent++;
        this.options.log?.(`notifier: sent #${delivery.id} to ${delivery.channel}: ${message.subject}`);
      } catch (err) {
        const attempts = delivery.attempts + 1;
        const retryIn = attempts >= maxAttempts ? null : Math.min(retryBaseMs * 2 ** (attempts - 1), retryMaxMs);
        await markAttemptFailed(this.db, delivery.id, (err as Error).message, retryIn);
        failed++;
        this.options.log?.(`notifier: delivery #${delivery.id} to ${delivery.channel} failed (attempt ${attempts}${retryIn === null ? ', giving up' : ''}): ${(err as Error).message}`);
      }
    }
    return { sent, failed };
  }

  /** The channel a rule names: from the environment, a mailto: address, or stored by an admin. */
  private async channel(name: string): Promise<ChannelConfig> {
    const found =
      this.options.channels.find((c) => c.name === name) ??
      mailtoChannel(name) ??
      (this.options.secrets ? await loadChannel(this.db, this.options.secrets, name) : undefined);
    if (!found) {
      throw new Error(
        `No channel named ${name}: add it on the Notifications page${this.options.secrets ? '' : ' (set SLUICE_SECRET_KEY first)'} or set SLUICE_CHANNEL_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}.`,
      );
    }
    return found;
  }
}
