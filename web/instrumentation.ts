// Next calls register() once when the server starts: Sluice's start-up checks run there, then the notifier and the retention sweeper.
export async function register() {
  // NEXT_RUNTIME is Next's own switch (nodejs or edge); the start-up checks need Node (the store).
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // First, so no request with a method Next cannot dispatch (TRACE …) meets a 500 while the checks run.
  const { refuseUnknownMethods } = await import('./app/api/_lib/methods');
  refuseUnknownMethods();
  const { startUp } = await import('./lib/auth/start-up');
  await startUp();
  const { startNotifier } = await import('./lib/notifier.server');
  startNotifier();
  const { startRetentionSweeper } = await import('./lib/retention.server');
  startRetentionSweeper();
}
