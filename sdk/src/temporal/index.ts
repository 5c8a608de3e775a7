// Temporal plumbing shared by the worker, the web app, scripts and tests.
export { connect, parseTemporalConfig, temporalConfig, TemporalConfigError, type TemporalConfig } from './connection';
export { runsTemporalKeeps } from './kept-runs';
export { ensureRetention, retentionSeconds } from './namespace';
export {
  ensureSearchAttributes,
  SEARCH_ATTRIBUTES,
  SearchAttributesError,
  type SearchAttributeName,
} from './search-attributes';
