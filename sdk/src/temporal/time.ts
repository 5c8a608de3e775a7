/**
 * Durations and timestamps as Temporal's API carries them. Temporal's own converters live in an internal path
 * of its SDK (`@temporalio/common/lib/time`) that may change in any release and would pin every repository to
 * one SDK version; these use the same two libraries (ms, long) through their public APIs. Sandbox-safe:
 * `ask()` reads its timeout with `durationToMs`.
 */
/// <reference path="./ms.d.ts" />
import type { Timestamp } from '@temporalio/common';
import Long from 'long';
import ms from 'ms';

/**
 * Milliseconds of a duration as Temporal reads one: a number of milliseconds, or a string such as '2h',
 * '30 minutes', '1.5 days'. NaN when it is not one.
 *
 * @example durationToMs('2 minutes') // 120000
 */
export function durationToMs(duration: string | number): number {
  if (typeof duration === 'number') return duration;
  try {
    return ms(duration);
  } catch {
    return NaN;
  }
}

/** Milliseconds of a protobuf Timestamp or Duration (they share one shape); undefined when there is none. */
export function timestampMs(ts: Timestamp | null | undefined): number | undefined {
  if (ts === null || ts === undefined) return undefined;
  const seconds = ts.seconds === null || ts.seconds === undefined ? 0 : Long.fromValue(ts.seconds).toNumber();
  return seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1_000_000);
}

/** The Date of a protobuf Timestamp; undefined when there is none. */
export function timestampDate(ts: Timestamp | null | undefined): Date | undefined {
  const millis = timestampMs(ts);
  return millis === undefined ? undefined : new Date(millis);
}

/** A protobuf Duration (or Timestamp) of `millis` milliseconds, for the gRPC API's requests. */
export function msToProtoDuration(millis: number): Timestamp {
  return { seconds: Long.fromNumber(Math.floor(millis / 1000)), nanos: (millis % 1000) * 1_000_000 };
}
