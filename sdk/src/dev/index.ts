// Running Sluice on one machine: the embedded Temporal dev server and child processes that never outlive
// their parent. Used by `sluice dev`, the test helper, and Sluice's own `npm start` and test suite.
export { embeddedServerProcs, findTemporalCli, LATENCY_SETTINGS, startDevServer, type DevServer, type DevServerOptions, type LatencySetting } from './dev-server';
export { freePort, isPortFree, waitForPort } from './free-port';
export { isProcessAlive, spawnManaged, type ExitInfo, type ManagedChild, type ManagedChildOptions } from './managed-child';
export { SLUICE_BIN } from './sluice-bin';
