/**
 * Turns a flow's parameters JSON Schema (made from its zod schema) into form fields, and a submitted form back
 * into typed parameter values with a readable error per field.
 *
 * Pure and dependency-free on purpose: the run form uses it in the browser (errors before a round trip) and the
 * server action uses it again (nothing starts on bad input, whatever the browser did). The flow's own zod schema
 * then validates a third time inside `client.start`.
 *
 * @example
 * const form = formFromSchema(flow.parametersSchema);
 * const { values, errors } = parseFormValues(form, (name) => formData.getAll(name).map(String));
 */

export type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  [key: string]: unknown;
};

/** How a field is drawn and read (a list, so tests can check that every kind is covered). */
export const FIELD_KINDS = [
  'text', // a single-line string
  'date', // format: date (YYYY-MM-DD, the browser's date picker)
  'number',
  'integer',
  'boolean', // a checkbox
  'select', // one of an enum
  'multiselect', // an array of enum values: a group of checkboxes
  'list', // an array of strings or numbers: one per line
  'json', // anything else (objects, mixed unions): JSON text
] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

export interface FieldOption {
  /** What the browser submits: the enum value as text. */
  value: string;
  label: string;
}

export interface FormField {
  /** The parameter's key in the flow's parameters object. */
  name: string;
  /** The form control's name; prefixed so it never collides with Next's own `$ACTION_*` entries. */
  inputName: string;
  label: string;
  description: string | null;
  kind: FieldKind;
  /** True when the user must fill it in (required by the schema and without a default). */
  required: boolean;
  /** True when the schema accepts null: an empty input then submits null rather than leaving it out. */
  nullable: boolean;
  options: FieldOption[];
  /** The list's element kind, for `list` fields. */
  itemKind?: 'text' | 'number' | 'integer';
  defaultValue: unknown;
  /** The property's schema with a nullable wrapper removed: the constraints checked here. */
  schema: JsonSchema;
}

export interface SchemaForm {
  /**
   * fields: an object schema drawn field by field. json: a schema that is not an object of properties, edited as
   * one JSON text (field name `parameters`). none: the flow takes no parameters.
   */
  mode: 'fields' | 'json' | 'none';
  fields: FormField[];
}

/**
 * The form with the named fields no longer required: what a deployment's parameters already supply (a field
 * left empty then keeps the deployment's value).
 */
export function relaxRequired(form: SchemaForm, supplied: Iterable<string>): SchemaForm {
  const names = new Set(supplied);
  return { ...form, fields: form.fields.map((f) => (names.has(f.name) ? { ...f, required: false } : f)) };
}

/** The form control values (all text, or a list of texts for checkbox groups) a form starts with. */
export type InputValues = Record<string, string | string[]>;

/** Errors keyed by parameter name; '' holds an error about the parameters as a whole. */
export type FieldErrors = Record<string, string>;

export const INPUT_PREFIX = 'p.';
const ROOT_JSON = 'parameters';

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

/** Removes a `null` alternative (zod's `.nullable()`), telling whether there was one. */
function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const nonNull = alternatives.filter((s) => !(s.type === 'null' || (s.const === null && !s.type)));
    if (nonNull.length < alternatives.length && nonNull.length === 1) {
      const { anyOf: _a, oneOf: _o, ...rest } = schema;
      return { schema: { ...rest, ...nonNull[0] }, nullable: true };
    }
  }
  const types = typesOf(schema);
  if (types.includes('null') && types.length === 2) {
    return { schema: { ...schema, type: types.find((t) => t !== 'null') }, nullable: true };
  }
  return { schema, nullable: false };
}

/** The allowed values when the schema is an enum, or a union of constants (`z.union([z.literal(1), ...])`). */
function enumValues(schema: JsonSchema): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  if (schema.const !== undefined) return [schema.const];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0 && alternatives.every((s) => s.const !== undefined)) {
    return alternatives.map((s) => s.const);
  }
  return undefined;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** `startDate` / `start_date` → `Start date`. */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function kindOf(schema: JsonSchema): Pick<FormField, 'kind' | 'options' | 'itemKind'> {
  const values = enumValues(schema);
  if (values && values.every(isScalar)) {
    return { kind: 'select', options: values.map((v) => ({ value: String(v), label: String(v) })) };
  }
  const type = typesOf(schema)[0];
  if (type === 'string') return { kind: schema.format === 'date' ? 'date' : 'text', options: [] };
  if (type === 'integer') return { kind: 'integer', options: [] };
  if (type === 'number') return { kind: 'number', options: [] };
  if (type === 'boolean') return { kind: 'boolean', options: [] };
  if (type === 'array' && schema.items) {
    const items = unwrapNullable(schema.items).schema;
    const itemValues = enumValues(items);
    if (itemValues && itemValues.every(isScalar)) {
      return { kind: 'multiselect', options: itemValues.map((v) => ({ value: String(v), label: String(v) })) };
    }
    const itemType = typesOf(items)[0];
    if (itemType === 'string') return { kind: 'list', options: [], itemKind: 'text' };
    if (itemType === 'number' || itemType === 'integer') return { kind: 'list', options: [], itemKind: itemType };
  }
  return { kind: 'json', options: [] };
}

/** The form for a flow's parameters schema. */
export function formFromSchema(schema: unknown): SchemaForm {
  if (!schema || typeof schema !== 'object') return { mode: 'none', fields: [] };
  const root = schema as JsonSchema;
  const isObject = typesOf(root).includes('object') || (!!root.properties && !root.type);
  if (!isObject) {
    // `{}` (any value) or a schema without a shape: nothing to draw field by field.
    if (Object.keys(root).filter((k) => !k.startsWith('$')).length === 0) return { mode: 'none', fields: [] };
    return {
      mode: 'json',
      fields: [
        {
          name: ROOT_JSON,
          inputName: INPUT_PREFIX + ROOT_JSON,
          label: 'Parameters (JSON)',
          description: root.description ?? null,
          kind: 'json',
          required: true,
          nullable: false,
          options: [],
          defaultValue: root.default,
          schema: root,
        },
      ],
    };
  }
  const required = new Set(root.required ?? []);
  const fields = Object.entries(root.properties ?? {}).map(([name, property]): FormField => {
    const { schema: inner, nullable } = unwrapNullable(property);
    const defaultValue = property.default ?? inner.default;
    return {
      name,
      inputName: INPUT_PREFIX + name,
      label: inner.title ?? property.title ?? humanize(name),
      description: property.description ?? inner.description ?? null,
      ...kindOf(inner),
      // zod's JSON Schema lists defaulted fields as required (output view); the user may still leave them empty.
      required: required.has(name) && defaultValue === undefined,
      nullable,
      defaultValue,
      schema: inner,
    };
  });
  return { mode: fields.length === 0 ? 'none' : 'fields', fields };
}

/** A value shown in an input: dates and numbers as typed, objects as indented JSON. */
function toInput(field: FormField, value: unknown): string | string[] {
  if (value === undefined || value === null) return field.kind === 'multiselect' ? [] : '';
  switch (field.kind) {
    case 'boolean':
      return value === true ? 'on' : '';
    case 'multiselect':
      return Array.isArray(value) ? value.map(String) : [];
    case 'list':
      return Array.isArray(value) ? value.map(String).join('\n') : String(value);
    case 'json':
      return JSON.stringify(value, null, 2);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/**
 * What each control starts with: `values` (say, the parameters of the run being re-run) where given, else the
 * schema's default. Keyed by input name.
 */
export function initialInputValues(form: SchemaForm, values?: unknown): InputValues {
  const given = values && typeof values === 'object' ? (values as Record<string, unknown>) : undefined;
  const result: InputValues = {};
  for (const field of form.fields) {
    if (form.mode === 'json') {
      result[field.inputName] = toInput(field, values !== undefined ? values : field.defaultValue);
      continue;
    }
    const value = given && field.name in given ? given[field.name] : field.defaultValue;
    result[field.inputName] = toInput(field, value);
  }
  return result;
}

const FORMAT_HINTS: Record<string, string> = {
  date: 'Enter a date as YYYY-MM-DD, e.g. 2024-05-01.',
  'date-time': 'Enter a UTC date and time as YYYY-MM-DDTHH:MM:SSZ, e.g. 2024-05-01T06:00:00Z.',
  email: 'Enter an email address, e.g. alice@example.org.',
  uri: 'Enter a full URL, e.g. https://example.org/data.csv.',
  url: 'Enter a full URL, e.g. https://example.org/data.csv.',
};

/** An example shown in an empty text input. */
export function placeholderFor(field: FormField): string | undefined {
  if (field.kind === 'list') return field.itemKind === 'text' ? 'one value per line' : 'one number per line';
  if (field.kind === 'json') return '{ }';
  const format = field.schema.format;
  if (format === 'date-time') return '2024-05-01T06:00:00Z';
  if (format === 'email') return 'alice@example.org';
  if (format === 'uri' || format === 'url') return 'https://…';
  return undefined;
}

function checkNumber(schema: JsonSchema, n: number): string | undefined {
  if (schema.minimum !== undefined && n < schema.minimum) return `Must be at least ${schema.minimum}.`;
  if (schema.maximum !== undefined && n > schema.maximum) return `Must be at most ${schema.maximum}.`;
  if (schema.exclusiveMinimum !== undefined && n <= schema.exclusiveMinimum) return `Must be greater than ${schema.exclusiveMinimum}.`;
  if (schema.exclusiveMaximum !== undefined && n >= schema.exclusiveMaximum) return `Must be less than ${schema.exclusiveMaximum}.`;
  return undefined;
}

function parseNumber(text: string, integer: boolean): { value?: number; error?: string } {
  const trimmed = text.trim();
  const n = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(n)) return { error: integer ? 'Enter a whole number, e.g. 42.' : 'Enter a number, e.g. 3.5.' };
  if (integer && !Number.isInteger(n)) return { error: 'Enter a whole number, without decimals.' };
  return { value: n };
}

function checkString(schema: JsonSchema, s: string): string | undefined {
  if (schema.minLength !== undefined && s.length < schema.minLength) return `Enter at least ${schema.minLength} characters.`;
  if (schema.maxLength !== undefined && s.length > schema.maxLength) return `Enter at most ${schema.maxLength} characters.`;
  if (schema.pattern) {
    let matches = true;
    try {
      matches = new RegExp(schema.pattern, 'u').test(s);
    } catch {
      // A pattern this engine cannot compile is left to the server's zod check.
    }
    if (!matches) return (schema.format && FORMAT_HINTS[schema.format]) || `Does not match the expected pattern ${schema.pattern}.`;
  }
  return undefined;
}

function checkArray(schema: JsonSchema, items: unknown[]): string | undefined {
  if (schema.minItems !== undefined && items.length < schema.minItems) return `Give at least ${schema.minItems}.`;
  if (schema.maxItems !== undefined && items.length > schema.maxItems) return `Give at most ${schema.maxItems}.`;
  return undefined;
}

function checkArrayField(schema: JsonSchema, values: unknown[]): { value?: unknown; error?: string } {
  const error = checkArray(schema, values);
  return error ? { error } : { value: values };
}

/** Reads one field. `undefined` value = leave the parameter out (the flow's default applies). */
function parseField(field: FormField, inputs: string[]): { value?: unknown; error?: string } {
  const schema = field.schema;
  const text = inputs[0] ?? '';
  if (field.kind === 'boolean') return { value: inputs.some((v) => v === 'on' || v === 'true') };
  if (field.kind === 'multiselect') {
    const allowed = enumValues(unwrapNullable(schema.items ?? {}).schema) ?? [];
    const values: unknown[] = [];
    for (const input of inputs) {
      const match = allowed.find((v) => String(v) === input);
      if (match === undefined) return { error: `“${input}” is not one of: ${allowed.map(String).join(', ')}.` };
      values.push(match);
    }
    // Boxes start checked as the default says, so none checked is a choice (the empty list), unless there is no
    // default to differ from: then the parameter is left out.
    if (values.length === 0 && !field.required && field.defaultValue === undefined) return {};
    return checkArrayField(schema, values);
  }

  const empty = field.kind === 'json' || field.kind === 'list' ? text.trim() === '' : text === '';
  if (empty) {
    if (field.nullable) return { value: null };
    // A list starts filled with its default, so one emptied on purpose means the empty list, not the default again.
    if (field.kind === 'list' && field.defaultValue !== undefined) return checkArrayField(schema, []);
    if (field.required) return { error: field.kind === 'select' ? 'Choose a value.' : 'Required: enter a value.' };
    return {};
  }

  switch (field.kind) {
    case 'select': {
      const values = enumValues(schema) ?? [];
      const match = values.find((v) => String(v) === text);
      if (match === undefined) return { error: `Choose one of: ${values.map(String).join(', ')}.` };
      return { value: match };
    }
    case 'number':
    case 'integer': {
      const parsed = parseNumber(text, field.kind === 'integer');
      if (parsed.error) return parsed;
      const error = checkNumber(schema, parsed.value!);
      return error ? { error } : parsed;
    }
    case 'list': {
      const lines = text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '');
      const items = unwrapNullable(schema.items ?? {}).schema;
      const values: unknown[] = [];
      for (const [i, line] of lines.entries()) {
        if (field.itemKind === 'text') {
          const error = checkString(items, line);
          if (error) return { error: `Line ${i + 1}: ${error}` };
          values.push(line);
        } else {
          const parsed = parseNumber(line, field.itemKind === 'integer');
          const error = parsed.error ?? checkNumber(items, parsed.value!);
          if (error) return { error: `Line ${i + 1}: ${error}` };
          values.push(parsed.value);
        }
      }
      return checkArrayField(schema, values);
    }
    case 'json': {
      try {
        return { value: JSON.parse(text) };
      } catch (err) {
        return { error: `Not valid JSON: ${(err as Error).message}. Use double quotes around keys and text.` };
      }
    }
    default: {
      const error = checkString(schema, text);
      return error ? { error } : { value: text };
    }
  }
}

/**
 * Reads a submitted form into parameter values. `get(inputName)` returns every value submitted under that name
 * (FormData.getAll). Returns the values and, when anything is wrong, one readable error per parameter.
 */
export function parseFormValues(form: SchemaForm, get: (inputName: string) => string[]): { values: unknown; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (form.mode === 'none') return { values: {}, errors };
  if (form.mode === 'json') {
    const field = form.fields[0];
    const parsed = parseField(field, get(field.inputName));
    if (parsed.error) errors[field.name] = parsed.error;
    return { values: parsed.value, errors };
  }
  const values: Record<string, unknown> = {};
  for (const field of form.fields) {
    const parsed = parseField(field, get(field.inputName));
    if (parsed.error) errors[field.name] = parsed.error;
    else if (parsed.value !== undefined) values[field.name] = parsed.value;
  }
  return { values, errors };
}

/**
 * Places issues reported by the server-side schema (`{ path: 'regions.0', message }`) beside the fields they
 * concern: the first path segment names the field; an issue on no known field goes under ''.
 */
export function issuesToFieldErrors(form: SchemaForm, issues: { path: string; message: string }[]): FieldErrors {
  const names = new Set(form.fields.map((f) => f.name));
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const segments = issue.path.split('.').filter(Boolean);
    const first = segments[0] ?? '';
    const key = form.mode === 'json' ? ROOT_JSON : names.has(first) ? first : '';
    const detail = key && segments.length > 1 ? `${segments.slice(1).join('.')}: ${issue.message}` : key === '' && issue.path ? `${issue.path}: ${issue.message}` : issue.message;
    errors[key] = errors[key] ? `${errors[key]} ${detail}` : detail;
  }
  return errors;
}
