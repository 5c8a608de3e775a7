import { Connection } from '@temporalio/client';
import { z } from 'zod';

/** Where Sluice finds Temporal. Read from the environment once; see {@link temporalConfig}. */
export interface TemporalConfig {
  /** gRPC frontend, `host:port`. */
  address: string;
  namespace: string;
  /** Temporal Web, linked from every run page. No trailing slash. */
  webUrl: string;
}

const hostPort = /^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

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
});

/** Thrown when a TEMPORAL_* environment variable is set but unusable. */
export class TemporalConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalConfigError';
  }
}

/**
 * Parses TEMPORAL_* variables from `env`. Pure: use {@link temporalConfig} in application code.
 *
 * @example parseTemporalConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }).namespace // 'default'
 */
export function parseTemporalConfig(env: Record<string, string | undefined>): TemporalConfig {
  // An empty variable (TEMPORAL_ADDRESS= in a .env file) means "use the default", not "invalid".
  const present = (name: string) => (env[name]?.trim() ? env[name] : undefined);
  const parsed = envSchema.safeParse({
    TEMPORAL_ADDRESS: present('TEMPORAL_ADDRESS'),
    TEMPORAL_NAMESPACE: present('TEMPORAL_NAMESPACE'),
    TEMPORAL_WEB_URL: present('TEMPORAL_WEB_URL'),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`);
    throw new TemporalConfigError(`Invalid Temporal settings in the environment:\n${problems.join('\n')}\nFix or unset these variables.`);
  }
  const { TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_WEB_URL } = parsed.data;
  return { address: TEMPORAL_ADDRESS, namespace: TEMPORAL_NAMESPACE, webUrl: TEMPORAL_WEB_URL };
}

let cached: TemporalConfig | undefined;

/**
 * The process's Temporal settings: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE
 * (default `default`), TEMPORAL_WEB_URL (default http://127.0.0.1:8233). Parsed on first call, then cached.
 *
 * @example const { namespace } = temporalConfig();
 */
export function temporalConfig(): TemporalConfig {
  cached ??= parseTemporalConfig(process.env);
  return cached;
}

/**
 * Connects to the Temporal frontend (default: {@link temporalConfig}). Close it when done.
 *
 * @example
 * const connection = await connect();
 * try { ... } finally { await connection.close(); }
 */
export async function connect(config: Pick<TemporalConfig, 'address'> = temporalConfig()): Promise<Connection> {
  try {
    return await Connection.connect({ address: config.address, connectTimeout: '10s' });
  } catch (err) {
    throw new Error(
      `Cannot reach Temporal at ${config.address}: ${(err as Error).message}. ` +
        'Start it (npm start runs a local one) or set TEMPORAL_ADDRESS to a running server.',
      { cause: err },
    );
  }
}
