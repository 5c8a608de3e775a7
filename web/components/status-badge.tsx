import { statusLabel, statusTone } from '@/lib/run-status';

/** A run's or task's status as a coloured word (the word is always there; colour only helps). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge tone-${statusTone(status)}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}

/** Beside a running run's status while its flow waits for a person's answer (`ask()`). */
export function WaitingBadge() {
  return (
    <span className="badge tone-warn" data-testid="waiting-for-input" title="The run waits for a person's answer: open it to answer">
      waiting for input
    </span>
  );
}
