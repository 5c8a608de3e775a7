'use client';

/**
 * The form that starts a run (and answers a run's question: the same machinery), drawn from a JSON Schema: one control per parameter (types,
 * defaults, choices, required marks, descriptions). It checks what it can in the browser, with the error
 * beside the field, and the server action checks everything again before anything starts.
 */
import { useActionState, useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  formFromSchema,
  initialInputValues,
  parseFormValues,
  placeholderFor,
  relaxRequired,
  type FieldErrors,
  type FormField,
  type InputValues,
} from '@/lib/json-schema-form';

export interface RunFormState {
  error?: string;
  fieldErrors?: FieldErrors;
}

export interface RunFormProps {
  schema: unknown;
  /** The values to start from (a run being re-run); else the schema's defaults. */
  values?: unknown;
  /** Parameters something else supplies (a deployment's): not required in the form. */
  supplied?: string[];
  /** Hidden fields the action needs: flow, deployment, the run being re-run. */
  hidden: Record<string, string>;
  action: (state: RunFormState, formData: FormData) => Promise<RunFormState>;
  submitLabel: string;
  /** The button's label while the action runs. Default 'Starting…'. */
  pendingLabel?: string;
  /** The form's data-testid. Default 'run-form'. */
  testId?: string;
}

function Field({
  field,
  value,
  error,
  onChange,
}: {
  field: FormField;
  value: string | string[];
  error: string | undefined;
  onChange: (value: string | string[]) => void;
}) {
  const id = `field-${field.name}`;
  const help = field.description ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [help, errorId].filter(Boolean).join(' ') || undefined;
  const common = { id, name: field.inputName, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy } as const;
  const text = typeof value === 'string' ? value : '';
  const defaultNote =
    field.defaultValue !== undefined && field.kind !== 'boolean' ? `Default: ${typeof field.defaultValue === 'string' ? field.defaultValue : JSON.stringify(field.defaultValue)}.` : '';

  let control;
  switch (field.kind) {
    case 'boolean':
      control = (
        <label className="checks" htmlFor={id}>
          <input {...common} type="checkbox" checked={value === 'on'} onChange={(e) => onChange(e.target.checked ? 'on' : '')} />
          <span>{field.label}</span>
        </label>
      );
      break;
    case 'select':
      control = (
        <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          {(!field.required || text === '') && <option value="">{field.required ? 'Choose…' : '(leave out)'}</option>}
          {field.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    case 'multiselect': {
      const chosen = Array.isArray(value) ? value : [];
      control = (
        <div className="checks" role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
          {field.options.map((o) => (
            <label key={o.value}>
              <input
                type="checkbox"
                name={field.inputName}
                value={o.value}
                checked={chosen.includes(o.value)}
                onChange={(e) => onChange(e.target.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value))}
              />
              {o.label}
            </label>
          ))}
        </div>
      );
      break;
    }
    case 'list':
    case 'json':
      control = (
        <textarea
          {...common}
          rows={field.kind === 'json' ? 6 : 4}
          value={text}
          placeholder={placeholderFor(field)}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    default:
      control = (
        <input
          {...common}
          type={field.kind === 'date' ? 'date' : 'text'}
          inputMode={field.kind === 'integer' ? 'numeric' : field.kind === 'number' ? 'decimal' : undefined}
          value={text}
          placeholder={placeholderFor(field)}
          autoComplete="off"
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }

  return (
    <div className="field" data-field={field.name}>
      {field.kind !== 'boolean' && (
        <label htmlFor={field.kind === 'multiselect' ? undefined : id} id={`${id}-label`}>
          {field.label}
          {field.required && (
            <span className="required" aria-hidden="true">
              *
            </span>
          )}
          <span className="faint mono"> {field.name}</span>
        </label>
      )}
      {control}
      {(field.description || defaultNote) && (
        <div className="help" id={help}>
          {[field.description, defaultNote].filter(Boolean).join(' · ')}
        </div>
      )}
      {error && (
        <div className="error" id={errorId} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

export function RunForm({ schema, values, supplied = [], hidden, action, submitLabel, pendingLabel = 'Starting…', testId = 'run-form' }: RunFormProps) {
  const form = useMemo(() => relaxRequired(formFromSchema(schema), supplied), [schema, supplied]);
  const [inputs, setInputs] = useState<InputValues>(() => initialInputValues(form, values));
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const [state, formAction, pending] = useActionState(action, {});
  // Set once React has taken over the server's HTML: a value typed before then is reset by hydration, so a
  // browser test (or anything driving the page) waits for data-ready before filling the form.
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  // The server's answer replaces the browser's check once it arrives.
  useEffect(() => setClientErrors({}), [state]);
  const errors = { ...(state.fieldErrors ?? {}), ...clientErrors };

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    const { errors: found } = parseFormValues(form, (name) => {
      const v = inputs[name];
      return v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v];
    });
    setClientErrors(found);
    if (Object.keys(found).length > 0) {
      e.preventDefault();
      const first = form.fields.find((f) => found[f.name]);
      if (first) document.getElementById(`field-${first.name}`)?.focus();
    }
  };

  return (
    <form className="form" action={formAction} onSubmit={onSubmit} noValidate data-testid={testId} data-ready={ready || undefined}>
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {form.mode === 'none' && <p className="muted">This flow takes no parameters.</p>}
      {form.fields.map((field) => (
        <Field
          key={field.name}
          field={field}
          value={inputs[field.inputName] ?? ''}
          error={errors[field.name]}
          onChange={(value) => {
            setInputs((current) => ({ ...current, [field.inputName]: value }));
            setClientErrors(({ [field.name]: _fixed, ...rest }) => rest);
          }}
        />
      ))}
      {(state.error || errors['']) && (
        <div className="form-error" role="alert" data-testid="form-error">
          {state.error}
          {errors[''] ? ` ${errors['']}` : ''}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? pendingLabel : submitLabel}
        </button>
      </div>
    </form>
  );
}
