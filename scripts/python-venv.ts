/**
 * The Python side's virtual environment, one for npm start, the tests and the benchmarks: scripts/venv.sh
 * makes it once per machine from python/requirements*.txt (minutes the first time, then cached), and every
 * Python process runs this checkout's package (python/src on PYTHONPATH), never an installed copy.
 */
import { execFileSync } from 'node:child_process';
import { delimiter, join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const REQUIREMENTS = ['requirements.txt', 'requirements-dev.txt'].map((f) => join(root, 'python', f));

let python: string | undefined;

/** The venv's python, made on first use. */
export function venvPython(): string {
  python ??= join(
    execFileSync('bash', [join(root, 'scripts/venv.sh'), 'python', ...REQUIREMENTS], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim(),
    'bin/python',
  );
  return python;
}

/** The environment of a Python process of this checkout; `paths` are more module folders. */
export function pythonEnv(env: NodeJS.ProcessEnv, paths: string[] = []): NodeJS.ProcessEnv {
  return { ...env, PYTHONPATH: [join(root, 'python/src'), ...paths, env.PYTHONPATH].filter(Boolean).join(delimiter), PYTHONUNBUFFERED: '1' };
}
