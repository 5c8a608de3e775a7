/**
 * The local task behind `pythonTasks()`: the tasks a Python worker published on a queue, name → declared
 * options. Its result is recorded in the run's history, so a replay uses what the run first read.
 */
import type { Store } from '../store';
import type { TaskOptions } from '../task-options';

export function taskCatalogOf(store: Pick<Store, 'tasksOfQueue'>): (taskQueue: string) => Promise<Record<string, TaskOptions>> {
  return async (taskQueue) => {
    const entries = await store.tasksOfQueue(taskQueue);
    return Object.fromEntries(entries.map((e) => [e.name, e.options as TaskOptions]));
  };
}
