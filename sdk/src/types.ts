/**
 * `sluice/internal/types`, for the Sluice web app (no semver): the words and shapes every part of Sluice
 * shares — run statuses, log levels, roles, what the client returns — with no code that needs Node: safe in a
 * browser bundle (the web app's client components). A workflow repository imports these from `sluice/client`.
 */
export * from './client/types';
export { LOG_LEVELS, ROLES, TOKEN_ROLES, levelsFrom } from './store/types';
export type { FlowEntry, LogLevel, LogQuery, LogRecord, Role, StoredLog, TokenRole } from './store/types';
export { ARTIFACT_KINDS, MAX_ARTIFACT_BYTES, MAX_TABLE_ROWS, artifactSchema, parseArtifact } from './artifacts';
export type { Artifact, ArtifactKind, ChartArtifact, ImageArtifact, LinkArtifact, MarkdownArtifact, StoredArtifact, TableArtifact } from './artifacts';
export { openQuestionOf, type AnswerInput, type Question } from './questions';
export { afterStarter, httpStarter, httpWorkflowId, isFiringOf, triggerSecretName, triggersOf, type DeclaredTrigger } from './triggers';
