/**
 * Servers must not outlive the process that started them, even when it is killed with SIGKILL
 * (no 'exit' handler runs then): a leaked Temporal or PostgreSQL keeps ports and CPU on a shared machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isProcessAlive } from 'sluice/internal/dev';

const fixture = join(__dirname, 'fixtures', 'start-and-hang.ts');


async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return condition();
}

async function startThenKill(kind: string): Promise<Record<string, number | string>> {
  const parent = spawn(process.execPath, ['--import', 'tsx', fixture, kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: parent.stdout! }).once('line', resolve);
    parent.once('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
  });
  const info = JSON.parse(line) as Record<string, number | string>;
  assert.ok(isProcessAlive(Number(info.pid)), 'the server runs while its parent does');
  if (parent.exitCode === null) {
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    if (!kind.endsWith('-exit')) parent.kill('SIGKILL');
    await exited;
  }
  return info;
}

test('a child process group dies with its SIGKILLed parent', async () => {
  const info = await startThenKill('sleep');
  assert.ok(await until(() => !isProcessAlive(Number(info.pid)) && !isProcessAlive(Number(info.grandchild)), 10_000), 'leader and grandchild are gone');
});

test('the Temporal dev server dies with its SIGKILLed parent', async () => {
  const info = await startThenKill('temporal');
  assert.ok(await until(() => !isProcessAlive(Number(info.pid)), 20_000), `temporal pid ${info.pid} is gone`);
});

test("PostgreSQL dies with its SIGKILLed parent and its directory is removed", async () => {
  const info = await startThenKill('postgres');
  assert.ok(existsSync(String(info.dir)));
  assert.ok(await until(() => !isProcessAlive(Number(info.pid)) && !existsSync(String(info.dir)), 20_000), `postgres pid ${info.pid} and ${info.dir} are gone`);
});

test('PostgreSQL dies and its directory is removed when its parent exits without stopping it', async () => {
  const info = await startThenKill('postgres-exit');
  assert.ok(await until(() => !isProcessAlive(Number(info.pid)) && !existsSync(String(info.dir)), 20_000), `postgres pid ${info.pid} and ${info.dir} are gone`);
});
