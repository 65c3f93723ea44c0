// Upcasters: turn events stored at an older schema version into the current shape on read.
import { CURRENT_VERSION, isEventType, type AnyStoredEvent, type EventType } from './events.ts';
import { CorruptError } from './errors.ts';
import { isRecord } from './validation.ts';

/** Turns the data of version `from` into the data of version `from + 1`. */
type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** The registry: per type, per source version. Stored values are never rewritten in place. */
const UPCASTERS: Partial<Record<EventType, Readonly<Record<number, Upcaster>>>> = {
  VmStopped: {
    // v1 {reason} → v2 {reason, exitCode}: v1 knew no exit codes; a clean poweroff meant 0.
    1: (data) => ({ reason: data.reason, exitCode: data.reason === 'poweroff' ? 0 : null }),
  },
};

/** A raw record from storage or a file, before upcasting. */
export interface RawEvent {
  readonly vmId: string;
  readonly seq: number;
  readonly type: string;
  readonly v: number;
  readonly icount: number;
  readonly at: number;
  readonly data: unknown;
}

/** Brings a stored event to the current version of its type; refuses unknown types or versions. */
export function upcast(raw: RawEvent): AnyStoredEvent {
  if (!isEventType(raw.type)) throw new CorruptError(`Event seq ${raw.seq} has unknown type '${raw.type}'.`);
  const current = CURRENT_VERSION[raw.type];
  if (raw.v === current) return raw as AnyStoredEvent;
  if (!Number.isInteger(raw.v) || raw.v < 1 || raw.v > current) {
    throw new CorruptError(
      `Event seq ${raw.seq} (${raw.type}) has schema version ${raw.v}; this version reads v1 to v${current}.`,
      raw.v > current ? 'It was written by a newer version of VM Playground; update the app.' : undefined,
    );
  }
  if (!isRecord(raw.data)) throw new CorruptError(`Event seq ${raw.seq} (${raw.type}) has no data object.`);
  let data = raw.data;
  for (let v = raw.v; v < current; v++) {
    const step = UPCASTERS[raw.type]?.[v];
    if (!step) throw new CorruptError(`No upcaster from ${raw.type} v${v} to v${v + 1}.`);
    data = step(data);
  }
  return { ...raw, v: current, data } as AnyStoredEvent;
}
