/**
 * Histories kept as files: a folder of Temporal's JSON histories (`replay/` in a workflow repository), as
 * `sluice history export` writes them, Temporal Web downloads them and `temporal workflow show -o json` prints them.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { historyFromJson } from './history-json';
import type { HistoryToReplay } from './replay-histories';
import { SluiceError } from '../errors';

/** A history file that is not a history: names the file and what is wrong with it. */
export class HistoryFileError extends SluiceError {
  static override readonly code = 'invalid_history_file';
  static override readonly kind = 'bad_request';
}

/** Every `*.json` in `dir` (not its subfolders), by name; the file's name stands for the run's workflow id. */
export async function readHistoryFolder(dir: string): Promise<HistoryToReplay[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    throw new HistoryFileError(`cannot read the histories folder ${dir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message} (export histories into it with \`sluice history export --out ${dir}\`)`);
  }
  return Promise.all(names.map((n) => readHistoryFile(path.join(dir, n))));
}

export async function readHistoryFile(file: string): Promise<HistoryToReplay> {
  let history: unknown;
  try {
    history = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new HistoryFileError(`${file}: not a JSON history (${(err as Error).message})`);
  }
  const events = (history as { events?: unknown })?.events;
  if (!Array.isArray(events) || events.length === 0 || !(events[0] as { workflowExecutionStartedEventAttributes?: unknown })?.workflowExecutionStartedEventAttributes) {
    throw new HistoryFileError(`${file}: not a run's history (expected Temporal's JSON: { "events": [ the WorkflowExecutionStarted event, … ] })`);
  }
  try {
    return { workflowId: path.basename(file, '.json'), history: historyFromJson(history as { events: Record<string, unknown>[] }), source: file };
  } catch (err) {
    throw new HistoryFileError(`${file}: not a history Temporal can read (${(err as Error).message})`);
  }
}

/** A file name for a run's history: its flow and run id, with what a file name cannot hold replaced. */
export function historyFileName(flow: string, runId: string): string {
  return `${`${flow}-${runId}`.replace(/[^\w.-]/g, '_')}.json`;
}
