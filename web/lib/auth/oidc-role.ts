/**
 * The role of a single-sign-on user, from their identity provider's claims: in an admin group → admin,
 * else in an operator group → operator, else the default role (null: not let in). Pure.
 */
import type { OidcSettings } from '../env';
import type { Role } from './roles';

/** Reads `claim` from the profile; a dotted path reaches nested claims (Keycloak's realm_access.roles). */
export function claimValues(profile: Record<string, unknown>, claim: string): string[] {
  let value: unknown = profile[claim];
  if (value === undefined && claim.includes('.')) {
    value = claim.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), profile);
  }
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export function oidcRole(profile: Record<string, unknown>, settings: Pick<OidcSettings, 'roleClaim' | 'adminGroups' | 'operatorGroups' | 'defaultRole'>): Role | null {
  const groups = new Set(claimValues(profile, settings.roleClaim));
  if (settings.adminGroups.some((g) => groups.has(g))) return 'admin';
  if (settings.operatorGroups.some((g) => groups.has(g))) return 'operator';
  return settings.defaultRole;
}
