/**
 * How every Sluice process reaches Temporal — worker, web app, `sluice` commands, scripts: the TEMPORAL_*
 * variables are read here and nowhere else, and {@link connectionOptions} turns them into the options both
 * the gRPC client (`Connection`) and the worker's native connection (`NativeConnection`) take.
 */
import { readFileSync } from 'node:fs';
import { Connection, type TLSConfig } from '@temporalio/client';
import { z } from 'zod';
import { probeTls, type TlsProbe } from './tls-probe';
import { SluiceError } from '../errors';

/**
 * TLS to the Temporal frontend. Every field is optional: `{}` is TLS trusting the system's CAs (TEMPORAL_TLS=true),
 * as for Temporal Cloud with an API key.
 */
export interface TemporalTls {
  /** PEM file of the CA that signed the server's certificate (TEMPORAL_TLS_CA_FILE); default: the system's CAs. */
  caFile?: string;
  /** PEM files of this client's certificate and key, for mTLS (TEMPORAL_TLS_CERT_FILE, TEMPORAL_TLS_KEY_FILE). */
  certFile?: string;
  keyFile?: string;
  /** The name the server's certificate must carry, when not the host of the address (TEMPORAL_TLS_SERVER_NAME). */
  serverName?: string;
}

/** Where Sluice finds Temporal, and how it proves who it is. Read from the environment once; see {@link temporalConfig}. */
export interface TemporalConfig {
  /** gRPC frontend, `host:port`. */
  address: string;
  namespace: string;
  /** Temporal Web, linked from every run page. No trailing slash. */
  webUrl: string;
  /** TLS settings, or false for plain gRPC (the default, as a local dev server speaks). */
  tls: TemporalTls | false;
  /** Sent as `Authorization: Bearer <key>` on every call (TEMPORAL_API_KEY); implies TLS unless TEMPORAL_TLS=false. */
  apiKey?: string;
}

/** What a connection needs of {@link TemporalConfig}. */
export type TemporalAccess = Pick<TemporalConfig, 'address'> & Partial<Pick<TemporalConfig, 'tls' | 'apiKey'>>;

/** The options `Connection.connect` and `NativeConnection.connect` share. */
export interface TemporalConnectionOptions {
  address: string;
  tls: TLSConfig | false;
  apiKey?: string;
}

const hostPort = /^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;
const optional = z.string().trim().min(1).optional();

const envSchema = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .trim()
    .regex(hostPort, 'must be host:port, for example 127.0.0.1:7233 (no scheme)')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().trim().min(1, 'must not be empty').default('default'),
  TEMPORAL_WEB_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL, for example http://127.0.0.1:8233' })
    .default('http://127.0.0.1:8233')
    .transform((url) => url.replace(/\/+$/, '')),
  TEMPORAL_TLS: z.enum(['true', 'false'], { error: 'must be true (TLS, trusting the system CAs unless TEMPORAL_TLS_CA_FILE is set) or false' }).optional(),
  TEMPORAL_TLS_CA_FILE: optional,
  TEMPORAL_TLS_CERT_FILE: optional,
  TEMPORAL_TLS_KEY_FILE: optional,
  TEMPORAL_TLS_SERVER_NAME: optional,
  TEMPORAL_API_KEY: optional,
});

/** Every variable read here. */
const TEMPORAL_VARIABLES = Object.keys(envSchema.shape) as (keyof z.infer<typeof envSchema>)[];

/** Thrown when a TEMPORAL_* environment variable is set but unusable, or names a file that cannot be read. */
export class TemporalConfigError extends SluiceError {
  static override readonly code = 'invalid_temporal_settings';

  constructor(message: string) {
    super(message);
    this.name = 'TemporalConfigError';
  }
}

/**
 * Parses TEMPORAL_* variables from `env`. Pure: use {@link temporalConfig} in application code. Files are read
 * when connecting ({@link connectionOptions}), so a renewed certificate is used by the next connection.
 *
 * @example parseTemporalConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }).namespace // 'default'
 */
export function parseTemporalConfig(env: Record<string, string | undefined>): TemporalConfig {
  // An empty variable (TEMPORAL_ADDRESS= in a .env file) means "use the default", not "invalid".
  const present = Object.fromEntries(TEMPORAL_VARIABLES.map((name) => [name, env[name]?.trim() ? env[name] : undefined]));
  const parsed = envSchema.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`);
  if (parsed.success) {
    const { TEMPORAL_TLS_CERT_FILE: cert, TEMPORAL_TLS_KEY_FILE: key, TEMPORAL_TLS: tls } = parsed.data;
    if (cert && !key) problems.push(`  TEMPORAL_TLS_KEY_FILE: not set, but TEMPORAL_TLS_CERT_FILE is (${cert}): a client certificate needs its private key`);
    if (key && !cert) problems.push(`  TEMPORAL_TLS_CERT_FILE: not set, but TEMPORAL_TLS_KEY_FILE is (${key}): a private key needs its client certificate`);
    const tlsFiles = ['TEMPORAL_TLS_CA_FILE', 'TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE', 'TEMPORAL_TLS_SERVER_NAME'] as const;
    const set = tlsFiles.filter((name) => parsed.data[name]);
    if (tls === 'false' && set.length) problems.push(`  TEMPORAL_TLS=false, but ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set: unset TEMPORAL_TLS or ${set.length > 1 ? 'them' : 'it'}`);
  }
  if (!parsed.success || problems.length) {
    throw new TemporalConfigError(`Invalid Temporal settings in the environment:\n${problems.join('\n')}\nFix or unset these variables.`);
  }
  const e = parsed.data;
  const files: TemporalTls = { caFile: e.TEMPORAL_TLS_CA_FILE, certFile: e.TEMPORAL_TLS_CERT_FILE, keyFile: e.TEMPORAL_TLS_KEY_FILE, serverName: e.TEMPORAL_TLS_SERVER_NAME };
  const anyTlsSetting = Object.values(files).some(Boolean);
  // As Temporal's own CLI: an API key means TLS (Temporal Cloud) unless TLS is turned off explicitly.
  const useTls = e.TEMPORAL_TLS === 'true' || anyTlsSetting || (e.TEMPORAL_API_KEY !== undefined && e.TEMPORAL_TLS !== 'false');
  return {
    address: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    webUrl: e.TEMPORAL_WEB_URL,
    tls: useTls ? (Object.fromEntries(Object.entries(files).filter(([, v]) => v)) as TemporalTls) : false,
    ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
  };
}

/**
 * `env` without the TLS settings and API key, for processes that talk to a dev server Sluice started itself
 * (plain gRPC), while those meant for another Temporal stay in the caller's environment.
 */
export function withoutTemporalSecurity<E extends Record<string, string | undefined>>(env: E): E {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^TEMPORAL_(TLS|API_KEY)/.test(name))) as E;
}

let cached: TemporalConfig | undefined;

/**
 * The process's Temporal settings: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE
 * (default `default`), TEMPORAL_WEB_URL (default http://127.0.0.1:8233), and TLS and API key
 * (TEMPORAL_TLS, TEMPORAL_TLS_CA_FILE, TEMPORAL_TLS_CERT_FILE, TEMPORAL_TLS_KEY_FILE, TEMPORAL_TLS_SERVER_NAME,
 * TEMPORAL_API_KEY). Parsed on first call, then cached.
 *
 * @example const { namespace } = temporalConfig();
 */
export function temporalConfig(): TemporalConfig {
  cached ??= parseTemporalConfig(process.env);
  return cached;
}

/** Reads one PEM file named by `variable`; the error names the variable and the path. */
function readPem(variable: string, file: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new TemporalConfigError(`${variable}=${file}: cannot read it (${reason}).`);
  }
  if (!bytes.includes('-----BEGIN ')) throw new TemporalConfigError(`${variable}=${file}: not a PEM file (no "-----BEGIN" line).`);
  return bytes;
}

/**
 * The options of `Connection.connect` and `NativeConnection.connect` for `config` (default: the environment's):
 * address, TLS with the certificate files read now, API key. Throws TemporalConfigError for an unreadable file.
 *
 * @example const connection = await NativeConnection.connect(connectionOptions());
 */
export function connectionOptions(config: TemporalAccess = temporalConfig()): TemporalConnectionOptions {
  const { address, tls, apiKey } = config;
  if (!tls) return { address, tls: false, ...(apiKey ? { apiKey } : {}) };
  return {
    address,
    tls: {
      ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
      ...(tls.caFile ? { serverRootCACertificate: readPem('TEMPORAL_TLS_CA_FILE', tls.caFile) } : {}),
      ...(tls.certFile && tls.keyFile
        ? { clientCertPair: { crt: readPem('TEMPORAL_TLS_CERT_FILE', tls.certFile), key: readPem('TEMPORAL_TLS_KEY_FILE', tls.keyFile) } }
        : {}),
    },
    ...(apiKey ? { apiKey } : {}),
  };
}

/** Thrown when Temporal cannot be reached or refuses the connection; says where, over what, and what to do. */
export class TemporalUnreachableError extends SluiceError {
  static override readonly code = 'temporal_unreachable';
  static override readonly kind = 'unavailable';

  constructor(config: TemporalAccess, cause: unknown, probe?: TlsProbe) {
    super(unreachableMessage(config, (cause as Error)?.message ?? String(cause), probe), { cause });
    this.name = 'TemporalUnreachableError';
  }
}

// How the worker's connection (Temporal's Rust core) words a failed handshake; the gRPC client's words say
// nothing of TLS, so a probe (./tls-probe.ts) asks OpenSSL.
const TLS_WORDS = /\btls\b|certificate|handshake|alert|UnknownIssuer|NotValidForName|invalid ?peer|corrupt message|wrong version number/i;

function unreachableMessage(config: TemporalAccess, reason: string, probe?: TlsProbe): string {
  const { address, tls } = config;
  const failed = probe?.outcome === 'failed' ? probe.reason : undefined;
  if (tls && (failed || TLS_WORDS.test(reason))) {
    return (
      `TLS connection to Temporal at ${address} failed (${failed ? `${failed}; the client said: ${reason}` : reason}). ` +
      "Check TEMPORAL_TLS_CA_FILE (the CA of the server's certificate; unset: the system's CAs), TEMPORAL_TLS_SERVER_NAME " +
      '(a name on that certificate), and, when the server asks for a client certificate, TEMPORAL_TLS_CERT_FILE and ' +
      'TEMPORAL_TLS_KEY_FILE; or that the server speaks TLS at all.'
    );
  }
  if (!tls && probe?.outcome === 'ok') {
    return (
      `Cannot talk to Temporal at ${address} over plain gRPC (${reason}): it answers with TLS. Set TEMPORAL_TLS=true ` +
      '(or TEMPORAL_TLS_CA_FILE, and TEMPORAL_TLS_CERT_FILE with TEMPORAL_TLS_KEY_FILE for mTLS).'
    );
  }
  return `Cannot reach Temporal at ${address}${tls ? ' (TLS)' : ''} (${reason}). Is it running? \`npm start\` starts a local one; otherwise set TEMPORAL_ADDRESS.`;
}

/**
 * Runs `open` (a connect) and turns its failure into a {@link TemporalUnreachableError}, after a TLS handshake
 * of its own to name what TLS refused; a TemporalConfigError (an unreadable certificate file) passes as it is.
 */
export async function reachTemporal<T>(config: TemporalAccess, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    if (err instanceof TemporalConfigError) throw err;
    throw new TemporalUnreachableError(config, err, await probeTls(connectionOptions(config)));
  }
}

/**
 * Connects the gRPC client to the Temporal frontend (default: {@link temporalConfig}). Close it when done.
 *
 * @example
 * const connection = await connect();
 * try { ... } finally { await connection.close(); }
 */
export async function connect(config: TemporalAccess = temporalConfig()): Promise<Connection> {
  return reachTemporal(config, () => Connection.connect({ ...connectionOptions(config), connectTimeout: '10s' }));
}
