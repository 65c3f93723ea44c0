// The EventStore contract (design.md §7): append-only streams, one per VM, with optimistic concurrency.
import type { AnyNewEvent, AnyStoredEvent, EventType, VmId } from '../domain/index.ts';

/** What the writer believes the stream's head is: a seq, 'no-stream' (head 0), or 'any' (no check). */
export type ExpectedSeq = number | 'any' | 'no-stream';

export interface AppendResult {
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/** Per-stream metadata kept beside the events, so nothing counts records on the hot path. */
export interface StreamInfo {
  readonly vmId: VmId;
  readonly head: number;
  readonly count: number;
  /** Approximate stored size: the JSON length of every event. */
  readonly bytes: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

export interface EventQuery {
  readonly vmId: VmId;
  readonly types?: readonly EventType[];
  readonly fromSeq?: number;
  readonly toSeq?: number;
  /** Wall-clock bounds on `at`, inclusive. */
  readonly fromTime?: number;
  readonly toTime?: number;
  readonly limit?: number;
  readonly direction?: 'forward' | 'backward';
}

export type Unsubscribe = () => void;

/** Receives events in seq order, each exactly once: first the stored ones, then new ones as they land. */
export type EventsListener = (events: readonly AnyStoredEvent[]) => void;

export interface EventStore {
  /**
   * Appends a batch atomically. Fails with ConcurrencyError (writing nothing) when `expected` is not
   * the stream's head, with ValidationError when an event is malformed, with QuotaError when storage
   * is full.
   */
  append(vmId: VmId, expected: ExpectedSeq, events: readonly AnyNewEvent[]): Promise<AppendResult>;
  /** Events with fromSeq ≤ seq ≤ toSeq (inclusive; defaults: the whole stream), upcast to current versions. */
  loadEvents(vmId: VmId, fromSeq?: number, toSeq?: number): Promise<AnyStoredEvent[]>;
  query(query: EventQuery): Promise<AnyStoredEvent[]>;
  /** The stream's head seq; 0 when the stream does not exist. */
  getLastSequenceNumber(vmId: VmId): Promise<number>;
  getEventCount(vmId: VmId): Promise<number>;
  getStreamInfo(vmId: VmId): Promise<StreamInfo | undefined>;
  listVmIds(): Promise<VmId[]>;
  /** Removes a whole stream and its metadata. */
  deleteEvents(vmId: VmId): Promise<void>;
  /** Catch-up from `fromSeq`, then live. */
  subscribe(vmId: VmId, fromSeq: number, listener: EventsListener): Unsubscribe;
  /** Releases connections and listeners. */
  dispose(): void;
}

/** Page size for reads: bounded so no read materialises an unbounded result at once. */
export const READ_PAGE = 2000;

/** Query limit applied when a caller gives none. */
export const DEFAULT_QUERY_LIMIT = 10_000;
