// What test/run.ts (npm test) provides to every test file: one Temporal dev server, one PostgreSQL
// and a temporary directory for the whole suite. Tests read them here, never from process.env.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';

/** Thrown when a test file runs without the harness (plain `node --test`), so a variable is missing. */
export class HarnessNotRunningError extends Error {
  constructor(variable: string) {
    super(
      `${variable} is not set: this test needs the services test/run.ts provides. ` +
        'Run it through the harness: npm test -- path/to/file.test.ts',
    );
    this.name = 'HarnessNotRunningError';
  }
}

function required(variable: string): string {
  const value = process.env[variable];
  if (!value) throw new HarnessNotRunningError(variable);
  return value;
}

/** Temporal frontend of the suite's dev server, `127.0.0.1:PORT`. */
export const temporalAddress = (): string => required('TEMPORAL_ADDRESS');
/** Namespace prepared with Sluice's search attributes. */
export const temporalNamespace = (): string => process.env.TEMPORAL_NAMESPACE || 'default';
/** Temporal Web of the suite's dev server. */
export const temporalWebUrl = (): string => required('TEMPORAL_WEB_URL');
/** PostgreSQL URL (database `sluice`) shared by the suite; use createTestDatabase() for a private one. */
export const testDatabaseUrl = (): string => required('SLUICE_TEST_DATABASE_URL');
/** The suite's temporary directory. */
export const testTmpDir = (): string => required('SLUICE_TEST_TMP');

/**
 * A new empty directory under the suite's temporary directory.
 *
 * @example const dbFile = join(freshTmpDir('store'), 'sluice.db');
 */
export function freshTmpDir(prefix: string): string {
  return mkdtempSync(join(testTmpDir(), `${prefix.replace(/[^\w.-]/g, '_')}-`));
}

/** All of the above at once (each throws HarnessNotRunningError when missing). */
export function testEnv() {
  return {
    temporalAddress: temporalAddress(),
    temporalNamespace: temporalNamespace(),
    temporalWebUrl: temporalWebUrl(),
    databaseUrl: testDatabaseUrl(),
    tmpDir: testTmpDir(),
  };
}
