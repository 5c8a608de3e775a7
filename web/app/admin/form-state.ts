/** What an admin form's server action answers: a message for the form, and errors beside fields. */
export interface FormState {
  ok?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
  /** A new API token's secret: shown once, right after creation. */
  token?: string;
  /** What was typed, given back after an error (React resets a form after its action): never a password. */
  values?: Record<string, string>;
}

export const EMPTY: FormState = {};
