// Every flow the worker serves. A flow's name is its export name here (Temporal's workflow type).
export * from './flaky-download';
export * from './rainfall-anomalies';
export * from './rainfall-report';
export * from './rainfall-surface';
export * from './reservoir-simulation';
