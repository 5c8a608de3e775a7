// Users and their roles (admins only): add, change role, reset password, disable, end their sessions.
import { requireUser } from '@/lib/auth/guard';
import { ROLE_CAN, ROLES } from '@/lib/auth/roles';
import { listUsers } from '@/lib/auth/users';
import { getStore } from '@/lib/sluice.server';
import { formatTime } from '@/lib/format';
import { AdminFrame } from '../admin-frame';
import { AddUserForm, DisableForm, EndSessionsForm, PasswordForm, RoleForm } from './user-forms';
import styles from '../admin.module.css';

export const metadata = { title: 'Users' };
export const dynamic = 'force-dynamic';

export default async function UsersPage() {
  const me = await requireUser('admin');
  const users = await listUsers((await getStore()).db);
  return (
    <AdminFrame
      title="Users"
      intro={`${ROLES.map((r) => `${r}s ${ROLE_CAN[r]}`).join('; ')}. Each role includes the ones before it.`}
      formTitle="Add a user"
      form={<AddUserForm />}
      listTitle={`${users.length} user${users.length === 1 ? '' : 's'}`}
    >
      <table className={`data ${styles.users}`}>
        <thead>
          <tr>
            <th>User</th>
            <th>Role</th>
            <th>Password</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-testid={`user-${u.email}`}>
              <td>
                <div>{u.email}</div>
                <div className="muted">
                  {u.name ?? '—'} · added {formatTime(u.createdAt)}
                </div>
              </td>
              <td>
                <RoleForm email={u.email} role={u.role} />
              </td>
              <td>
                <div className="muted">{u.hasPassword ? 'set' : 'none (single sign-on)'}</div>
                <PasswordForm email={u.email} />
              </td>
              <td>
                <span className={`badge ${u.disabledAt ? 'tone-bad' : 'tone-ok'}`}>{u.disabledAt ? 'disabled' : 'active'}</span>
                {u.email !== me.email && <DisableForm email={u.email} disabled={u.disabledAt !== null} />}
                {u.disabledAt === null && <EndSessionsForm email={u.email} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminFrame>
  );
}
