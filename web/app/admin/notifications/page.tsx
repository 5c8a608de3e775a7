// Failure notifications (admins only): channels, rules (from code and from admins) and every delivery, sent or failed.
import Link from 'next/link';
import { CHANNEL_KINDS, NOTIFY_EVENTS } from 'sluice/internal/notify';
import { requireUser } from '@/lib/auth/guard';
import { getEnv } from '@/lib/env';
import { formatDuration } from '@/lib/format';
import { getNotifications } from '@/lib/notifications-presenter';
import { getStore } from '@/lib/sluice.server';
import { formatTime } from '@/lib/format';
import { AdminFrame } from '../admin-frame';
import { CreateChannelForm, CreateRuleForm, DeleteChannelForm, DeleteRuleForm, SendAgainForm, TestChannelForm } from './notification-forms';

export const metadata = { title: 'Notifications' };
export const dynamic = 'force-dynamic';

const TONE = { sent: 'tone-ok', failed: 'tone-bad', retrying: 'tone-warn', pending: 'tone-muted' } as const;

export default async function NotificationsPage() {
  await requireUser('admin');
  const env = getEnv();
  const store = await getStore();
  const [view, flows] = await Promise.all([getNotifications(store.db, env.notifications, env.notifierEnabled), store.listFlows()]);
  return (
    <AdminFrame
      title="Notifications"
      intro={
        <>
          Who is told when runs fail, time out, are cancelled, recover, run too long, or a schedule does not start on time. Rules come from
          code (<code>notify</code> next to a flow or deployment) or are added here; each names channels. E-mail goes through{' '}
          {view.smtpConfigured ? 'the SMTP server set in SLUICE_SMTP_URL' : <strong>no SMTP server yet (set SLUICE_SMTP_URL)</strong>}.
          {!view.notifierEnabled && ' This web app does not send (SLUICE_NOTIFIER=off): another process does.'}
        </>
      }
      formTitle="Add a channel"
      form={view.canStoreChannels ? <CreateChannelForm kinds={CHANNEL_KINDS} /> : <p className="form-error">Set SLUICE_SECRET_KEY to store channels.</p>}
      listTitle={
        <>
          Deliveries <span className="muted">({view.counts.sent} sent, {view.counts.retrying + view.counts.pending} waiting, {view.counts.failed} failed, newest first)</span>
        </>
      }
    >
      {view.deliveries.length === 0 ? (
        <p className="muted">Nothing sent yet.</p>
      ) : (
        <table className="data" data-testid="deliveries">
          <thead>
            <tr>
              <th>Message</th>
              <th>Channel</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {view.deliveries.map((d) => (
              <tr key={d.id} data-testid={`delivery-${d.id}`}>
                <td>
                  {d.subject}
                  <div className="muted">
                    {d.runs.slice(0, 3).map((r) =>
                      r.runId ? (
                        <Link key={`${r.runId}/${r.event}`} href={`/runs/${encodeURIComponent(r.workflowId)}/${encodeURIComponent(r.runId)}`} style={{ marginRight: '0.5rem' }}>
                          {r.flow} {r.event.replace('_', ' ')}
                        </Link>
                      ) : (
                        <span key={`${r.workflowId}/${r.event}`}>{r.flow} · {r.deployment} late </span>
                      ),
                    )}
                    {d.runs.length > 3 && `+${d.runs.length - 3} more`}
                  </div>
                </td>
                <td className="mono">{d.channel}</td>
                <td>
                  <span className={`badge ${TONE[d.status]}`}>{d.status}</span>
                  {d.lastError && <div className="muted">{d.lastError}</div>}
                  {d.status === 'failed' && <SendAgainForm id={d.id} />}
                </td>
                <td>{d.attempts}</td>
                <td>
                  {formatTime(d.sentAt ?? d.updatedAt)}
                  {d.status === 'retrying' && <div className="muted">next try {formatTime(d.nextAttemptAt)}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2 style={{ marginTop: '1.5rem' }}>Channels</h2>
      {view.channels.length === 0 ? (
        <p className="muted">No channels yet. Rules may still name mailto:someone@example.org.</p>
      ) : (
        <table className="data" data-testid="channels">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Set in</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {view.channels.map((c) => (
              <tr key={`${c.source}/${c.name}`}>
                <td className="mono">{c.name}</td>
                <td>
                  {c.kind}
                  {c.hasSecret && <span className="muted"> · signed</span>}
                </td>
                <td>{c.source === 'stored' ? 'this page (encrypted)' : 'the environment'}</td>
                <td>
                  <TestChannelForm name={c.name} />
                  {c.id !== null && <DeleteChannelForm id={c.id} name={c.name} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2 style={{ marginTop: '1.5rem' }}>Rules</h2>
      <CreateRuleForm flows={flows.map((f) => f.name)} events={NOTIFY_EVENTS} />
      {view.rules.length === 0 ? (
        <p className="muted">No rules yet: nobody is told about failures.</p>
      ) : (
        <table className="data" data-testid="rules">
          <thead>
            <tr>
              <th>Runs of</th>
              <th>Events</th>
              <th>Channels</th>
              <th>From</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {view.rules.map((r) => (
              <tr key={r.key}>
                <td>
                  {r.flow ?? 'every flow'}
                  {r.deployment && ` · ${r.deployment}`}
                </td>
                <td>
                  {r.events.map((e) => e.replace('_', ' ')).join(', ')}
                  {r.longerThanMs !== null && <div className="muted">longer than {formatDuration(r.longerThanMs)}</div>}
                  {r.lateAfterMs !== null && <div className="muted">late after {formatDuration(r.lateAfterMs)}</div>}
                </td>
                <td className="mono">{r.channels.join(', ')}</td>
                <td>{r.source === 'code' ? 'code' : `${r.createdBy ?? 'an admin'}, ${formatTime(r.createdAt)}`}</td>
                <td>{r.source === 'admin' && <DeleteRuleForm id={r.id} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminFrame>
  );
}
