/**
 * What a message says, in each channel's format. One message covers the events one rule grouped for one
 * channel: a single failure, or a burst of 50 (listed up to a limit, then counted).
 */
import type { ChannelKind } from './channels';
import type { NotifyEvent } from './types';

/** What the notifier learnt about one run (or one late schedule) when it recorded the event. */
export interface EventDetail {
  event: NotifyEvent;
  flow: string;
  deployment: string | null;
  workflowId: string;
  runId: string | null;
  /** Who or what started the run (SluiceStartedBy): `user:…`, `token:…`, `schedule:…`. */
  startedBy: string | null;
  /** The readable error (the innermost cause), for failed and timed-out runs. */
  error: string | null;
  /** The task that failed, when a task did. */
  task: string | null;
  /** The last log lines of the failing task (or of the run), oldest first. */
  logTail: string[];
  startTime: string | null;
  closeTime: string | null;
  /** The run page (or the flow page, for a late start); null when no public URL is set. */
  url: string | null;
  /** One more line: "running for 2 h 5 min", "due 06:00 UTC, not started". */
  note: string | null;
}

export interface Message {
  subject: string;
  text: string;
  events: EventDetail[];
}

const LISTED = 20;

const WORDS: Record<NotifyEvent, { one: string; many: string }> = {
  failed: { one: 'failed', many: 'failed' },
  timed_out: { one: 'timed out', many: 'timed out' },
  cancelled: { one: 'was cancelled', many: 'were cancelled' },
  recovered: { one: 'recovered', many: 'recovered' },
  long_running: { one: 'is running long', many: 'are running long' },
  late: { one: 'did not start on time', many: 'did not start on time' },
  asked: { one: 'waits for your answer', many: 'wait for your answer' },
};

function what(d: EventDetail): string {
  return d.deployment ? `${d.flow} · ${d.deployment}` : d.flow;
}

export function buildMessage(events: EventDetail[]): Message {
  const first = events[0]!;
  const flows = [...new Set(events.map((e) => e.flow))];
  const kinds = [...new Set(events.map((e) => e.event))];
  const verb = kinds.length === 1 ? WORDS[kinds[0]!][events.length === 1 ? 'one' : 'many'] : 'need attention';
  const subject = oneLine(
    events.length === 1
      ? `Sluice: ${what(first)} ${verb}${first.error ? `: ${first.error.slice(0, 120)}` : ''}`
      : `Sluice: ${events.length} runs of ${flows.length === 1 ? flows[0] : `${flows.length} flows`} ${verb}`,
  );
  const blocks = events.slice(0, LISTED).map((d) => textOf(d).join('\n'));
  if (events.length > LISTED) blocks.push(`… and ${events.length - LISTED} more (see the runs page).`);
  return { subject, text: blocks.join('\n\n'), events };
}

/** A subject is one line, whatever the error's message holds. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

function textOf(d: EventDetail): string[] {
  const lines = [`${what(d)} ${WORDS[d.event].one}${d.runId ? ` — run ${d.workflowId}` : ''}`];
  if (d.startedBy) lines.push(`Started by: ${d.startedBy}`);
  if (d.note) lines.push(d.note);
  if (d.error) lines.push(`Error${d.task ? ` in task ${d.task}` : ''}: ${d.error}`);
  if (d.logTail.length) lines.push('Last log lines:', ...d.logTail.map((l) => `  ${l}`));
  if (d.url) lines.push(`Open: ${d.url}`);
  return lines;
}

/** The HTTP body an incoming webhook of `kind` takes (Slack, Mattermost, Teams), or Sluice's own JSON. */
export function webhookBody(kind: Exclude<ChannelKind, 'email'>, message: Message, delivery: { id: number; rule: string; channel: string }): unknown {
  switch (kind) {
    case 'slack':
      // Slack's mrkdwn: *bold*, <url|label>.
      return { text: `*${escapeSlack(message.subject)}*\n${message.events.slice(0, LISTED).map(slackLine).join('\n')}${more(message)}` };
    case 'mattermost':
      return { text: `**${message.subject}**\n${message.events.slice(0, LISTED).map(markdownLine).join('\n')}${more(message)}` };
    case 'teams':
      // A Teams workflow ("When a Teams webhook request is received") takes an Adaptive Card as an attachment.
      return {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: [
                { type: 'TextBlock', text: message.subject, weight: 'Bolder', wrap: true },
                ...message.events.slice(0, LISTED).map((d) => ({ type: 'TextBlock', text: markdownLine(d), wrap: true })),
                ...(more(message) ? [{ type: 'TextBlock', text: more(message).trim(), wrap: true }] : []),
              ],
            },
          },
        ],
      };
    case 'webhook':
      return { delivery: delivery.id, rule: delivery.rule, channel: delivery.channel, subject: message.subject, text: message.text, events: message.events };
  }
}

const more = (m: Message) => (m.events.length > LISTED ? `\n… and ${m.events.length - LISTED} more` : '');
const escapeSlack = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function slackLine(d: EventDetail): string {
  const name = escapeSlack(`${what(d)} ${WORDS[d.event].one}`);
  const head = d.url ? `<${d.url}|${name}>` : name;
  const error = d.error ? `: ${escapeSlack(d.error.slice(0, 300))}` : '';
  return `• ${head}${error}${d.startedBy ? ` (started by ${escapeSlack(d.startedBy)})` : ''}${d.note ? ` — ${escapeSlack(d.note)}` : ''}`;
}

function markdownLine(d: EventDetail): string {
  const name = `${what(d)} ${WORDS[d.event].one}`;
  const head = d.url ? `[${name}](${d.url})` : name;
  const error = d.error ? `: ${d.error.slice(0, 300)}` : '';
  return `- ${head}${error}${d.startedBy ? ` (started by ${d.startedBy})` : ''}${d.note ? ` — ${d.note}` : ''}`;
}
