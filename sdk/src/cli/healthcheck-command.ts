import { parseArgs } from 'node:util';
import { problemWithReport } from '../worker/health';
import { EXIT, UsageError, type Command } from './usage';

/**
 * A container's healthcheck (the template's Dockerfile: `HEALTHCHECK CMD ["node", "node_modules/sluice/bin/sluice.js",
 * "healthcheck"]`). bin/sluice.js runs it without loading the rest of the CLI: Docker runs it every 30 s for as
 * long as the worker lives, and the whole CLI costs 0.8 s of CPU and 120 MB to load, this 0.1 s and 45 MB.
 */
export const healthcheckCommand: Command = {
  summary: "exit 0 when this container's worker polls its task queue (a Docker HEALTHCHECK)",
  help: `Usage: sluice healthcheck [--file FILE]

Reads the health report the worker writes every 15 s (SLUICE_HEALTH_FILE): exits 0 when it says the
worker polls its task queue and is at most 60 s old, else 1 with the reason. The worker images set
SLUICE_HEALTH_FILE; the worker asks Temporal itself, so this connects to nothing.

Options:
  --file FILE   the report [SLUICE_HEALTH_FILE]`,
  run: async (args) => healthcheck(args),
};

/** The command itself, for bin/sluice.js to call without the CLI's main: bad arguments also end here. */
export function healthcheck(args: string[]): number {
  let file: string | undefined;
  try {
    file = parseArgs({ args, options: { file: { type: 'string' } } }).values.file ?? process.env.SLUICE_HEALTH_FILE;
    if (!file) throw new UsageError('no health report to read: set SLUICE_HEALTH_FILE (as the worker has it) or pass --file');
  } catch (err) {
    console.error(`sluice healthcheck: ${(err as Error).message}\n\n${healthcheckCommand.help}`);
    return EXIT.usage;
  }
  const problem = problemWithReport(file);
  if (problem) {
    console.error(`worker healthcheck: ${problem}`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
