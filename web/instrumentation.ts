// Next calls register() once when the server starts: Sluice's start-up checks run there, then the notifier and the retention sweeper.
export async function register() {
  // NEXT_RUNTIME is Next's own switch (nodejs or edge); the start-up checks need Node (the store).
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startUp } = await import('./lib/auth/start-up');
  await startUp();
  const { startNotifier } = await import('./lib/notifier.server');
  startNotifier();
  const { startRetentionSweeper } = await import('./lib/retention.server');
  startRetentionSweeper();
}
