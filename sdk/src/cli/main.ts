/**
 * The `sluice` command. Exit codes: 0 done, 1 failed (a readable line says why; `--verbose` adds the
 * stack), 2 bad usage.
 */
import { errorLine } from '../error-answer';
import { backfillCommand } from './backfill-command';
import { buildCommand } from './build-command';
import { checkCommand } from './check-command';
import { historyCommand } from './history-command';
import { devCommand } from './dev-command';
import { healthcheckCommand } from './healthcheck-command';
import { migrateCommand } from './migrate-command';
import { newCommand } from './new-command';
import { notifierCommand } from './notifier-command';
import { EXIT, UsageError, type Command } from './usage';
import { SLUICE_VERSION } from '../version';
import { workerCommand } from './worker-command';

const COMMANDS: Record<string, Command> = { new: newCommand, dev: devCommand, check: checkCommand, worker: workerCommand, build: buildCommand, history: historyCommand, migrate: migrateCommand, notifier: notifierCommand, healthcheck: healthcheckCommand, backfill: backfillCommand };

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: sluice COMMAND [options]   (sluice COMMAND --help for its options)\n\nCommands:\n${lines.join('\n')}\n\n  --version  print the version of Sluice\n  --verbose  print the whole error (stack) when a command fails`;
}

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    console.log(SLUICE_VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`sluice: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return EXIT.ok;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`sluice ${name}: ${(err as Error).message}\n\n${command.help}`);
      return EXIT.usage;
    }
    console.error(verbose ? err : `sluice ${name}: ${errorLine(err)}`);
    return EXIT.failed;
  }
}
