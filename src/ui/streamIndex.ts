// The page's view of the selected VM's stream: one type byte per event, a bounded cache of full events, console output.
import { EVENT_TYPES, FAMILIES, FAMILY_OF, type AnyStoredEvent, type EventType, type Family } from '../domain/index.ts';

/** Rows are loaded from the worker in pages of this many events. */
export const ROW_PAGE = 500;
/** Full events kept in memory at most; beyond it the least recently stored are dropped. */
const CACHE_LIMIT = 60_000;
/** Events per density block: a block's counts per family are kept as the stream grows. */
export const BLOCK = 1024;
/** Console output kept for a console that mounts late (xterm keeps no more scrollback). */
const CONSOLE_KEEP = 256 * 1024;

const FAMILY_INDEX: ReadonlyMap<Family, number> = new Map(FAMILIES.map((f, i) => [f, i]));
/** Family index (into FAMILIES) of each type code. */
export const FAMILY_OF_CODE: Uint8Array = Uint8Array.from(EVENT_TYPES, (t) => FAMILY_INDEX.get(FAMILY_OF[t]) ?? 0);
export const CODE_OF_TYPE: ReadonlyMap<EventType, number> = new Map(EVENT_TYPES.map((t, i) => [t, i]));

export interface StreamUpdate {
  readonly from: number;
  readonly types: Uint8Array;
  readonly tail: readonly AnyStoredEvent[];
  readonly console: { readonly bytes: string; readonly offset: number } | null;
}

/**
 * Holds a stream of any length cheaply: a million events are a 1 MB type index plus the rows
 * someone looks at. Written for this purpose because the timeline's filters, jumps and density
 * strip must each run in a few milliseconds over the whole stream on the main thread.
 */
export class StreamIndex {
  head = 0;
  /** Bumped whenever the index or the cache changes, so views know to re-read. */
  version = 0;
  private codes = new Uint8Array(4096);
  /** Seq of the first and the last event of each type code (0: none yet), so a jump that has nowhere to go costs nothing. */
  private readonly firstOf = new Int32Array(EVENT_TYPES.length);
  private readonly lastOf = new Int32Array(EVENT_TYPES.length);
  /** Counts per block and family: blockCounts[block * FAMILIES.length + family]. */
  private blockCounts = new Uint32Array(64 * FAMILIES.length);
  private readonly cache = new Map<number, AnyStoredEvent>();
  private readonly loading = new Set<number>();
  /** Console output kept, as received (joined only when asked for), starting at byte consoleOffset. */
  private consoleChunks: string[] = [];
  private consoleLength = 0;
  private consoleOffset = 0;
  private readonly consoleListeners = new Set<(bytes: string, offset: number) => void>();
  private readonly changeListeners = new Set<() => void>();
  private disposed = false;

  /** `load` reads events from..to (inclusive) of the stream. */
  constructor(private readonly load: (from: number, to: number) => Promise<readonly AnyStoredEvent[]>) {}

  apply(update: StreamUpdate): void {
    const { from, types } = update;
    const end = from - 1 + types.length;
    if (from !== this.head + 1) throw new Error(`stream update starts at seq ${from}, but the index ends at ${this.head}`);
    if (end > this.codes.length) {
      const grown = new Uint8Array(Math.max(end, this.codes.length * 2));
      grown.set(this.codes.subarray(0, this.head));
      this.codes = grown;
    }
    this.codes.set(types, this.head);
    const blocksNeeded = Math.ceil(end / BLOCK) * FAMILIES.length;
    if (blocksNeeded > this.blockCounts.length) {
      const grown = new Uint32Array(Math.max(blocksNeeded, this.blockCounts.length * 2));
      grown.set(this.blockCounts);
      this.blockCounts = grown;
    }
    const families = FAMILIES.length;
    for (let i = 0; i < types.length; i++) {
      const index = this.head + i;
      this.blockCounts[Math.floor(index / BLOCK) * families + FAMILY_OF_CODE[types[i]]]++;
      if (this.firstOf[types[i]] === 0) this.firstOf[types[i]] = index + 1;
      this.lastOf[types[i]] = index + 1;
    }
    this.head = end;
    for (const e of update.tail) this.remember(e);
    if (update.console) this.appendConsole(update.console.bytes, update.console.offset);
    this.changed();
  }

  /** Type code (index in EVENT_TYPES) of event `seq`. */
  codeAt(seq: number): number {
    return this.codes[seq - 1];
  }

  typeAt(seq: number): EventType {
    return EVENT_TYPES[this.codes[seq - 1]];
  }

  familyAt(seq: number): number {
    return FAMILY_OF_CODE[this.codes[seq - 1]];
  }

  /** The full event when it is loaded; otherwise undefined (ask `ensure`). */
  eventAt(seq: number): AnyStoredEvent | undefined {
    return this.cache.get(seq);
  }

  /** Loads the pages covering seqs from..to that are not in memory yet; listeners hear when they arrive. */
  ensure(from: number, to: number): void {
    const last = Math.min(to, this.head);
    for (let page = Math.floor((Math.max(1, from) - 1) / ROW_PAGE); page * ROW_PAGE < last; page++) {
      const first = page * ROW_PAGE + 1;
      const end = Math.min(first + ROW_PAGE - 1, this.head);
      if (this.loading.has(page) || (this.cache.has(first) && this.cache.has(end))) continue;
      this.loading.add(page);
      this.load(first, end).then(
        (events) => {
          this.loading.delete(page);
          if (this.disposed) return;
          for (const e of events) this.remember(e);
          this.changed();
        },
        () => this.loading.delete(page),
      );
    }
  }

  /** Seq of the next (direction 1) or previous (-1) event of type `code`, strictly after/before `from`; null if none. */
  find(from: number, direction: 1 | -1, code: number): number | null {
    if (direction === 1 ? this.lastOf[code] <= from : this.firstOf[code] === 0 || this.firstOf[code] >= from) return null;
    if (direction === -1 && from > this.lastOf[code]) return this.lastOf[code];
    for (let seq = from + direction; ; seq += direction) {
      if (this.codes[seq - 1] === code) return seq;
    }
  }

  /** Seq of the last event of type `code`; 0 if there is none. */
  lastOfType(code: number): number {
    return this.lastOf[code];
  }

  /** Seqs of the events whose family is not hidden, in order. */
  visibleSeqs(hidden: ReadonlySet<Family>, fromSeq = 1, into?: Int32Array, count = 0): { seqs: Int32Array; count: number } {
    const show = Uint8Array.from(FAMILIES, (f) => (hidden.has(f) ? 0 : 1));
    let seqs = into ?? new Int32Array(Math.max(1024, this.head));
    for (let seq = fromSeq; seq <= this.head; seq++) {
      if (!show[FAMILY_OF_CODE[this.codes[seq - 1]]]) continue;
      if (count === seqs.length) {
        const grown = new Int32Array(seqs.length * 2);
        grown.set(seqs);
        seqs = grown;
      }
      seqs[count++] = seq;
    }
    return { seqs, count };
  }

  /**
   * Events per family in each of `columns` equal slices of the stream: out[column * families + family].
   * Long streams are summed from the per-block counts, so this costs about head / BLOCK, not head.
   */
  density(columns: number): Uint32Array {
    const families = FAMILIES.length;
    const out = new Uint32Array(columns * families);
    const head = this.head;
    if (head === 0 || columns === 0) return out;
    // Past a quarter million events, whole blocks: a column then spans hundreds of events anyway.
    if (head / columns >= BLOCK || head > 256 * BLOCK) {
      const blocks = Math.ceil(head / BLOCK);
      for (let b = 0; b < blocks; b++) {
        const column = Math.min(columns - 1, Math.floor((b * BLOCK * columns) / head));
        for (let f = 0; f < families; f++) out[column * families + f] += this.blockCounts[b * families + f];
      }
      return out;
    }
    // Integer products before the division: (i / head) * columns lands just below whole numbers and leaves columns empty.
    for (let i = 0; i < head; i++) out[Math.floor((i * columns) / head) * families + FAMILY_OF_CODE[this.codes[i]]]++;
    return out;
  }

  /** The console output kept (its end) and where it starts in all the VM wrote. */
  consoleSoFar(): { bytes: string; offset: number } {
    const joined = this.consoleChunks.join('');
    this.consoleChunks = joined.length > 0 ? [joined] : [];
    return { bytes: joined, offset: this.consoleOffset };
  }

  onConsole(listener: (bytes: string, offset: number) => void): () => void {
    this.consoleListeners.add(listener);
    return () => this.consoleListeners.delete(listener);
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  dispose(): void {
    this.disposed = true;
    this.consoleListeners.clear();
    this.changeListeners.clear();
    this.cache.clear();
  }

  private remember(e: AnyStoredEvent): void {
    this.cache.delete(e.seq);
    this.cache.set(e.seq, e);
    if (this.cache.size > CACHE_LIMIT) {
      let excess = this.cache.size - CACHE_LIMIT + ROW_PAGE;
      for (const seq of this.cache.keys()) {
        if (excess-- <= 0) break;
        this.cache.delete(seq);
      }
    }
  }

  private appendConsole(bytes: string, offset: number): void {
    const end = this.consoleOffset + this.consoleLength;
    if (this.consoleLength === 0 || offset > end) {
      this.consoleChunks = [bytes];
      this.consoleLength = bytes.length;
      this.consoleOffset = offset;
    } else {
      const fresh = bytes.slice(end - offset);
      if (fresh.length > 0) this.consoleChunks.push(fresh);
      this.consoleLength += fresh.length;
    }
    // Whole chunks are dropped from the front, so this stays between one and two times CONSOLE_KEEP.
    while (this.consoleChunks.length > 1 && this.consoleLength - this.consoleChunks[0].length >= CONSOLE_KEEP) {
      const dropped = this.consoleChunks.shift()!;
      this.consoleLength -= dropped.length;
      this.consoleOffset += dropped.length;
    }
    for (const listener of this.consoleListeners) listener(bytes, offset);
  }

  private changed(): void {
    this.version++;
    for (const listener of this.changeListeners) listener();
  }
}
