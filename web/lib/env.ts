/**
 * The web app's settings, parsed once from the environment with zod. Nothing else in web/ reads
 * process.env: import `getEnv()` (lazy, so `next build` can load modules without production secrets).
 */
import { z } from 'zod';
import { parseTemporalConfig, type TemporalConfig } from 'sluice/internal/temporal';
import { parseRetention, storeUrlFromEnv, type LogPageOptions, type RetentionSetting } from 'sluice/internal/store';
import { notifierSettingsFromEnv, type NotifierSettings } from 'sluice/internal/notify';
import { parseProxyTrust, type ProxyTrust } from './auth/client-address';
import { ROLES, type Role } from './auth/roles';
import { TEMPORAL_WEB_PATH } from './links';
import { SluiceError } from 'sluice/internal/errors';

/** A dev-only signing secret: fine on a laptop, refused in production. */
const DEV_SECRET = 'sluice-development-secret-never-use-in-production';
/** The UI server of `temporal server start-dev` with its default ports, as `npm start` runs it. */
const DEFAULT_TEMPORAL_UI = 'http://127.0.0.1:8233';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Shown on the log-in button, e.g. "Keycloak". */
  displayName: string;
  /** Claim that lists the user's groups or roles; a dotted path reaches nested claims (Keycloak: realm_access.roles). */
  roleClaim: string;
  adminGroups: string[];
  operatorGroups: string[];
  /** Role of a single-sign-on user in none of the groups above; null refuses them. */
  defaultRole: Role | null;
  /** Scopes asked for: `openid email profile`, plus e.g. `groups` for providers that release groups only then. */
  scopes: string;
}

export interface Env {
  production: boolean;
  /** True while `next build` runs: secrets are not needed then. */
  building: boolean;
  nextAuthSecret: string;
  /** The app's public URL (NEXTAUTH_URL), needed for single sign-on redirects. */
  nextAuthUrl: string | null;
  /** Session cookies marked Secure (https only); on in production unless SLUICE_INSECURE_COOKIES=true. */
  secureCookies: boolean;
  storeUrl: string;
  temporal: TemporalConfig;
  /**
   * Temporal Web as Sluice serves it at /temporal: `upstream` is the origin of the UI server it forwards to
   * (TEMPORAL_UI_UPSTREAM), whose public path must be /temporal; `linkBase` starts every "Open in Temporal
   * Web" link (absolute when NEXTAUTH_URL is set).
   */
  temporalWeb: { upstream: string; linkBase: string };
  oidc: OidcSettings | null;
  /** Failure notifications: channels from the environment, SMTP, links, the key of stored channel secrets. */
  notifications: NotifierSettings;
  /** Whether this process runs the notifier (SLUICE_NOTIFIER, default on; the store's lease keeps it to one sender). */
  notifierEnabled: boolean;
  /** How long log lines and other per-run data are kept (SLUICE_RETENTION; default: the namespace's retention). */
  retention: RetentionSetting;
  /**
   * Which reverse proxies' X-Forwarded-For is believed (SLUICE_TRUST_PROXY): their addresses, or how many
   * stand in front of Sluice; `{ hops: 0 }`: none, the client's address is the socket's (client-address.ts).
   */
  proxyTrust: ProxyTrust;
  /**
   * How a run page's log search is bounded (SLUICE_LOG_SEARCH_WINDOW: lines a request searches, exactly one window
   * of them; unset: windows while the request has taken under about 120 ms, see sdk/src/store/log-page.ts). For tests
   * and tuning: a small window shows on a small run what a big run does.
   */
  logSearch: LogPageOptions;
  /** First admin created on a fresh install (empty users table). */
  firstAdmin: { email: string; password: string | null };
  warnings: string[];
}

/** Thrown by `getEnv` when a variable is missing or unusable; the message lists each one and what to do. */
export class EnvError extends SluiceError {
  static override readonly code = 'invalid_environment';

  override name = 'EnvError';
}

const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  NEXT_PHASE: z.string().optional(),
  NEXTAUTH_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters (try: openssl rand -base64 32)').optional()),
  NEXTAUTH_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be the http(s) URL users open, e.g. https://sluice.example.org' }).optional()),
  SLUICE_INSECURE_COOKIES: flag,
  OIDC_ISSUER: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be the issuer URL, e.g. https://keycloak.example.org/realms/data' }).optional()),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_NAME: optionalText,
  OIDC_ROLE_CLAIM: optionalText,
  OIDC_SCOPES: optionalText,
  OIDC_ADMIN_GROUPS: list,
  OIDC_OPERATOR_GROUPS: list,
  OIDC_DEFAULT_ROLE: optionalText.pipe(z.enum([...ROLES, 'none'], { error: `must be one of ${ROLES.join(', ')} or none` }).optional()),
  SLUICE_ADMIN_EMAIL: optionalText.pipe(z.string().regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address, e.g. admin@example.org').optional()),
  SLUICE_ADMIN_PASSWORD: optionalText,
  TEMPORAL_UI_UPSTREAM: optionalText.pipe(
    z
      .url({ protocol: /^https?$/, error: `must be the http(s) address of the Temporal UI server, e.g. http://temporal-ui:8080` })
      .refine((url) => /^\/?$|^\/temporal\/?$/.test(new URL(url).pathname) && !new URL(url).search, {
        error: `must be the UI server's address with no path (or ending in ${TEMPORAL_WEB_PATH}), e.g. http://temporal-ui:8080; the UI server itself must be started with the public path ${TEMPORAL_WEB_PATH}`,
      })
      .optional(),
  ),
  SLUICE_TRUST_PROXY: optionalText.transform((text, ctx) => {
    const trust = parseProxyTrust(text);
    if ('error' in trust) {
      ctx.addIssue({ code: 'custom', message: trust.error });
      return z.NEVER;
    }
    return trust;
  }),
  SLUICE_LOG_SEARCH_WINDOW: optionalText.pipe(z.string().regex(/^[1-9]\d*$/, 'must be a whole number of lines, at least 1').transform(Number).optional()),
  SLUICE_NOTIFIER: z.enum(['on', 'off'], { error: 'must be on (this web app sends notifications) or off' }).default('on'),
});

/** Parses `source` (default process.env). Pure apart from its argument; tests call it directly. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new EnvError(`The web app's settings are invalid:\n${problems.join('\n')}\nFix these environment variables and start again.`);
  }
  const v = parsed.data;
  const production = v.NODE_ENV === 'production';
  const building = v.NEXT_PHASE === 'phase-production-build';
  const warnings: string[] = [];
  const problems: string[] = [];

  let nextAuthSecret = v.NEXTAUTH_SECRET;
  if (!nextAuthSecret) {
    if (production && !building) {
      problems.push('  NEXTAUTH_SECRET: required in production; it signs the session cookies. Generate one with: openssl rand -base64 32');
    } else if (!building) {
      // `next build` signs nothing: a warning there would only alarm whoever builds (npm start does, with a secret for the server).
      warnings.push('NEXTAUTH_SECRET is not set: using a development-only secret. Never run like this in production.');
    }
    nextAuthSecret = DEV_SECRET;
  } else if (production && nextAuthSecret === DEV_SECRET) {
    problems.push('  NEXTAUTH_SECRET: is the development secret; generate a real one with: openssl rand -base64 32');
  }

  let oidc: OidcSettings | null = null;
  if (v.OIDC_ISSUER) {
    if (!v.OIDC_CLIENT_ID) problems.push('  OIDC_CLIENT_ID: required when OIDC_ISSUER is set (the client registered for Sluice at your identity provider)');
    if (!v.OIDC_CLIENT_SECRET) problems.push('  OIDC_CLIENT_SECRET: required when OIDC_ISSUER is set');
    if (!v.NEXTAUTH_URL) warnings.push('OIDC_ISSUER is set but NEXTAUTH_URL is not: single sign-on redirects will point to http://localhost:3000.');
    oidc = {
      issuer: v.OIDC_ISSUER.replace(/\/+$/, ''),
      clientId: v.OIDC_CLIENT_ID ?? '',
      clientSecret: v.OIDC_CLIENT_SECRET ?? '',
      displayName: v.OIDC_NAME ?? 'single sign-on',
      roleClaim: v.OIDC_ROLE_CLAIM ?? 'groups',
      adminGroups: v.OIDC_ADMIN_GROUPS,
      operatorGroups: v.OIDC_OPERATOR_GROUPS,
      defaultRole: v.OIDC_DEFAULT_ROLE === 'none' ? null : (v.OIDC_DEFAULT_ROLE ?? 'viewer'),
      // openid/email/profile are always needed (who is this, by email); extra scopes are added to them.
      scopes: [...new Set(['openid', 'email', 'profile', ...(v.OIDC_SCOPES ?? '').split(/[\s,]+/).filter(Boolean)])].join(' '),
    };
  } else if (v.OIDC_CLIENT_ID || v.OIDC_CLIENT_SECRET) {
    problems.push('  OIDC_ISSUER: required when OIDC_CLIENT_ID or OIDC_CLIENT_SECRET is set (or unset those to turn single sign-on off)');
  }

  if (v.SLUICE_ADMIN_PASSWORD && !v.SLUICE_ADMIN_EMAIL) {
    problems.push('  SLUICE_ADMIN_EMAIL: required when SLUICE_ADMIN_PASSWORD is set (the first admin\'s log-in)');
  }

  const secureCookies = production && !v.SLUICE_INSECURE_COOKIES;
  if (production && v.SLUICE_INSECURE_COOKIES) {
    warnings.push('SLUICE_INSECURE_COOKIES=true: session cookies are sent over plain http. Serve Sluice over https and unset it.');
  } else if (production && v.NEXTAUTH_URL?.startsWith('http://') && !isLoopback(v.NEXTAUTH_URL)) {
    warnings.push(`NEXTAUTH_URL is ${v.NEXTAUTH_URL} but session cookies are https-only in production: browsers will not keep them. Serve Sluice over https (or set SLUICE_INSECURE_COOKIES=true on a trusted network).`);
  }

  let temporal: TemporalConfig;
  let storeUrl: string;
  try {
    temporal = parseTemporalConfig(source);
    storeUrl = storeUrlFromEnv(source as NodeJS.ProcessEnv);
  } catch (err) {
    throw new EnvError((err as Error).message);
  }

  let notifications: NotifierSettings | undefined;
  try {
    // The dev secret (when NEXTAUTH_SECRET is unset outside production) also keys stored channel secrets.
    notifications = notifierSettingsFromEnv({ ...source, NEXTAUTH_SECRET: nextAuthSecret });
  } catch (err) {
    problems.push(`  ${(err as Error).message.replace(/\n/g, '\n  ')}`);
  }

  let retention: RetentionSetting = { kind: 'namespace' };
  try {
    retention = parseRetention(source.SLUICE_RETENTION);
  } catch (err) {
    problems.push(`  ${(err as Error).message}`);
  }

  if (problems.length || !notifications) {
    throw new EnvError(`The web app cannot start:\n${problems.join('\n')}`);
  }
  return {
    production,
    building,
    nextAuthSecret,
    nextAuthUrl: v.NEXTAUTH_URL ?? null,
    secureCookies,
    storeUrl,
    temporal,
    temporalWeb: {
      upstream: new URL(v.TEMPORAL_UI_UPSTREAM ?? DEFAULT_TEMPORAL_UI).origin,
      linkBase: `${v.NEXTAUTH_URL ? new URL(v.NEXTAUTH_URL).origin : ''}${TEMPORAL_WEB_PATH}`,
    },
    oidc,
    notifications,
    notifierEnabled: v.SLUICE_NOTIFIER === 'on',
    retention,
    proxyTrust: v.SLUICE_TRUST_PROXY,
    logSearch: v.SLUICE_LOG_SEARCH_WINDOW === undefined ? {} : { window: v.SLUICE_LOG_SEARCH_WINDOW, budgetMs: 0 },
    firstAdmin: { email: (v.SLUICE_ADMIN_EMAIL ?? 'admin@localhost').toLowerCase(), password: v.SLUICE_ADMIN_PASSWORD ?? null },
    warnings,
  };
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

let cached: Env | undefined;

/** The process's settings, parsed on first call; warnings are printed once. Throws EnvError. */
export function getEnv(): Env {
  if (!cached) {
    cached = parseEnv(process.env);
    for (const warning of cached.warnings) console.warn(`\n[sluice] WARNING: ${warning}\n`);
  }
  return cached;
}
