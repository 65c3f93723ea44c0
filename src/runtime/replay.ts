// Rebuilds a VM's machine from its stream by re-execution: boot image, then recorded input at recorded icounts.
import { CorruptError, latin1Bytes, latin1String, type AnyStoredEvent, type BootImageRef, type VmConfig } from '../domain/index.ts';
import { Machine, type MachineSnapshot } from '../emulator/machine.ts';

/** Fetches the bytes of a boot image (built-in by name, or stored content by hash). */
export type ImageResolver = (ref: BootImageRef) => Promise<Uint8Array>;

/** Bytes a VM boots from, resolved once. */
export interface BootImages {
  readonly bios: Uint8Array;
  readonly kernel?: Uint8Array;
}

export async function resolveImages(config: VmConfig, resolve: ImageResolver): Promise<BootImages> {
  const bios = await resolve(config.bootImage);
  return config.kernelImage ? { bios, kernel: await resolve(config.kernelImage) } : { bios };
}

/**
 * A machine of a VM's stream. A stream's icount keeps counting across resets: `base` is the
 * stream icount at which this machine booted, so stream icount = base + machine.icount.
 */
export interface Incarnation {
  readonly machine: Machine;
  readonly base: number;
}

/**
 * Whether machines booted for VMs translate hot blocks (the default) or only interpret. Both give
 * the same states at the same icounts, so a recording made one way replays exactly the other way;
 * the CLI's --interpret and the differential tests switch it.
 */
let translation = true;

export function setTranslation(enabled: boolean): void {
  translation = enabled;
}

export function boot(config: VmConfig, images: BootImages, base: number): Incarnation {
  const machine = new Machine({
    translate: translation,
    bios: images.bios,
    biosName: config.bootImage.name,
    memoryMiB: config.memoryMiB,
    ...(images.kernel && config.kernelImage ? { kernel: images.kernel, kernelName: config.kernelImage.name } : {}),
  });
  return { machine, base };
}

/** A write watchpoint: physical address and length in bytes. */
export interface Watch {
  readonly pa: number;
  readonly length: number;
}

/** A replayer's position: the machine state and how far into the stream's causes it is. */
export interface Checkpoint {
  readonly icount: number;
  readonly appliedSeq: number;
  readonly base: number;
  readonly outputCount: number;
  readonly snapshot: MachineSnapshot;
}

/** Per-run chunk while replaying, so a long replay can report progress and stay interruptible. */
export const REPLAY_CHUNK = 1_000_000;

/**
 * Re-executes a VM's history forward: boots, delivers each recorded input at its icount, reboots
 * at each reset. Deterministic, so at any icount it equals the live machine there. It only goes
 * forward; going back means a new Replayer (or, later, a checkpoint).
 */
export class Replayer {
  private current: Incarnation;
  /** Seq of the last input or reset applied. */
  private appliedSeq = 0;
  /** Hears the replayer between run chunks (to take checkpoints). */
  onProgress: ((replayer: Replayer) => void) | null = null;

  /**
   * `reuse`: a machine of the same VM nobody uses any more, to restore `from` into instead of
   * building a new one (a 128 MiB machine takes tens of milliseconds to allocate).
   */
  constructor(
    private readonly config: VmConfig,
    private readonly images: BootImages,
    from?: Checkpoint,
    reuse?: Machine,
  ) {
    this.current = from && reuse ? { machine: reuse, base: 0 } : boot(config, images, 0);
    if (from) {
      this.current.machine.restore(from.snapshot);
      this.current = { machine: this.current.machine, base: from.base };
      this.appliedSeq = from.appliedSeq;
      this.outputCount = from.outputCount;
    }
  }

  /** The replayer's position as a checkpoint another replayer can start from. */
  checkpoint(): Checkpoint {
    return { icount: this.icount, appliedSeq: this.appliedSeq, base: this.current.base, outputCount: this.outputCount, snapshot: this.current.machine.snapshot() };
  }

  get incarnation(): Incarnation {
    return this.current;
  }

  get icount(): number {
    return this.current.base + this.current.machine.icount;
  }

  /** True when `advance(…, target, uptoSeq)` can get there from here. */
  canReach(target: number, uptoSeq = Number.MAX_SAFE_INTEGER): boolean {
    return target >= this.icount && this.appliedSeq <= uptoSeq;
  }

  /**
   * Runs to stream icount `target`, applying the inputs and resets among `events` (in seq order)
   * that lie at or before it, up to seq `uptoSeq`, and were not applied yet. Several events can
   * share an icount; `uptoSeq` says which of them have happened.
   */
  advance(events: readonly AnyStoredEvent[], target: number, uptoSeq = Number.MAX_SAFE_INTEGER): Incarnation {
    // From the first event not applied yet: a view far into a long stream does not walk all before it.
    for (let i = countUpTo(events, 'seq', this.appliedSeq); i < events.length; i++) {
      const e = events[i];
      if (e.icount > target || e.seq > uptoSeq) break;
      if (!DRIVES_REPLAY.has(e.type)) continue;
      this.runTo(e.icount);
      this.apply(e, events);
    }
    this.runTo(target);
    return this.current;
  }

  /** Applies one cause at the current icount: input bytes, a reboot, or a jump to a snapshot's state. */
  private apply(e: AnyStoredEvent, events: readonly AnyStoredEvent[]): void {
    switch (e.type) {
      case 'InputReceived':
        this.current.machine.sendInput(latin1Bytes(e.data.bytes));
        break;
      case 'VmReset':
        this.current = boot(this.config, this.images, e.icount);
        break;
      case 'SnapshotRestored': {
        const id = e.data.id;
        const taken = events.find((c) => c.type === 'SnapshotCreated' && c.data.id === id);
        if (!taken || taken.type !== 'SnapshotCreated') throw new CorruptError(`Snapshot '${id}' restored at seq ${e.seq} was never created.`);
        // The state the snapshot named, rebuilt by its own replay; the stream's icount goes on from here.
        const machine = new Replayer(this.config, this.images).advance(events, taken.icount, taken.seq - 1).machine;
        this.current = { machine, base: e.icount - machine.icount };
        break;
      }
      default:
        break;
    }
    this.appliedSeq = e.seq;
  }

  /**
   * Runs forward from here, with inputs and resets applied as recorded, until the hart is about to
   * execute one of `pcs` or stream icount `limit` is reached. `onHit` hears every stop at a
   * breakpoint and says whether to keep going (to find the last one before a point).
   * Returns the icount of the stop it ended on, or null when it reached the limit.
   */
  runToBreakpoint(
    events: readonly AnyStoredEvent[],
    pcs: ReadonlySet<number>,
    limit: number,
    onHit: (icount: number) => boolean,
    watches: readonly Watch[] = [],
  ): number | null {
    let found: number | null = null;
    const hit = (icount: number): boolean => {
      found = icount;
      return !onHit(icount);
    };
    this.breakpoints = pcs;
    this.watches = watches;
    this.onBreak = hit;
    try {
      for (let i = countUpTo(events, 'seq', this.appliedSeq); i < events.length; i++) {
        const e = events[i];
        if (e.icount > limit) break;
        if (!DRIVES_REPLAY.has(e.type)) continue;
        if (this.runTo(e.icount)) return found;
        this.apply(e, events);
      }
      return this.runTo(limit) ? found : null;
    } finally {
      this.breakpoints = NO_BREAKPOINTS;
      this.watches = [];
      this.onBreak = null;
    }
  }

  private breakpoints: ReadonlySet<number> = NO_BREAKPOINTS;
  private watches: readonly Watch[] = [];
  /** Called at a breakpoint stop or watched write (with the icount where it happened); true means stop replaying there. */
  private onBreak: ((icount: number) => boolean) | null = null;

  /** Runs to `icount`; true when it stopped early at a breakpoint that ends the search. */
  private runTo(icount: number): boolean {
    const machine = this.current.machine;
    machine.breakpoints.clear();
    for (const pc of this.breakpoints) machine.breakpoints.add(pc);
    machine.clearWatchpoints();
    for (const w of this.watches) machine.watchWrite(w.pa, w.length);
    while (this.current.base + machine.icount < icount) {
      const budget = Math.min(REPLAY_CHUNK, icount - this.current.base - machine.icount);
      const result = machine.run(budget);
      // Count the output before a checkpoint may be taken: a snapshot does not hold undrained bytes.
      this.collectOutput();
      this.onProgress?.(this);
      const stop =
        result.reason === 'breakpoint' ? this.icount : result.reason === 'watchpoint' && machine.watchHit ? this.current.base + machine.watchHit.icount : -1;
      if (stop >= 0 && this.onBreak?.(stop)) {
        this.collectOutput();
        return true;
      }
      if (result.reason !== 'budget' && result.reason !== 'breakpoint' && result.reason !== 'watchpoint' && this.current.base + machine.icount < icount) {
        // The machine stopped (waiting, powered off) before the recorded point: the recording and
        // the machine disagree, which replay cannot paper over.
        throw new CorruptError(
          `Replay stopped at icount ${this.current.base + machine.icount} (${result.reason}) before reaching the recorded icount ${icount}.`,
          'The recording does not match this emulator version; export it and report the divergence.',
        );
      }
    }
    this.collectOutput();
    return false;
  }

  /** Console bytes the replayed machine wrote, when `keepOutput` is on (one char per byte). */
  output = '';
  keepOutput = false;

  /** Console bytes written since boot (across resets and restores): where the console stands now. */
  outputCount = 0;

  private collectOutput(): void {
    const bytes = this.current.machine.drainOutput();
    this.outputCount += bytes.length;
    if (this.keepOutput && bytes.length > 0) this.output += latin1String(bytes);
  }
}

const NO_BREAKPOINTS: ReadonlySet<number> = new Set();

/** The events re-execution applies; every other one is an effect it re-derives. */
const DRIVES_REPLAY: ReadonlySet<string> = new Set(['InputReceived', 'VmReset', 'SnapshotRestored']);

/**
 * How many of `events` (in stream order, so by seq and by icount) have `key` at or below `value`:
 * the index of the first one above it, found by bisection.
 */
export function countUpTo(events: readonly AnyStoredEvent[], key: 'seq' | 'icount', value: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid][key] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Re-executes from boot to stream icount `target` (default: the last event's icount). */
export function replayTo(
  config: VmConfig,
  images: BootImages,
  events: readonly AnyStoredEvent[],
  target: number = events.length > 0 ? events[events.length - 1].icount : 0,
): Incarnation {
  return new Replayer(config, images).advance(events, target);
}

