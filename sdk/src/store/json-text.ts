/**
 * JSON text for log fields that never throws: a log line must not be lost (or block the lines behind it)
 * because its fields hold a bigint, an Error or a cycle.
 */

/** `JSON.stringify` that keeps Errors readable, writes bigints as strings and cuts cycles. */
export function toJsonText(value: unknown): string {
  try {
    // Fast path for the usual fields, flat primitives: no replacer call per value (half the cost of a line).
    if (isFlatPrimitives(value)) return JSON.stringify(value);
    const seen = new WeakSet<object>();
    return (
      JSON.stringify(value, function replacer(_key, v: unknown) {
        if (typeof v === 'bigint') return v.toString();
        if (typeof v !== 'object' || v === null) return v;
        if (seen.has(v)) return '[Circular]';
        seen.add(v);
        // Error's own properties are not enumerable, so JSON.stringify would write {}.
        if (v instanceof Error) return { ...v, name: v.name, message: v.message, stack: v.stack };
        return v;
      }) ?? 'null'
    );
  } catch (err) {
    // A throwing toJSON() or getter: keep the line, say why its fields are missing.
    return JSON.stringify({ unserializableFields: err instanceof Error ? err.message : String(err) });
  }
}

/** Parses JSON text written by `toJsonText`; text that is not JSON comes back as a string. */
export function fromJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isFlatPrimitives(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    const type = typeof v;
    if (type !== 'string' && type !== 'number' && type !== 'boolean' && v !== null && v !== undefined) return false;
  }
  return true;
}
