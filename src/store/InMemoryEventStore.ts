// An EventStore held in memory: for tests, the CLI, and as the reference for the contract suite.
import { CorruptError, QuotaError, upcast, type AnyNewEvent, type RawEvent, type AnyStoredEvent, type VmId } from '../domain/index.ts';
import { appendAll, approximateSize, checkExpected, matches, normalizeQuery, stampBatch } from './batch.ts';
import type { AppendResult, EventQuery, EventStore, EventsListener, ExpectedSeq, StreamInfo, Unsubscribe } from './EventStore.ts';
import { SubscriptionHub } from './SubscriptionHub.ts';

interface Stream {
  readonly events: AnyStoredEvent[];
  info: StreamInfo;
}

export interface InMemoryEventStoreOptions {
  /** Total stored bytes allowed, to behave like a browser whose quota runs out. */
  readonly quotaBytes?: number;
}

export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<VmId, Stream>();
  private readonly hub = new SubscriptionHub((vmId, from, to) => this.loadEvents(vmId, from, to));
  private quotaBytes: number;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.quotaBytes = options.quotaBytes ?? Infinity;
  }

  /**
   * A store holding records exactly as given (for example read from a recording file, possibly at
   * older schema versions); they are upcast on read like any stored event.
   */
  static fromRecords(records: readonly RawEvent[]): InMemoryEventStore {
    const store = new InMemoryEventStore();
    store.putRecords(records);
    return store;
  }

  /** Adds records as they are, without validation or upcasting; each must follow its stream's head. */
  putRecords(records: readonly RawEvent[]): void {
    for (const r of records) {
      const vmId = r.vmId as VmId;
      const stream = this.streams.get(vmId);
      const head = stream?.info.head ?? 0;
      if (r.seq !== head + 1) throw new CorruptError(`Record of VM '${vmId}' has seq ${r.seq}; expected ${head + 1}.`);
      const e = r as unknown as AnyStoredEvent;
      const bytes = approximateSize(r);
      if (stream) {
        stream.events.push(e);
        stream.info = { ...stream.info, head: r.seq, count: stream.info.count + 1, bytes: stream.info.bytes + bytes, lastAt: r.at };
      } else {
        this.streams.set(vmId, { events: [e], info: { vmId, head: r.seq, count: 1, bytes, firstAt: r.at, lastAt: r.at } });
      }
    }
  }

  /** Changes the simulated quota (tests use it to make the next write fail). */
  setQuotaBytes(bytes: number): void {
    this.quotaBytes = bytes;
  }

  async append(vmId: VmId, expected: ExpectedSeq, events: readonly AnyNewEvent[]): Promise<AppendResult> {
    const stream = this.streams.get(vmId);
    const head = stream?.info.head ?? 0;
    checkExpected(vmId, expected, head);
    if (events.length === 0) return { firstSeq: head + 1, lastSeq: head };
    const records = stampBatch(vmId, head, events);
    const bytes = records.reduce((sum, r) => sum + approximateSize(r), 0);
    const used = [...this.streams.values()].reduce((sum, s) => sum + s.info.bytes, 0);
    if (used + bytes > this.quotaBytes) {
      throw new QuotaError(
        `Storage is full: ${events.length} events of VM '${vmId}' (${bytes} bytes) did not fit. Nothing of this batch was written.`,
        'Free space by exporting and deleting VMs you no longer need.',
      );
    }
    const last = records[records.length - 1];
    if (stream) {
      appendAll(stream.events, records);
      stream.info = { ...stream.info, head: last.seq, count: stream.info.count + records.length, bytes: stream.info.bytes + bytes, lastAt: last.at };
    } else {
      this.streams.set(vmId, {
        events: records,
        info: { vmId, head: last.seq, count: records.length, bytes, firstAt: records[0].at, lastAt: last.at },
      });
    }
    this.hub.publish(vmId, records);
    return { firstSeq: head + 1, lastSeq: last.seq };
  }

  async loadEvents(vmId: VmId, fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER): Promise<AnyStoredEvent[]> {
    const events = this.streams.get(vmId)?.events ?? [];
    return events.slice(Math.max(0, fromSeq - 1), Math.max(0, toSeq)).map(upcast);
  }

  async query(query: EventQuery): Promise<AnyStoredEvent[]> {
    const stream = this.streams.get(query.vmId);
    if (!stream) return [];
    const q = normalizeQuery(query, stream.info.head);
    const out: AnyStoredEvent[] = [];
    const step = q.backward ? -1 : 1;
    for (let seq = q.backward ? q.toSeq : q.fromSeq; seq >= q.fromSeq && seq <= q.toSeq && out.length < q.limit; seq += step) {
      const e = stream.events[seq - 1];
      if (matches(e, q)) out.push(upcast(e));
    }
    return out;
  }

  async getLastSequenceNumber(vmId: VmId): Promise<number> {
    return this.streams.get(vmId)?.info.head ?? 0;
  }

  async getEventCount(vmId: VmId): Promise<number> {
    return this.streams.get(vmId)?.info.count ?? 0;
  }

  async getStreamInfo(vmId: VmId): Promise<StreamInfo | undefined> {
    return this.streams.get(vmId)?.info;
  }

  async listVmIds(): Promise<VmId[]> {
    return [...this.streams.keys()].sort();
  }

  async deleteEvents(vmId: VmId): Promise<void> {
    this.streams.delete(vmId);
  }

  subscribe(vmId: VmId, fromSeq: number, listener: EventsListener): Unsubscribe {
    return this.hub.subscribe(vmId, fromSeq, listener);
  }

  dispose(): void {
    this.hub.clear();
  }
}
