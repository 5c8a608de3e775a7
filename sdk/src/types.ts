/**
 * The words and shapes every part of Sluice shares — run statuses, log levels, roles, what the client
 * returns — with no code that needs Node: safe in a browser bundle (the web app's client components).
 */
export * from './client/types';
export { LOG_LEVELS, ROLES, TOKEN_ROLES, levelsFrom } from './store/types';
export type { FlowEntry, LogLevel, LogQuery, LogRecord, Role, StoredLog, TokenRole } from './store/types';
