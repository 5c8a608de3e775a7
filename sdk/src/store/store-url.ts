/**
 * Where the store lives: one URL, from DATABASE_URL (PostgreSQL) or else a SQLite file in SLUICE_DATA_DIR.
 */
import { StoreUrlError } from './errors';

export type StoreLocation =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; connectionString: string };

/**
 * The store URL this process should use: DATABASE_URL when set, else `sqlite:<SLUICE_DATA_DIR or ./data>/sluice.db`.
 *
 * @example
 * const store = await openStore(storeUrlFromEnv());
 */
export function storeUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl) return databaseUrl;
  const dataDir = (env.SLUICE_DATA_DIR?.trim() || './data').replace(/[\\/]+$/, '') || '/';
  return `sqlite:${dataDir === '/' ? '' : dataDir}/sluice.db`;
}

/**
 * Reads a store URL: `postgres://…` / `postgresql://…`, `sqlite:PATH` (also `sqlite://PATH`), or a plain file path.
 * Throws `StoreUrlError` for any other scheme.
 */
export function parseStoreUrl(url: string): StoreLocation {
  const trimmed = url.trim();
  if (!trimmed) throw new StoreUrlError('The store URL is empty: set DATABASE_URL to postgres://… or leave it unset to use a SQLite file.');
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { dialect: 'postgres', connectionString: trimmed };
  const sqlite = /^sqlite:(\/\/)?(.*)$/i.exec(trimmed);
  if (sqlite) {
    const path = sqlite[2];
    if (!path) throw new StoreUrlError(`The store URL '${trimmed}' names no file: write sqlite:PATH, e.g. sqlite:./data/sluice.db.`);
    return { dialect: 'sqlite', path };
  }
  // A scheme of two letters or more (a Windows drive letter like C: is a path, not a scheme).
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(trimmed);
  if (scheme) {
    throw new StoreUrlError(
      `The store URL '${redactUrl(trimmed)}' uses '${scheme[1]}:', which Sluice cannot store logs in: ` +
        'set DATABASE_URL to postgres://USER:PASSWORD@HOST:PORT/DB, or unset it to use a SQLite file (sqlite:PATH).',
    );
  }
  return { dialect: 'sqlite', path: trimmed };
}

/** The URL with its password replaced by ***, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
