// API tokens for programs (admins only): create one (its secret shown once, optionally expiring), see when each was last used and expires, revoke.
import { requireUser } from '@/lib/auth/guard';
import { listApiTokens } from '@/lib/auth/tokens';
import { listUsers } from '@/lib/auth/users';
import { getStore } from '@/lib/sluice.server';
import { formatTime } from '@/lib/format';
import { AdminFrame } from '../admin-frame';
import { CreateTokenForm, RevokeForm } from './token-forms';

export const metadata = { title: 'API tokens' };
export const dynamic = 'force-dynamic';

export default async function TokensPage() {
  await requireUser('admin');
  const store = await getStore();
  const [tokens, users, flows, tasks] = await Promise.all([listApiTokens(store.db), listUsers(store.db), store.listFlows(), store.listTasks()]);
  const knownQueues = [...new Set([...flows, ...tasks].map((e) => e.taskQueue))].sort();
  const emails = new Map(users.map((u) => [u.id, u.email]));
  const now = Date.now();
  return (
    <AdminFrame
      title="API tokens"
      intro={
        <>
          For programs that start runs and read results over HTTP: send <code>Authorization: Bearer slc_…</code>. A viewer token reads;
          an operator token also starts runs. A worker token is a team&apos;s worker&apos;s (<code>SLUICE_WORKER_TOKEN</code>): it only writes its
          task queues&apos; run lines and publishes their flows, through the worker API. The API is described at <a href="/api/openapi.json">/api/openapi.json</a>.
        </>
      }
      formTitle="Create a token"
      form={<CreateTokenForm knownQueues={knownQueues} />}
      listTitle="Tokens"
    >
      {tokens.length === 0 ? (
        <p className="muted">No tokens yet.</p>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Expires</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-testid={`token-${t.name}`}>
                <td className="mono">{t.name}</td>
                <td>
                  {t.role}
                  {t.taskQueues && <div className="muted">{t.taskQueues.join(', ')}</div>}
                </td>
                <td>
                  {formatTime(t.createdAt)}
                  <div className="muted">by {t.createdBy === null ? 'the command line' : (emails.get(t.createdBy) ?? 'a deleted user')}</div>
                </td>
                <td>{formatTime(t.lastUsedAt)}</td>
                <td>{t.expiresAt === null ? 'never' : formatTime(t.expiresAt)}</td>
                <td>
                  {t.revokedAt ? (
                    <span className="badge tone-muted">revoked {formatTime(t.revokedAt)}</span>
                  ) : t.expiresAt !== null && t.expiresAt <= now ? (
                    <span className="badge tone-muted">expired</span>
                  ) : (
                    <>
                      <span className="badge tone-ok">active</span> <RevokeForm id={t.id} name={t.name} />
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminFrame>
  );
}
