// `sluice/internal/dev`: for the Sluice web app and Sluice's own tools and tests; no semver, it may change in any
// release. A workflow repository uses `sluice`, `sluice/flow`, `sluice/client` and `sluice/testing`.
// Running Sluice on one machine: the embedded Temporal dev server and child processes that never outlive
// their parent. Used by `sluice dev`, the test helper, and Sluice's own `npm start` and test suite.
export { embeddedServerProcs, findTemporalCli, LATENCY_SETTINGS, startDevServer, type DevServer, type DevServerOptions, type LatencySetting } from './dev-server';
export { freePort, isPortFree, waitForPort } from './free-port';
export { waitForPollersInChild } from './in-child';
export { isProcessAlive, spawnManaged, type ExitInfo, type ManagedChild, type ManagedChildOptions } from './managed-child';
export { SLUICE_BIN } from './sluice-bin';
