// Checks shared by every store: the concurrency expectation, validation and stamping of a batch.
import {
  ConcurrencyError,
  ValidationError,
  validateEvent,
  type AnyNewEvent,
  type AnyStoredEvent,
  type VmId,
} from '../domain/index.ts';
import { DEFAULT_QUERY_LIMIT, type EventQuery, type ExpectedSeq } from './EventStore.ts';

/** Throws ConcurrencyError unless `expected` agrees with the stream's head. */
export function checkExpected(vmId: VmId, expected: ExpectedSeq, head: number): void {
  if (expected === 'any') return;
  const want = expected === 'no-stream' ? 0 : expected;
  if (typeof want !== 'number' || !Number.isSafeInteger(want) || want < 0) {
    throw new ValidationError(`Expected seq must be a whole number ≥ 0, 'any' or 'no-stream'; got ${String(expected)}.`);
  }
  if (want !== head) throw new ConcurrencyError(vmId, expected, head);
}

/** Validates every event of a batch; throws (naming the event and field) before anything is written. */
export function validateBatch(vmId: VmId, events: readonly AnyNewEvent[]): void {
  for (let i = 0; i < events.length; i++) validateEvent(events[i], () => `Event ${i + 1} of ${events.length} for VM '${vmId}'`);
}

/** The stored form of validated events that follow `head`. */
export function withSeqs(vmId: VmId, head: number, events: readonly AnyNewEvent[]): AnyStoredEvent[] {
  return events.map(({ type, v, icount, at, data }, i) => ({ vmId, seq: head + i + 1, type, v, icount, at, data }) as AnyStoredEvent);
}

/** Validates every event and gives them seqs after `head`; throws before anything is written. */
export function stampBatch(vmId: VmId, head: number, events: readonly AnyNewEvent[]): AnyStoredEvent[] {
  validateBatch(vmId, events);
  return withSeqs(vmId, head, events);
}

/** A cheap size estimate: envelope fields plus the JSON of the data. */
export function approximateSize(event: { vmId: string; type: string; data: unknown }): number {
  return 64 + event.vmId.length + event.type.length + JSON.stringify(event.data).length;
}

export interface NormalizedQuery {
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly limit: number;
  readonly backward: boolean;
  readonly types: ReadonlySet<string> | null;
  readonly fromTime: number;
  readonly toTime: number;
}

/** Fills defaults and checks bounds of a query against the stream's head. */
export function normalizeQuery(query: EventQuery, head: number): NormalizedQuery {
  const limit = query.limit ?? DEFAULT_QUERY_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new ValidationError(`Query limit must be a whole number ≥ 0, got ${String(query.limit)}.`);
  return {
    fromSeq: Math.max(1, query.fromSeq ?? 1),
    toSeq: Math.min(head, query.toSeq ?? head),
    limit,
    backward: query.direction === 'backward',
    types: query.types && query.types.length > 0 ? new Set(query.types) : null,
    fromTime: query.fromTime ?? -Infinity,
    toTime: query.toTime ?? Infinity,
  };
}

/** True when an event passes the filters of a normalized query (seq, type and time). */
export function matches(e: AnyStoredEvent, q: NormalizedQuery): boolean {
  return (
    e.seq >= q.fromSeq &&
    e.seq <= q.toSeq &&
    (q.types === null || q.types.has(e.type)) &&
    e.at >= q.fromTime &&
    e.at <= q.toTime
  );
}

/**
 * Appends `items` to `target` in place. Not `target.push(...items)`: spreading passes every item as
 * an argument, and a few hundred thousand of them overflow the stack (a large import or fork).
 */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
