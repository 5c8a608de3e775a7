// Every flow the worker serves. A flow's name is its export name here.
export * from './rainfall-summary';
export * from './rainfall-watch';
