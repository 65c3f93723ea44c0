// An EventStore on IndexedDB (via idb): one readwrite transaction per batch, events packed in segments, bounded paged reads.
import { unwrap, type IDBPDatabase } from 'idb';
import { CorruptError, QuotaError, upcast, type AnyNewEvent, type AnyStoredEvent, type VmId } from '../domain/index.ts';
import { appendAll, checkExpected, matches, normalizeQuery, validateBatch, withSeqs, type NormalizedQuery } from './batch.ts';
import { decodeSegments, prepareSegments, SEGMENT_MAX, segmentBytes, segmentRecord, type SegmentRecord } from './segments.ts';
import {
  type AppendResult,
  type EventQuery,
  type EventStore,
  type EventsListener,
  type ExpectedSeq,
  type StreamInfo,
  type Unsubscribe,
} from './EventStore.ts';
import { DB_NAME, openPlaygroundDb, type PlaygroundDb } from './schema.ts';
import { SubscriptionHub } from './SubscriptionHub.ts';

type Db = IDBPDatabase<PlaygroundDb>;

/**
 * IDBKeyRange.bound, or null for a range that holds no key: bound() refuses those (a paged read
 * whose last page ended at the end of its range would ask for one next).
 */
function keyRange(lower: IDBValidKey, upper: IDBValidKey, lowerOpen: boolean, upperOpen: boolean): IDBKeyRange | null {
  const order = indexedDB.cmp(lower, upper);
  if (order > 0 || (order === 0 && (lowerOpen || upperOpen))) return null;
  return IDBKeyRange.bound(lower, upper, lowerOpen, upperOpen);
}

/** Segments fetched per getAll: bounded, at most SEGMENT_PAGE × SEGMENT_MAX events per read. */
const SEGMENT_PAGE = 64;

export class IndexedDbEventStore implements EventStore {
  private readonly hub = new SubscriptionHub((vmId, from, to) => this.loadEvents(vmId, from, to));

  /** Tells other tabs (other stores on the same database) that a stream grew, so their subscribers follow live. */
  private readonly channel: BroadcastChannel | null;

  private constructor(
    private readonly db: Db,
    name: string,
  ) {
    this.channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(`vm-playground-events:${name}`);
    this.channel?.addEventListener('message', (e: MessageEvent<{ vmId?: unknown }>) => {
      if (typeof e.data?.vmId === 'string') this.hub.refresh(e.data.vmId as VmId);
    });
  }

  /** Opens the store on the named database (tests use their own names). */
  static async open(name = DB_NAME): Promise<IndexedDbEventStore> {
    return new IndexedDbEventStore(await openPlaygroundDb(name), name);
  }

  /** The underlying database, for the other stores of the schema (boot images, checkpoints, pages). */
  get database(): Db {
    return this.db;
  }

  async append(vmId: VmId, expected: ExpectedSeq, events: readonly AnyNewEvent[]): Promise<AppendResult> {
    // Checked and encoded before the transaction opens: neither depends on the stream's head.
    validateBatch(vmId, events);
    const prepared = prepareSegments(events);
    const tx = this.db.transaction(['events', 'streams'], 'readwrite');
    // Between here and tx.done, only IDB requests are awaited: anything else would let the transaction commit early.
    let result: AppendResult;
    let records: AnyStoredEvent[] = [];
    try {
      const info = await tx.objectStore('streams').get(vmId);
      const head = info?.head ?? 0;
      checkExpected(vmId, expected, head);
      if (events.length === 0) {
        result = { firstSeq: head + 1, lastSeq: head };
      } else {
        // Raw requests, not idb's promises: a failing add aborts the transaction and surfaces once, in tx.done.
        const rawEvents = unwrap(tx.objectStore('events'));
        let bytes = 0;
        let seq = head + 1;
        for (const p of prepared) {
          const segment = segmentRecord(vmId, seq, p);
          rawEvents.add(segment);
          bytes += segmentBytes(segment);
          seq += p.count;
        }
        records = withSeqs(vmId, head, events);
        const last = records[records.length - 1];
        const next: StreamInfo = info
          ? { ...info, head: last.seq, count: info.count + records.length, bytes: info.bytes + bytes, lastAt: last.at }
          : { vmId, head: last.seq, count: records.length, bytes, firstAt: records[0].at, lastAt: last.at };
        unwrap(tx.objectStore('streams')).put(next);
        result = { firstSeq: head + 1, lastSeq: last.seq };
      }
    } catch (error) {
      abortQuietly(tx);
      throw mapWriteError(error, vmId, events.length);
    }
    try {
      await tx.done;
    } catch (error) {
      throw mapWriteError(error, vmId, events.length);
    }
    if (records.length > 0) {
      this.hub.publish(vmId, records);
      this.channel?.postMessage({ vmId, lastSeq: result.lastSeq });
    }
    return result;
  }

  async loadEvents(vmId: VmId, fromSeq = 1, toSeq?: number): Promise<AnyStoredEvent[]> {
    const tx = this.db.transaction(['events', 'streams']);
    const head = (await tx.objectStore('streams').get(vmId))?.head ?? 0;
    const from = Math.max(1, fromSeq);
    const last = Math.min(head, toSeq ?? head);
    if (from > last) return [];
    const store = tx.objectStore('events');
    // The segment holding `from` starts at or before it.
    const start = await store.openCursor(IDBKeyRange.bound([vmId, 0], [vmId, from]), 'prev');
    let lower = start?.value.seq ?? from;
    let open = false;
    const segments: SegmentRecord[] = [];
    for (;;) {
      // Null once a page ended with the segment that starts at `last`: nothing is left.
      const range = keyRange([vmId, lower], [vmId, last], open, false);
      if (range === null) break;
      const page = await store.getAll(range, SEGMENT_PAGE);
      segments.push(...page);
      if (page.length < SEGMENT_PAGE) break;
      lower = page[page.length - 1].seq;
      open = true;
    }
    const out = decodeSegments(segments, from, last).map(upcast);
    if (out.length !== last - from + 1 || (out.length > 0 && out[0].seq !== from)) {
      throw new CorruptError(`The stream of VM '${vmId}' is missing events between seq ${from} and ${last}.`);
    }
    return out;
  }

  async query(query: EventQuery): Promise<AnyStoredEvent[]> {
    const head = await this.getLastSequenceNumber(query.vmId);
    const q = normalizeQuery(query, head);
    if (q.limit === 0 || q.fromSeq > q.toSeq) return [];
    if (q.types) return this.queryByType(query.vmId, q);
    if (q.fromTime !== -Infinity || q.toTime !== Infinity) return this.queryByTime(query.vmId, q);
    if (!q.backward) return this.loadEvents(query.vmId, q.fromSeq, Math.min(q.toSeq, q.fromSeq + q.limit - 1));
    const from = Math.max(q.fromSeq, q.toSeq - q.limit + 1);
    return (await this.loadEvents(query.vmId, from, q.toSeq)).reverse();
  }

  /** Per type, the segments holding it (type index), a bounded page at a time; merged by seq. */
  private async queryByType(vmId: VmId, q: NormalizedQuery): Promise<AnyStoredEvent[]> {
    const merged: AnyStoredEvent[] = [];
    const lowest = Math.max(0, q.fromSeq - SEGMENT_MAX + 1);
    for (const type of q.types ?? []) {
      const found: AnyStoredEvent[] = [];
      let bound: [string, string, number] | null = null;
      while (found.length < q.limit) {
        const lower: [string, string, number] = !q.backward && bound ? bound : [vmId, type, lowest];
        const upper: [string, string, number] = q.backward && bound ? bound : [vmId, type, q.toSeq];
        const range = keyRange(lower, upper, !q.backward && bound !== null, q.backward && bound !== null);
        if (range === null) break;
        const page = await this.page('byType', range, q.backward);
        const events = decodeInOrder(page, q);
        for (const raw of events) {
          if (found.length >= q.limit) break;
          if (raw.type !== type) continue;
          const e = upcast(raw);
          if (matches(e, q)) found.push(e);
        }
        if (page.length < SEGMENT_PAGE) break;
        bound = [vmId, type, page[page.length - 1].seq];
      }
      appendAll(merged, found);
    }
    merged.sort((a, b) => (q.backward ? b.seq - a.seq : a.seq - b.seq));
    return merged.slice(0, q.limit);
  }

  /**
   * Finds where the time range starts (forward) or ends (backward) with the time index, then walks
   * segments in seq order, a bounded page at a time, until the limit or the other end of the range.
   */
  private async queryByTime(vmId: VmId, q: NormalizedQuery): Promise<AnyStoredEvent[]> {
    const edge = q.backward ? q.toTime : q.fromTime;
    const tx = this.db.transaction('events');
    const first = await tx.store.index('byTime').openCursor(
      // An open end (±Infinity, not a valid key) clamped to the largest finite time.
      IDBKeyRange.bound([vmId, Math.min(Math.max(edge, -Number.MAX_VALUE), Number.MAX_VALUE)], [vmId, Number.MAX_VALUE]),
    );
    let seqBound = q.backward ? (first ? Math.min(first.value.last, q.toSeq) : q.toSeq) : first ? Math.max(first.value.seq, q.fromSeq - SEGMENT_MAX + 1) : Infinity;
    const found: AnyStoredEvent[] = [];
    let open = false;
    while (found.length < q.limit && Number.isFinite(seqBound)) {
      const range = q.backward
        ? keyRange([vmId, Math.max(0, q.fromSeq - SEGMENT_MAX + 1)], [vmId, seqBound], false, open)
        : keyRange([vmId, seqBound], [vmId, q.toSeq], open, false);
      if (range === null) break;
      const page = await this.page(null, range, q.backward);
      const events = decodeInOrder(page, q);
      for (const raw of events) {
        if (found.length >= q.limit) break;
        const e = upcast(raw);
        if (matches(e, q)) found.push(e);
      }
      const edgeReached = page.some((s) => (q.backward ? s.lastAt < q.fromTime : s.firstAt > q.toTime));
      if (page.length < SEGMENT_PAGE || edgeReached) break;
      seqBound = page[page.length - 1].seq;
      open = true;
    }
    return found;
  }

  /** Up to SEGMENT_PAGE segments of a range, in key order or reversed, read in their own transaction. */
  private async page(index: 'byType' | null, range: IDBKeyRange, backward: boolean): Promise<SegmentRecord[]> {
    const tx = this.db.transaction('events');
    const source = index ? tx.store.index(index) : tx.store;
    if (!backward) return source.getAll(range, SEGMENT_PAGE);
    const out: SegmentRecord[] = [];
    let cursor = await source.openCursor(range, 'prev');
    while (cursor && out.length < SEGMENT_PAGE) {
      out.push(cursor.value);
      cursor = await cursor.continue();
    }
    return out;
  }

  async getLastSequenceNumber(vmId: VmId): Promise<number> {
    return (await this.db.get('streams', vmId))?.head ?? 0;
  }

  async getEventCount(vmId: VmId): Promise<number> {
    return (await this.db.get('streams', vmId))?.count ?? 0;
  }

  async getStreamInfo(vmId: VmId): Promise<StreamInfo | undefined> {
    return this.db.get('streams', vmId);
  }

  async listVmIds(): Promise<VmId[]> {
    return (await this.db.getAllKeys('streams')) as VmId[];
  }

  async deleteEvents(vmId: VmId): Promise<void> {
    const tx = this.db.transaction(['events', 'streams'], 'readwrite');
    const events = unwrap(tx.objectStore('events'));
    events.delete(IDBKeyRange.bound([vmId, 0], [vmId, Number.MAX_SAFE_INTEGER]));
    unwrap(tx.objectStore('streams')).delete(vmId);
    await tx.done;
  }

  subscribe(vmId: VmId, fromSeq: number, listener: EventsListener): Unsubscribe {
    return this.hub.subscribe(vmId, fromSeq, listener);
  }

  dispose(): void {
    this.hub.clear();
    this.channel?.close();
    this.db.close();
  }
}

/** Events of a page of segments in the query's direction (a backward page lists segments last first). */
function decodeInOrder(page: readonly SegmentRecord[], q: NormalizedQuery) {
  if (!q.backward) return decodeSegments(page, q.fromSeq, q.toSeq);
  return decodeSegments([...page].reverse(), q.fromSeq, q.toSeq).reverse();
}

function abortQuietly(tx: { abort(): void; done: Promise<void> }): void {
  tx.done.catch(() => undefined);
  try {
    tx.abort();
  } catch {
    // Already finished or aborted by the failing request: nothing was committed either way.
  }
}

/** Turns IndexedDB failures into coded errors that say what was lost (nothing) and what to do. */
function mapWriteError(error: unknown, vmId: VmId, count: number): unknown {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'QuotaExceededError') {
    return new QuotaError(
      `Storage is full: ${count} events of VM '${vmId}' could not be saved. Nothing of this batch was written; earlier events are safe.`,
      'Free space by exporting and deleting VMs you no longer need, then resume.',
    );
  }
  if (name === 'ConstraintError') {
    return new CorruptError(
      `A seq of VM '${vmId}' was already taken although the stream's metadata did not count it. Nothing of this batch was written.`,
      'Export the VM and import it again to rebuild its metadata.',
    );
  }
  return error;
}
