/**
 * The run form is for operators. The role is checked here, in the layout, because a layout renders before the
 * segment's loading.tsx starts streaming: a viewer then gets a real 403, not a 200 page showing "not allowed".
 * (The page checks again: every page does.)
 */
import type { ReactNode } from 'react';
import { requireUser } from '@/lib/auth/guard';

export default async function RunFormLayout({ children }: { children: ReactNode }) {
  await requireUser('operator');
  return children;
}
