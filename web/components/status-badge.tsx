import { statusLabel, statusTone } from '@/lib/run-status';

/** A run's or task's status as a coloured word (the word is always there; colour only helps). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge tone-${statusTone(status)}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
