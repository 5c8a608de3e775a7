/**
 * A page's or a form's message for what was thrown: sluice/errors' one mapper (`errorAnswer`), with the server log
 * keeping what is not the user's doing. Never a stack trace on a page.
 *
 * @example return { ok: false, error: readableError(err, 'cancel the run') };
 */
import { errorAnswer } from 'sluice/internal/errors';

export function readableError(err: unknown, doing: string): string {
  const answered = errorAnswer(err, doing);
  if (answered.log) console.error(`[sluice] ${answered.log}:`, answered.status === 503 ? (err as Error)?.message : err);
  return answered.message;
}
