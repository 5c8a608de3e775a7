/**
 * What a workflow repository records about itself in its package.json, so its worker needs no setting to keep
 * to its own: `"sluice": { "taskQueue": "rain-flows", "repository": "rain-flows-3f9a0c1e" }` (`sluice new`
 * writes both). The repository's identity owns the flows its worker publishes and the schedules it syncs; a
 * worker of another repository never retires or deletes them, whatever task queue it was started on.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SluiceError } from '../errors';

export interface RepositorySettings {
  /** The package.json the settings come from; none when no package.json encloses the workflows module. */
  packageFile?: string;
  /** `sluice.taskQueue`: the task queue its worker serves unless SLUICE_TASK_QUEUE / --task-queue say otherwise. */
  taskQueue?: string;
  /** `sluice.repository`, else the package's `name`: who owns the flows and schedules its worker publishes. */
  repository?: string;
}

/** Thrown when package.json's "sluice" settings are not what Sluice reads; the message names the file. */
export class RepositorySettingsError extends SluiceError {
  static override readonly code = 'invalid_repository_settings';
  static override readonly kind = 'bad_request';

  override name = 'RepositorySettingsError';
}

const name = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._@/-]*$/, "letters, digits, '.', '_', '-', '@' and '/', starting with a letter or digit");
const packageJson = z.object({
  name: z.string().optional(),
  sluice: z.object({ taskQueue: name.optional(), repository: name.optional() }).optional(),
});

/** The settings of the repository holding `workflowsPath`: the nearest package.json at or above it. */
export function repositorySettingsOf(workflowsPath: string): RepositorySettings {
  const packageFile = nearestPackageJson(path.dirname(workflowsPath));
  if (!packageFile) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(packageFile, 'utf8'));
  } catch (e) {
    throw new RepositorySettingsError(`${packageFile} is not valid JSON (${(e as Error).message})`);
  }
  const parsed = packageJson.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new RepositorySettingsError(`${packageFile}: ${problems}`);
  }
  const { sluice, name: packageName } = parsed.data;
  return { packageFile, taskQueue: sluice?.taskQueue, repository: sluice?.repository ?? (packageName || undefined) };
}

function nearestPackageJson(dir: string): string | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const file = path.join(at, 'package.json');
    if (existsSync(file)) return file;
    if (path.dirname(at) === at) return undefined;
  }
}
