// Every task the worker registers. A task's name is its export name here.
export * from './anomalies';
export * from './flaky-download';
export * from './rainfall';
export * from './reservoir';
