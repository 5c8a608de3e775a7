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
export { ensureRetention, retentionSeconds } from './namespace';
export {
  ensureSearchAttributes,
  SEARCH_ATTRIBUTES,
  SearchAttributesError,
  type SearchAttributeName,
} from './search-attributes';
