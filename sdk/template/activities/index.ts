// Every task the worker registers. A task's name is its export name here.
export * from './rainfall';
