// `sluice/internal/temporal`: for the Sluice web app and Sluice's own tools and tests; no semver, it may change in any
// release. A workflow repository uses `sluice`, `sluice/flow`, `sluice/client` and `sluice/testing`.
// Temporal plumbing shared by the worker, the web app, scripts and tests.
export {
  connect,
  connectionOptions,
  parseTemporalConfig,
  reachTemporal,
  temporalConfig,
  TemporalConfigError,
  TemporalUnreachableError,
  withoutTemporalSecurity,
  type TemporalAccess,
  type TemporalConfig,
  type TemporalConnectionOptions,
  type TemporalTls,
} from './connection';
export { runsTemporalKeeps } from './kept-runs';
export { durationToMs, timestampDate, timestampMs } from './time';
export { ensureRetention, retentionSeconds } from './namespace';
export {
  ensureSearchAttributes,
  SEARCH_ATTRIBUTES,
  SearchAttributesError,
  type SearchAttributeName,
} from './search-attributes';
