/**
 * The one base of Sluice's errors: a stable `code` per class (docs/errors.md lists them) and an `instanceof` that
 * holds across bundles and copies of this module. Next.js may load Sluice's modules once per route bundle, and a
 * workflow repository may hold a second copy of `sluice`: the class objects then differ, so `instanceof` checks
 * a brand under `Symbol.for` (one symbol per process) instead of the prototype chain — never the class name.
 *
 * @example
 * export class UnknownFlowError extends SluiceError {
 *   static override readonly code = 'unknown_flow';
 *   static override readonly kind = 'not_found';
 * }
 * try { await sluice.start('rainfal', {}) } catch (err) { if (err instanceof UnknownFlowError) console.log(err.code) }
 */

/**
 * How a caller should take the error, named as the HTTP API's `error.code` says it: what was wrong with the
 * request (`bad_request`, `not_found`, `conflict`, …), the service not answering (`unavailable`), or Sluice's
 * own fault (`internal`). {@link HTTP_STATUS} gives each its status.
 *
 * @example
 * if (err instanceof SluiceError && err.kind === 'not_found') console.error(`not found: ${err.message}`);
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'invalid_parameters'
  | 'invalid_answer'
  | 'conflict'
  | 'incompatible_worker'
  | 'unavailable'
  | 'internal';

/** The HTTP status of each kind: the one table the API's answers and docs/errors.md follow. */
export const HTTP_STATUS: Readonly<Record<ErrorKind, number>> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_parameters: 422,
  invalid_answer: 400,
  conflict: 409,
  // A worker whose protocol this server does not serve (sluice/compat): a conflict of versions, not of HTTP
  // protocols, which 426 Upgrade Required is for.
  incompatible_worker: 409,
  unavailable: 503,
  internal: 500,
};

/** The codes of an error's class and the classes it extends; one symbol per process, whichever copy made it. */
const CODES = Symbol.for('sluice.error.codes');

/**
 * Base of every error Sluice throws on purpose. Each subclass declares its own static `code` (unique, stable:
 * programs may compare it) and `kind`; its message is written for the person who can fix the cause.
 *
 * @example
 * try { await sluice.start('rainfallReport', { station: 'Eelde' }); }
 * catch (err) { if (err instanceof SluiceError) console.error(`${err.code}: ${err.message}`); else throw err; }
 */
export class SluiceError extends Error {
  /** Stable identifier of this class of error, in snake_case. Each subclass declares its own. */
  static readonly code: string = 'sluice_error';
  /** How the HTTP API answers this error (see {@link HTTP_STATUS}); `internal` unless the subclass says otherwise. */
  static readonly kind: ErrorKind = 'internal';

  /** The class's `code`, on the instance: survives logging and bundling. */
  readonly code: string;
  readonly kind: ErrorKind;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    const type = new.target as typeof SluiceError;
    this.code = type.code;
    this.kind = type.kind;
    const codes: string[] = [];
    for (let c: unknown = type; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'code')) codes.push((c as typeof SluiceError).code);
    }
    Object.defineProperty(this, CODES, { value: Object.freeze(codes), enumerable: false });
  }

  /** `err instanceof UnknownFlowError`: whether `err` was made by a class of that code, from any copy of Sluice. */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const codes = (value as { [CODES]?: unknown })[CODES];
    return Array.isArray(codes) && codes.includes((this as typeof SluiceError).code);
  }
}
