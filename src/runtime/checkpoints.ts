// Persisted checkpoints of one VM: taken from a replaying or running machine, restored for travel, thinned with distance.
import { CorruptError, VmError, type VmId } from '../domain/index.ts';
import { samePage, type Machine, type MachineSnapshot } from '../emulator/machine.ts';
import { PAGE_SIZE } from '../emulator/ram.ts';
import { appendAll } from '../store/batch.ts';
import { byPosition, packPageMap, pageHash, unpackPageMap, type CheckpointInfo, type CheckpointStore } from '../store/CheckpointStore.ts';
import type { Checkpoint } from './replay.ts';

export interface CheckpointPolicy {
  /** Instructions between two checkpoints where history is densest (near the head and the scrubber). */
  readonly interval: number;
  /** Near a focus (head, scrubber) spacing grows as distance / density, never below `interval`. */
  readonly density: number;
  /** Spacing never grows beyond this, so no seek re-executes more than it from a checkpoint. */
  readonly maxGap: number;
  /** Checkpoints whose full state stays in memory (the most recently used). */
  readonly loadedMax: number;
  /** Instructions between two checkpoints the running VM takes of itself (at the head), at least. */
  readonly runInterval: number;
  /**
   * Milliseconds of running between two head checkpoints, at least. Re-executing a stretch takes
   * about as long as running it did, so this bounds the re-execution a seek near the head needs
   * at any speed, and the checkpoints a fast guest costs per second.
   */
  readonly runMs: number;
}

/** Head checkpoints taken but not yet stored, at most (VmCheckpoints.headDue). */
const MAX_HEADS_UNSTORED = 16;

/**
 * While checkpoints are being loaded (someone drags the scrubber), storing waits until none was
 * loaded for QUIET_MS, at most MAX_STORE_DELAY_MS, and only while the checkpoints waiting hold
 * less than MAX_DELAYED_BYTES of page copies: a load's IndexedDB read queues behind every write
 * transaction on the same stores, and in bench/travel reads that took 1–2 ms alone took 20–90 ms
 * behind the writes of the seek before.
 */
const QUIET_MS = 300;
const MAX_STORE_DELAY_MS = 5000;
const MAX_DELAYED_BYTES = 64 * 1024 * 1024;

/** A checkpoint's state taken from a machine, waiting for the seq it is placed after (VmCheckpoints.prepare). */
export interface PreparedCheckpoint {
  readonly cp: Omit<Checkpoint, 'appliedSeq'>;
  readonly tracker: PageTracker;
  readonly copies: readonly (readonly [number, Uint8Array | null])[];
  readonly stateHash: string;
  readonly state: Uint8Array;
  /** Taken of the running VM by prepareHead (counted in headsUnstored until stored or discarded). */
  readonly head?: boolean;
}

/**
 * Tuned with bench/travel: at about 50 MIPS in Chromium, re-executing 4M instructions takes ~80 ms,
 * so no seek replays more than that; near the head and the scrubber half of it. A fast guest
 * (hundreds of MIPS) is checkpointed every 30 ms of running instead of every 2M instructions (at
 * 2M, a recording VM took 100–200 checkpoints a second and ran at half its speed). The runner cuts
 * after slices of about 12 ms, so 30 ms means every third slice: a seek re-executes at most about
 * 36 ms of running, which replays as fast as it ran. Measured with bench/travel on 60-second
 * recordings, one after the other (seek p50 / p95, share of the worker's time recording took from the
 * guest): 20 ms 13.5 / 46.9 ms, 8.0 %; 25 ms 16.8 / 43.4 ms, 9.3 %; 30 ms 24.0 / 48.0 ms, 6.8 %. The
 * shares are within the noise of each other; 30 ms takes a third fewer head checkpoints (about 5 % of
 * the worker's time at 20 ms in a CPU profile) and stores a third fewer pages. At 40 ms (~25M
 * instructions at 500 MIPS) re-execution alone put the seek p95 over 50 ms.
 */
export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = {
  interval: 2_000_000,
  density: 4,
  maxGap: 4_000_000,
  loadedMax: 12,
  runInterval: 2_000_000,
  runMs: 30,
};

/**
 * Which pages of one machine's RAM the last checkpoint of that machine held, by content hash, so
 * the next checkpoint hashes and writes only the pages written since (Machine.takeDirtyPages).
 * A tracker that does not know its machine's RAM yet (`full`) takes every page once.
 */
export class PageTracker {
  map = new Map<number, string>();
  full = true;
  /**
   * The bytes pages had at this machine's previous checkpoint (the copies it took then, at most
   * MAX_LAST_COPIES, oldest dropped first): a page written since but back to those bytes is neither
   * copied nor hashed again. The busy guest of bench/travel leaves half of its dirty pages so.
   */
  readonly last = new Map<number, Uint8Array>();

  remember(page: number, bytes: Uint8Array | null): void {
    this.last.delete(page);
    if (!bytes) return;
    this.last.set(page, bytes);
    if (this.last.size > MAX_LAST_COPIES) this.last.delete(this.last.keys().next().value!);
  }
}

/** Page copies a PageTracker keeps to compare with, at most (16 MiB). */
const MAX_LAST_COPIES = 4096;

/**
 * Pages by content hash, shared by the VMs of a host, so restores rarely go to storage (oldest use
 * goes first); and the trackers in use, whose pages a sweep must keep although the checkpoint that
 * stored them may be thinned before the next one refers to them again.
 */
export class PageCache {
  private readonly pages = new Map<string, Uint8Array>();
  private pinned: PageTracker[] = [];
  constructor(private readonly maxPages = 8192) {}

  pin(tracker: PageTracker): void {
    this.pinned = [tracker, ...this.pinned.filter((t) => t !== tracker)].slice(0, 16);
  }

  unpin(trackers: ReadonlySet<PageTracker>): void {
    this.pinned = this.pinned.filter((t) => !trackers.has(t));
  }

  pinnedHashes(): Set<string> {
    const keep = new Set<string>();
    for (const t of this.pinned) for (const h of t.map.values()) keep.add(h);
    return keep;
  }

  get(hash: string): Uint8Array | undefined {
    const bytes = this.pages.get(hash);
    if (bytes) {
      this.pages.delete(hash);
      this.pages.set(hash, bytes);
    }
    return bytes;
  }

  set(hash: string, bytes: Uint8Array): void {
    this.pages.delete(hash);
    this.pages.set(hash, bytes);
    if (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value!);
  }

  /**
   * Pages this host wrote to the store or read from it since its last sweep: a checkpoint does not
   * write them again. A guest that rewrites a buffer every round makes most of its dirty pages
   * contents seen before (bench/travel's busy guest: 19 dirty pages per checkpoint, about 2 new),
   * and writing them all again cost the recording VM a tenth of its time in structured clones.
   */
  private readonly stored = new Set<string>();

  isStored(hash: string): boolean {
    return this.stored.has(hash);
  }

  markStored(hashes: Iterable<string>): void {
    // Bounded: forgetting only means writing a page once more.
    if (this.stored.size > MAX_KNOWN_STORED) this.stored.clear();
    for (const h of hashes) this.stored.add(h);
  }

  /** Call as a sweep starts (synchronously before it): what it deletes must be written again. */
  forgetStored(): void {
    this.stored.clear();
  }
}

/** Page hashes PageCache remembers as stored, at most. */
const MAX_KNOWN_STORED = 1 << 17;

interface Entry extends CheckpointInfo {
  /** The full state, while it is kept in memory. */
  loaded?: Checkpoint;
  map?: Map<number, string>;
  /** False until its record is written. */
  persisted: boolean;
}

/** Machine state except RAM, and the stream position, as stored in a checkpoint record. */
interface EncodedState {
  readonly base: number;
  readonly outputCount: number;
  readonly memoryBytes: number;
  readonly xlo: number[];
  readonly xhi: number[];
  /** Non-zero CSR storage: [index, lo, hi]. */
  readonly csrs: [number, number, number][];
  readonly scalars: readonly number[];
  readonly clint: readonly number[];
  readonly plic: readonly number[];
  readonly uart: readonly number[];
  readonly halted: MachineSnapshot['halted'] | null;
}

export function encodeState(cp: Omit<Checkpoint, 'appliedSeq'>): Uint8Array {
  const s = cp.snapshot;
  const csrs: [number, number, number][] = [];
  for (let k = 0; k < s.cpu.csrs.length; k += 3) csrs.push([s.cpu.csrs[k], s.cpu.csrs[k + 1], s.cpu.csrs[k + 2]]);
  const state: EncodedState = {
    base: cp.base,
    outputCount: cp.outputCount,
    memoryBytes: s.memoryBytes,
    xlo: [...s.cpu.xlo],
    xhi: [...s.cpu.xhi],
    csrs,
    scalars: s.cpu.scalars,
    clint: s.clint,
    plic: s.plic,
    uart: s.uart,
    halted: s.halted ?? null,
  };
  return new TextEncoder().encode(JSON.stringify(state));
}

export function decodeState(bytes: Uint8Array, icount: number, appliedSeq: number, pages: ReadonlyMap<number, Uint8Array>): Checkpoint {
  let s: EncodedState;
  try {
    s = JSON.parse(new TextDecoder().decode(bytes)) as EncodedState;
  } catch (error) {
    throw new CorruptError(`A checkpoint's machine state is not readable (${(error as Error).message}).`);
  }
  const csrs = new Int32Array(3 * s.csrs.length);
  s.csrs.forEach(([i, lo, hi], k) => {
    if (!(i >= 0 && i < 4096)) throw new CorruptError(`A checkpoint's machine state names CSR ${i}, which does not exist.`);
    csrs.set([i, lo, hi], 3 * k);
  });
  const snapshot: MachineSnapshot = {
    memoryBytes: s.memoryBytes,
    cpu: { xlo: Int32Array.from(s.xlo), xhi: Int32Array.from(s.xhi), csrs, scalars: s.scalars },
    clint: s.clint,
    plic: s.plic,
    uart: s.uart,
    halted: s.halted ?? undefined,
    pages,
  };
  return { icount, appliedSeq, base: s.base, outputCount: s.outputCount, snapshot };
}

/**
 * Which checkpoints to drop (entries in icount order, newest last). Walking back from the newest,
 * a checkpoint goes when the hole its removal leaves (from the last one kept after it to the one
 * before it) stays within the spacing wanted at its distance from the nearest focus (the head,
 * the scrubber): `interval` near a focus, growing with distance (distance / density) up to
 * `maxGap`, with 10 % slack. The newest and the oldest are always kept.
 */
export function thinned(entries: readonly { id: string; icount: number }[], focus: readonly number[], policy: CheckpointPolicy): string[] {
  const drop: string[] = [];
  if (entries.length < 3) return drop;
  let lastKept = entries[entries.length - 1].icount;
  for (let i = entries.length - 2; i >= 1; i--) {
    const e = entries[i];
    let distance = Infinity;
    // A loop, not Math.min over a mapped array: this runs over every checkpoint after every store.
    for (const f of focus) distance = Math.min(distance, Math.abs(f - e.icount));
    const gap = Math.min(policy.maxGap, Math.max(policy.interval, distance / policy.density));
    if (lastKept - entries[i - 1].icount <= gap * 1.1) drop.push(e.id);
    else lastKept = e.icount;
  }
  return drop;
}

/**
 * Deletions between two page sweeps, at least: a sweep reads every page map of every checkpoint, so
 * it waits for as many deletions as the VM has checkpoints (amortised constant cost per deletion;
 * unreferenced pages linger at most that long).
 */
const SWEEP_EVERY = 256;

/** The checkpoints of one VM: its entries in icount order, their capture, loading and thinning. */
export class VmCheckpoints {
  private entries: Entry[] = [];
  private ready: Promise<void> | null = null;
  private queue: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private readonly trackers = new WeakMap<Machine, PageTracker>();
  /** The trackers made here, to unpin when the VM goes. */
  private readonly own = new Set<PageTracker>();
  private deletedSinceSweep = 0;
  private nextId = 0;
  /** Where the scrubber last stood, and the head: the points history stays dense around. */
  focus: number | null = null;
  head = 0;
  /** When the last head checkpoint was taken (the clock's milliseconds). */
  private lastHead = -Infinity;
  /** Head checkpoints taken and not stored yet. */
  private headsUnstored = 0;
  /** Checkpoints committed and waiting for storeWaiting, in commit order. */
  private unstored: { readonly entry: Entry; readonly prepared: PreparedCheckpoint }[] = [];

  constructor(
    private readonly vmId: VmId,
    private readonly store: CheckpointStore,
    private readonly cache: PageCache,
    readonly policy: CheckpointPolicy = DEFAULT_CHECKPOINT_POLICY,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  /** Reads the stored list once. */
  init(): Promise<void> {
    this.ready ??= this.store.list(this.vmId).then((list) => {
      const known = new Set(this.entries.map((e) => e.id));
      appendAll(this.entries, list.filter((c) => !known.has(c.id)).map((c) => ({ ...c, persisted: true })));
      this.entries.sort(byPosition);
      for (const c of list) this.head = Math.max(this.head, c.icount);
    });
    return this.ready;
  }

  get count(): number {
    return this.entries.length;
  }

  /** Checkpoints in icount order (what verify compares). */
  list(): CheckpointInfo[] {
    return this.entries.filter((e) => e.persisted).map(({ id, seq, icount, stateHash, pages }) => ({ id, seq, icount, stateHash, pages }));
  }

  /** The page tracker of a machine (a fresh one, taking every page, for a machine not seen yet). */
  trackerOf(machine: Machine): PageTracker {
    let tracker = this.trackers.get(machine);
    if (!tracker) {
      this.trackers.set(machine, (tracker = new PageTracker()));
      this.own.add(tracker);
    }
    return tracker;
  }

  /** True when no checkpoint lies within `interval` of `icount`. */
  wants(icount: number): boolean {
    const gap = this.policy.interval;
    // Entries are in icount order: only the neighbours of the insertion point matter.
    const at = this.indexAfter(icount);
    const before = this.entries[at - 1];
    const after = this.entries[at];
    return (!before || icount - before.icount >= gap) && (!after || after.icount - icount >= gap);
  }

  /** True when the last checkpoint before `icount` is `runInterval` back or more, and the last head checkpoint `runMs` ago. */
  headDue(icount: number): boolean {
    const before = this.entries[this.indexAfter(icount) - 1];
    return (
      (!before || icount - before.icount >= this.policy.runInterval) &&
      this.clock() - this.lastHead >= this.policy.runMs &&
      // Storage slower than the machine: fewer checkpoints rather than a growing queue of page copies.
      this.headsUnstored < MAX_HEADS_UNSTORED
    );
  }

  /**
   * The running machine's state for a head checkpoint when one is due, taken now; `commit` places
   * it in history once the effects recorded up to this point have their seqs.
   */
  prepareHead(machine: Machine, at: Omit<Checkpoint, 'appliedSeq' | 'snapshot'>): PreparedCheckpoint | null {
    if (!this.headDue(at.icount)) return null;
    this.lastHead = this.clock();
    this.headsUnstored++;
    // Without pages: prepare copies only those written since the previous checkpoint.
    return { ...this.prepare(machine, { ...at, snapshot: machine.snapshot(false) }), head: true };
  }

  /** Forgets every checkpoint (the VM is deleted) and the pages only they used. */
  async deleteAll(): Promise<void> {
    await this.queue;
    this.entries = [];
    this.cache.unpin(this.own);
    this.own.clear();
    await this.store.deleteVm(this.vmId);
    this.cache.forgetStored();
    await this.store.sweep(this.cache.pinnedHashes());
  }

  /** The latest checkpoint at or before (icount, seq), or before icount when `strictly`. */
  nearest(icount: number, uptoSeq: number, strictly = false): CheckpointInfo | undefined {
    for (let i = this.indexAfter(icount) - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (e.seq <= uptoSeq && (!strictly || e.icount < icount)) return e;
    }
    return undefined;
  }

  /**
   * Restores a checkpoint's full state (from memory, the page cache or storage) and sets up the
   * tracker of a machine restored from it. A checkpoint that turns out unusable (thinned by
   * another tab, a page swept) is forgotten and null is returned: the caller takes an earlier one.
   */
  async load(info: CheckpointInfo): Promise<Checkpoint | null> {
    this.lastLoad = Date.now();
    const entry = this.entries.find((e) => e.id === info.id);
    if (!entry) return null;
    if (entry.loaded) {
      this.touch(entry);
      return entry.loaded;
    }
    try {
      const { record, pages: fetched } = await this.store.getWithPages(this.vmId, entry.id, (h) => this.cache.get(h) !== undefined);
      const map = unpackPageMap(record.pageMap);
      for (const [h, bytes] of fetched) this.cache.set(h, bytes);
      this.cache.markStored(fetched.keys());
      const pages = new Map<number, Uint8Array>();
      for (const [index, hash] of map) {
        const bytes = fetched.get(hash) ?? this.cache.get(hash);
        if (!bytes) throw new CorruptError(`Page ${hash} of checkpoint '${entry.id}' went missing while it was read.`);
        pages.set(index, bytes);
      }
      entry.loaded = decodeState(record.state, record.icount, record.seq, pages);
      entry.map = map;
      this.touch(entry);
      return entry.loaded;
    } catch (error) {
      if (!(error instanceof VmError && (error.code === 'NotFound' || error.code === 'Corrupt'))) throw error;
      this.entries = this.entries.filter((e) => e !== entry);
      await this.store.delete(this.vmId, [entry.id]);
      return null;
    }
  }

  /** Call right after restoring `cp` into `machine`: its RAM now equals the checkpoint's pages. */
  restored(machine: Machine, cp: Checkpoint): void {
    const entry = this.entries.find((e) => e.loaded === cp);
    // A tracker of its own: checkpoints the machine's previous life queued still complete with the old one.
    const tracker = new PageTracker();
    this.trackers.set(machine, tracker);
    this.own.add(tracker);
    machine.takeDirtyPages();
    if (entry?.map) {
      tracker.map = new Map(entry.map);
      tracker.full = false;
    }
  }

  /**
   * Takes a checkpoint of `machine` at the position `cp` describes: the state is captured now; the
   * pages written since the machine's previous checkpoint are hashed and stored in the background,
   * in one transaction with the record. `keepLoaded` keeps the full state in memory for travel.
   */
  capture(machine: Machine, cp: Checkpoint, keepLoaded: boolean): void {
    this.commit(this.prepare(machine, cp), cp.appliedSeq, keepLoaded);
  }

  /**
   * A checkpoint's state, taken from `machine` now: its registers and devices, and copies of the
   * pages written since the machine's previous checkpoint. Commit (or discard) prepared checkpoints
   * of one machine in the order they were prepared: their pages are tracked from one to the next.
   */
  prepare(machine: Machine, cp: Omit<Checkpoint, 'appliedSeq'>): PreparedCheckpoint {
    const tracker = this.trackerOf(machine);
    const ram = machine.ram;
    let dirty = machine.takeDirtyPages();
    if (tracker.full) {
      dirty = [];
      for (let p = 0; p < ram.touched.length; p++) if (ram.touched[p] === 1 || tracker.map.has(p)) dirty.push(p);
      tracker.full = false;
      tracker.last.clear();
    }
    const copies: (readonly [number, Uint8Array | null])[] = [];
    for (const p of dirty) {
      const before = tracker.last.get(p);
      if (ram.touched[p] === 1 && before && samePage(ram.u8, p * PAGE_SIZE, before)) continue;
      const bytes = ram.touched[p] === 1 ? ram.u8.slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE) : null;
      copies.push([p, bytes]);
      tracker.remember(p, bytes);
    }
    return { cp, tracker, copies, stateHash: machine.stateHash(), state: encodeState(cp) };
  }

  /** Forgets a prepared checkpoint: the next one of its machine takes every page, not only those written since. */
  discard(prepared: PreparedCheckpoint): void {
    prepared.tracker.full = true;
    if (prepared.head) this.headsUnstored--;
  }

  /** Places a prepared checkpoint in history after event `appliedSeq`, and stores it in the background. */
  commit(prepared: PreparedCheckpoint, appliedSeq: number, keepLoaded: boolean): void {
    const { tracker, stateHash } = prepared;
    const cp: Checkpoint = { ...prepared.cp, appliedSeq };
    const id = `${cp.icount.toString(36).padStart(10, '0')}-${appliedSeq}-${(this.nextId++).toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
    const entry: Entry = { id, seq: appliedSeq, icount: cp.icount, stateHash, pages: 0, persisted: false, ...(keepLoaded ? { loaded: cp } : {}) };
    this.entries.splice(this.indexAfter(cp.icount), 0, entry);
    this.head = Math.max(this.head, cp.icount);
    if (keepLoaded) this.touch(entry);
    this.cache.pin(tracker);
    this.unstored.push({ entry, prepared });
    this.unstoredBytes += (prepared.copies.length + (keepLoaded ? cp.snapshot.pages.size : 0)) * PAGE_SIZE;
    if (this.unstored.length === 1) this.queue = this.queue.then(() => this.quiet()).then(() => this.storeWaiting());
  }

  /** Bytes of page copies the checkpoints in `unstored` hold (their pages and, kept loaded, their full state). */
  private unstoredBytes = 0;

  /** When a checkpoint was last loaded (Date.now(): real time, whatever clock the policy runs on). */
  private lastLoad = -Infinity;

  /** Resolves once no checkpoint was loaded for QUIET_MS (see QUIET_MS). */
  private async quiet(): Promise<void> {
    const started = Date.now();
    for (;;) {
      const now = Date.now();
      const wait = Math.min(this.lastLoad + QUIET_MS, started + MAX_STORE_DELAY_MS) - now;
      if (wait <= 0 || this.unstoredBytes >= MAX_DELAYED_BYTES) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 50)));
    }
  }

  /**
   * Stores the checkpoints committed and not stored yet, all in one transaction: every IndexedDB
   * round trip of a worker waits for its run loop to yield, so a fast guest's checkpoints, stored
   * one by one, came at a tenth of the rate they were taken (bench/travel).
   */
  private async storeWaiting(): Promise<void> {
    const batch = this.unstored;
    this.unstored = [];
    this.unstoredBytes = 0;
    try {
      const hashes = await Promise.all(batch.map(({ prepared }) => Promise.all(prepared.copies.map(([, bytes]) => (bytes ? pageHash(bytes) : null)))));
      const fresh = new Map<string, Uint8Array>();
      const pageCounts: number[] = [];
      const records = batch.map(({ entry, prepared }, k) => {
        const { tracker, copies, stateHash, state } = prepared;
        copies.forEach(([p, bytes], i) => {
          const hash = hashes[k][i];
          if (!bytes || !hash) {
            tracker.map.delete(p);
            return;
          }
          tracker.map.set(p, hash);
          if (!this.cache.isStored(hash)) fresh.set(hash, bytes);
          this.cache.set(hash, bytes);
        });
        const map = new Map(tracker.map);
        // Kept in memory only with the full state (a restore sets its machine's tracker from it):
        // every checkpoint's map kept for good grew with the guest's RAM times the checkpoints taken.
        if (entry.loaded) entry.map = map;
        pageCounts[k] = map.size;
        return { vmId: this.vmId, id: entry.id, seq: entry.seq, icount: entry.icount, stateHash, state, pageMap: packPageMap(map), createdAt: this.clock() };
      });
      await this.store.putAll(records, fresh);
      this.cache.markStored(fresh.keys());
      batch.forEach(({ entry }, k) => Object.assign(entry, { pages: pageCounts[k], persisted: true }));
      await this.thin();
    } catch (error) {
      const failed = new Set(batch.map((b) => b.entry));
      this.entries = this.entries.filter((e) => !failed.has(e));
      this.failure ??= error;
    } finally {
      this.headsUnstored -= batch.filter((b) => b.prepared.head).length;
    }
  }

  /** Resolves once every checkpoint taken so far is stored; rethrows the first failure. */
  async settled(): Promise<void> {
    await this.queue;
    const failure = this.failure;
    this.failure = null;
    if (failure) throw failure;
  }

  /** Drops the checkpoints the spacing no longer wants, then now and then the pages nobody uses. */
  private async thin(): Promise<void> {
    const persisted = this.entries.filter((e) => e.persisted);
    const focus = this.focus === null ? [this.head] : [this.head, this.focus];
    const drop = new Set(thinned(persisted, focus, this.policy));
    if (drop.size === 0) return;
    this.entries = this.entries.filter((e) => !drop.has(e.id));
    await this.store.delete(this.vmId, [...drop]);
    this.deletedSinceSweep += drop.size;
    if (this.deletedSinceSweep >= Math.max(SWEEP_EVERY, this.entries.length)) {
      this.deletedSinceSweep = 0;
      this.cache.forgetStored();
      await this.store.sweep(this.cache.pinnedHashes());
    }
  }

  /** Marks an entry as used now; beyond `loadedMax` the least recently used drop their full state. */
  private loadedOrder: Entry[] = [];
  private touch(entry: Entry): void {
    this.loadedOrder = [entry, ...this.loadedOrder.filter((e) => e !== entry)];
    for (const old of this.loadedOrder.splice(this.policy.loadedMax)) {
      if (old.persisted) {
        delete old.loaded;
        delete old.map;
      }
    }
  }

  private indexAfter(icount: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid].icount <= icount) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
