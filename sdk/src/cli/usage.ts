/** Exit codes of the `sluice` command, and the error a command throws for a user mistake in its arguments. */
import { SluiceError } from '../errors';
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Thrown for bad arguments: printed with the command's usage, exit code 2. */
export class UsageError extends SluiceError {
  static override readonly code = 'usage';
  static override readonly kind = 'bad_request';

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Command {
  /** One line for `sluice --help`. */
  summary: string;
  /** The whole `sluice COMMAND --help` text. */
  help: string;
  run(args: string[]): Promise<number>;
}
