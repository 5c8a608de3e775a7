// /admin has no page of its own: users is the first admin page.
import { redirect } from 'next/navigation';
import { requireUser } from '@/lib/auth/guard';

export default async function AdminPage() {
  await requireUser('admin');
  redirect('/admin/users');
}
