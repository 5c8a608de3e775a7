/**
 * Roles, weakest first. A user or API token holds exactly one; each role can do everything the ones
 * before it can: viewers read, operators also start/cancel/re-run runs and pause/trigger deployments,
 * admins also manage users and API tokens. Pure (no server imports) so forms and tests can use it.
 */
import { ROLES, type Role } from 'sluice/internal/types';

export { ROLES, type Role };

/** True when `role` may do what `minRole` may. */
export function hasRole(role: Role, minRole: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minRole);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** What each role adds, in words, for refusals and the admin pages. */
export const ROLE_CAN: Record<Role, string> = {
  viewer: 'read runs, flows and logs',
  operator: 'start, cancel and re-run runs, and pause, resume or trigger deployments',
  admin: 'manage users and API tokens',
};
