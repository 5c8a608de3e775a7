/**
 * A run's history to and from Temporal's JSON (as Temporal Web downloads it and `temporal workflow show -o json`
 * prints it).
 *
 * Why not `historyToJSON`/`historyFromJSON` of `@temporalio/common`: with the SDK at 1.24, npm nests a copy of
 * protobufjs 8 under each Temporal package (gRPC's proto-loader keeps protobufjs 7 at the top), and the JSON codec
 * of `@temporalio/common`'s copy refuses the message types `@temporalio/proto` built with its own ("type must be a
 * Type"). Here the codec comes from the protobufjs that `@temporalio/proto` itself resolves, so both are one.
 */
import { temporal } from '@temporalio/proto';
import { createRequire } from 'node:module';

type History = temporal.api.history.v1.IHistory;
type ProtoJson = {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
};

const protoRequire = createRequire(require.resolve('@temporalio/proto'));
const protojson = protoRequire('protobufjs/ext/protojson') as ProtoJson;
// The package's root is a protobufjs Root already (patched by the package itself): its reflection type is the codec's.
const historyType = (require('@temporalio/proto') as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

/** The history as Temporal's JSON text (two-space indented, as Temporal's tools write it). */
export function historyToJson(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, temporal.api.history.v1.History.fromObject(history)), null, 2);
}

/** A history from Temporal's JSON; older tools' `WorkflowExecutionStarted` enum names are read as the proto's. */
export function historyFromJson(json: { events: Record<string, unknown>[] }): History {
  const events = json.events.map((e) => ({ ...e, ...(typeof e.eventType === 'string' && { eventType: constantCase(e.eventType, 'EVENT_TYPE') }) }));
  const history = protojson.fromJson(historyType, { ...json, events }, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a history');
  return history as History;
}

function constantCase(value: string, prefix: string): string {
  return value.startsWith(prefix) ? value : `${prefix}_${value.replace(/(?<=.)([A-Z])/g, '_$1').toUpperCase()}`;
}
