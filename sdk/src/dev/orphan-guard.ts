import { spawn } from 'node:child_process';

/**
 * Starts a tiny detached watchdog that stops process group `pgid` (then runs `cleanup`, a shell
 * command) if THIS process dies without stopping it: a test killed with SIGKILL, a terminal closed.
 * 'exit' handlers cannot cover those cases, and a leaked Temporal or PostgreSQL keeps its ports and
 * CPU on a machine several engineers share. The watchdog ends by itself once the group is gone; if
 * this process is gone too by then, it still runs `cleanup`.
 *
 * @example guardAgainstOrphan(child.pid, { signal: 'INT', cleanup: `rm -rf '${dir}'` });
 */
export function guardAgainstOrphan(pgid: number, { signal = 'TERM', cleanup = '' }: { signal?: 'TERM' | 'INT'; cleanup?: string } = {}): void {
  const script = [
    'parent=$1; group=$2; sig=$3',
    // `kill -0 -PGID` is true while any process of the group lives. No `--`: dash (Debian sh) rejects it.
    'while kill -0 "$parent" 2>/dev/null && kill -0 "-$group" 2>/dev/null; do sleep 1; done',
    // The owner may be exiting right now (its exit hook kills the group): let it finish first.
    'sleep 1',
    'kill -0 "$parent" 2>/dev/null && exit 0', // the owner lives: stopping and cleaning up are its job
    'if kill -0 "-$group" 2>/dev/null; then',
    '  kill -"$sig" "-$group" 2>/dev/null',
    '  i=0; while [ $i -lt 10 ] && kill -0 "-$group" 2>/dev/null; do sleep 1; i=$((i+1)); done',
    '  kill -KILL "-$group" 2>/dev/null',
    '  sleep 1',
    'fi',
    cleanup || ':',
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script, 'sluice-orphan-guard', String(process.pid), String(pgid), signal], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
}
