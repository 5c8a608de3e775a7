/** This package's version, read from its package.json: what the worker declares and the web app answers. */
export const SLUICE_VERSION: string = (require('../package.json') as { version: string }).version;
