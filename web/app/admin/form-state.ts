import type { ZodError } from 'zod';

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

/** The form's fields without the password (and React's own `$`-fields), to fill the form again after an error. */
export function typedValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form) if (key !== 'password' && typeof value === 'string' && !key.startsWith('$')) values[key] = value;
  return values;
}

/** A failed zod parse as the form's answer: the first message for each field, and (given the form) what was typed. */
export function invalidForm(error: ZodError, form?: FormData): FormState {
  const fieldErrors: Record<string, string> = {};
  for (const issue of error.issues) fieldErrors[String(issue.path[0] ?? 'form')] ??= issue.message;
  return { error: 'Check the fields marked below.', fieldErrors, values: form && typedValues(form) };
}
