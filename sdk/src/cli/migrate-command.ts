import { parseArgs } from 'node:util';
import { migrateStore, storeUrlFromEnv } from '../store';
import { SLUICE_VERSION } from '../version';
import { EXIT, type Command } from './usage';

export const migrateCommand: Command = {
  summary: "bring the store's schema up to this version (before starting workers of a newer Sluice)",
  help: `Usage: sluice migrate

Brings the store's tables up to this version of Sluice and exits: the store DATABASE_URL names (PostgreSQL),
else the SQLite file in SLUICE_DATA_DIR (default ./data/sluice.db). Only this command and the web app change
the schema; workers, the client and scripts only check that it has what they need, so run it (or upgrade and
start the web app) before a worker of a newer Sluice. Safe to run again, and while the web app and workers run.
A store migrated by a newer Sluice is refused: migrate with the newest version only.`,
  async run(args) {
    parseArgs({ args, options: {} }); // no options: an unknown one is a usage error
    const { where, migrated, applied } = await migrateStore(storeUrlFromEnv());
    const schema = applied.at(-1) ?? 'none';
    console.log(
      migrated.length
        ? `sluice migrate: the store at ${where} is at schema ${schema} (sluice ${SLUICE_VERSION}); ran ${migrated.join(', ')}`
        : `sluice migrate: the store at ${where} is up to date: schema ${schema} (sluice ${SLUICE_VERSION}); nothing to do`,
    );
    return EXIT.ok;
  },
};
