import { formatJson } from '@/lib/format';

/** A value as indented JSON; long values start folded so the page stays short. */
export function JsonBlock({ value, label, foldAbove = 20 }: { value: unknown; label: string; foldAbove?: number }) {
  if (value === undefined || value === null) return <span className="faint">none</span>;
  const text = formatJson(value);
  const lines = text.split('\n').length;
  if (lines <= foldAbove) return <pre className="block" aria-label={label}>{text}</pre>;
  return (
    <details>
      <summary className="muted">
        {label}: {lines} lines (show)
      </summary>
      <pre className="block" aria-label={label}>{text}</pre>
    </details>
  );
}
