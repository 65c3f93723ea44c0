// Time travel over one VM's recorded history: views at any seq or icount, and breakpoint searches.
import { evolve, initialState, NotFoundError, type AnyStoredEvent, type VmConfig, type VmId, type VmState } from '../domain/index.ts';
import type { EventStore } from '../store/EventStore.ts';
import { InMemoryCheckpointStore } from '../store/CheckpointStore.ts';
import { DEFAULT_CHECKPOINT_POLICY, PageCache, VmCheckpoints, type CheckpointPolicy } from './checkpoints.ts';
import type { Machine } from '../emulator/machine.ts';
import { viewOf } from './inspect.ts';
import type { PastView, TravelTarget } from './protocol.ts';
import { countUpTo, Replayer, resolveImages, type BootImages, type Checkpoint, type ImageResolver, type Watch } from './replay.ts';

export type TravelOptions = Partial<CheckpointPolicy>;

/** Aggregate states kept every this many events, so a view folds at most that many. */
const STATE_EVERY = 512;

/** A view checkpoints the re-execution behind it over this many checkpoint intervals (Travel.captureFrom). */
const CAPTURE_BEHIND = 2;

/**
 * Keeps the events read so far, the last replayer (so stepping forward continues from where the
 * previous view left off) and the VM's checkpoints (persisted, so going back, or coming back after
 * a reload, restores the nearest one instead of booting again).
 */
export class Travel {
  private events: AnyStoredEvent[] = [];
  private replayer: Replayer | null = null;
  /** Aggregate state after events[0 .. k·STATE_EVERY). */
  private states: VmState[] = [];
  readonly checkpoints: VmCheckpoints;

  constructor(
    private readonly vmId: VmId,
    private readonly store: EventStore,
    private readonly resolve: ImageResolver,
    checkpoints?: VmCheckpoints,
    /**
     * The stream's head as the VM's service knows it: when the events read so far reach it, a
     * view does not ask the store for more (an IndexedDB read costs a few ms in a worker).
     */
    private readonly knownHead: () => number = () => Number.MAX_SAFE_INTEGER,
    /** The VM's running (or paused) machine, if it has one here: replayers take in its translated blocks. */
    private readonly live: () => Machine | undefined = () => undefined,
  ) {
    this.checkpoints = checkpoints ?? new VmCheckpoints(vmId, new InMemoryCheckpointStore(), new PageCache(), DEFAULT_CHECKPOINT_POLICY);
  }

  /** How many checkpoints there are (for tests and the inspector). */
  get checkpointCount(): number {
    return this.checkpoints.count;
  }

  /** The VM as it was at `target`. */
  async view(config: VmConfig, target: TravelTarget, memoryAt?: number): Promise<PastView> {
    const events = await this.refresh();
    const { seq, icount, uptoSeq } = this.locate(events, target);
    this.checkpoints.focus = icount;
    this.captureFrom = icount - CAPTURE_BEHIND * this.checkpoints.policy.interval;
    const replayer = await this.replayerFor(config, icount, uptoSeq);
    const incarnation = replayer.advance(events, icount, uptoSeq);
    const state = this.stateAt(seq);
    // The console is append-only, so what it showed at this instruction is a prefix of all it
    // ever showed: as long as what the replayed machine has written so far.
    const console = this.console.slice(0, replayer.outputCount);
    return { vmId: this.vmId, seq, icount, head: events.length, state, machine: viewOf(incarnation.machine, icount, memoryAt), console };
  }

  /**
   * The icount at which the hart next (forward) or last (backward) stands at one of `pcs`, or
   * starts an instruction that writes into a watched range, seen from icount `from`; null when
   * there is no such moment in the recorded history.
   */
  async findBreakpoint(
    config: VmConfig,
    pcs: readonly number[],
    from: number,
    direction: 'forward' | 'backward',
    watches: readonly Watch[] = [],
  ): Promise<number | null> {
    const events = await this.refresh();
    const headIcount = events[events.length - 1].icount;
    const set = new Set(pcs);
    if (set.size === 0 && watches.length === 0) return null;
    this.captureFrom = 0;
    if (direction === 'forward') {
      const uptoSeq = lastAtOrBefore(events, from);
      const replayer = await this.replayerFor(config, from, uptoSeq);
      replayer.advance(events, from, uptoSeq);
      this.replayer = null; // it goes on past `from`
      // A stop where we already stand is not "the next" one.
      return replayer.runToBreakpoint(events, set, headIcount, (icount) => icount <= from, watches);
    }
    // Search backwards one checkpoint interval at a time: the last hit before `from` is in the
    // latest interval that has any.
    let end = from;
    // Each interval's replayer is done with once searched: the next one restores into its machine.
    let spare: Machine | undefined;
    for (;;) {
      const { replayer, start } = await this.fresh(config, end, Number.MAX_SAFE_INTEGER, true, spare);
      spare = replayer.incarnation.machine;
      let last: number | null = null;
      replayer.runToBreakpoint(
        events,
        set,
        end,
        (icount) => {
          if (icount < end) last = icount;
          return true;
        },
        watches,
      );
      if (last !== null || !start) return last;
      end = start.icount;
      this.checkpoints.focus = end;
    }
  }

  /** Everything the console ever showed, from the IoCompleted events read so far. */
  private console = '';

  private async refresh(): Promise<AnyStoredEvent[]> {
    if (this.events.length > 0 && this.events.length >= this.knownHead()) return this.events;
    const fresh = await this.store.loadEvents(this.vmId, this.events.length + 1);
    for (const e of fresh) if (e.type === 'IoCompleted' && e.data.direction === 'out') this.console += e.data.bytes;
    // One at a time: spreading a few hundred thousand arguments overflows the stack.
    for (const e of fresh) this.events.push(e);
    if (this.events.length > 0) this.checkpoints.head = this.events[this.events.length - 1].icount;
    if (this.events.length === 0) throw new NotFoundError(`VM '${this.vmId}' has no history yet.`);
    return this.events;
  }

  private locate(events: readonly AnyStoredEvent[], target: TravelTarget): { seq: number; icount: number; uptoSeq: number } {
    const head = events.length;
    if ('seq' in target) {
      const seq = Math.min(Math.max(1, Math.floor(target.seq)), head);
      return { seq, icount: events[seq - 1].icount, uptoSeq: seq };
    }
    const icount = Math.min(Math.max(0, Math.floor(target.icount)), events[head - 1].icount);
    // An icount target includes every event at that icount; a seq target only those up to it.
    const seq = lastAtOrBefore(events, icount);
    return { seq, icount, uptoSeq: seq };
  }

  /** Aggregate state after event `seq`, folded from the nearest kept state. */
  private stateAt(seq: number): VmState {
    if (this.states.length === 0) this.states.push(initialState(this.vmId));
    while (this.states.length * STATE_EVERY <= seq) {
      let state = this.states[this.states.length - 1];
      const from = (this.states.length - 1) * STATE_EVERY;
      for (let i = from; i < from + STATE_EVERY; i++) state = evolve(state, this.events[i]);
      this.states.push(state);
    }
    const k = Math.floor(seq / STATE_EVERY);
    let state = this.states[k];
    for (let i = k * STATE_EVERY; i < seq; i++) state = evolve(state, this.events[i]);
    return state;
  }

  private async replayerFor(config: VmConfig, icount: number, uptoSeq: number): Promise<Replayer> {
    await this.checkpoints.init();
    // Going on from the last view is worth it unless a checkpoint lies nearer the target.
    const nearest = this.checkpoints.nearest(icount, uptoSeq);
    const current = this.replayer;
    if (current && current.canReach(icount, uptoSeq) && !(nearest && nearest.icount > current.icount)) return current;
    this.replayer = null;
    this.replayer = (await this.fresh(config, icount, uptoSeq, false, current?.incarnation.machine)).replayer;
    return this.replayer;
  }

  /**
   * A replayer of its own at (icount, uptoSeq), from the nearest checkpoint: the runner takes it
   * over when a VM is opened, so it never re-executes from boot when checkpoints exist.
   */
  async replayerAt(config: VmConfig, icount: number, uptoSeq: number): Promise<Replayer> {
    const events = await this.refresh();
    this.captureFrom = 0;
    const { replayer } = await this.fresh(config, icount, uptoSeq);
    replayer.advance(events, icount, uptoSeq);
    replayer.onProgress = null;
    return replayer;
  }

  /** The VM's boot images, resolved once: they are immutable (built in, or stored by content hash). */
  private images: Promise<BootImages> | null = null;

  private imagesFor(config: VmConfig): Promise<BootImages> {
    const images = (this.images ??= resolveImages(config, this.resolve));
    // A failed resolution (a fetch that did not get through) is tried again next time.
    images.catch(() => {
      if (this.images === images) this.images = null;
    });
    return images;
  }

  /**
   * A replayer starting from the latest checkpoint that can reach (icount, uptoSeq) (strictly
   * before icount when `strictly`), or from boot; it takes checkpoints as it goes.
   */
  private async fresh(
    config: VmConfig,
    icount: number,
    uptoSeq: number,
    strictly = false,
    reuse?: Machine,
  ): Promise<{ replayer: Replayer; start: Checkpoint | undefined }> {
    const images = await this.imagesFor(config);
    await this.checkpoints.init();
    let start: Checkpoint | undefined;
    for (;;) {
      const info = this.checkpoints.nearest(icount, uptoSeq, strictly);
      if (!info) break;
      const loaded = await this.checkpoints.load(info);
      if (loaded) {
        start = loaded;
        break;
      }
    }
    // Nothing stored before the target: a machine to reuse goes back to the boot state, taken of
    // the first boot before it ran, rather than a new one being allocated, loaded and given its
    // blocks (60–85 ms in bench/travel, against a few for a restore). `start` stays undefined:
    // the replay runs from boot.
    const from = start ?? (reuse ? this.bootState : undefined);
    const replayer = new Replayer(config, images, from, reuse);
    if (!from) this.bootState ??= replayer.checkpoint();
    if (from) this.checkpoints.restored(replayer.incarnation.machine, from);
    this.pretranslate(replayer.incarnation.machine);
    replayer.onProgress = (r) => this.maybeCheckpoint(r);
    return { replayer, start };
  }

  /** The machine state at icount 0 (Travel.fresh). */
  private bootState: Checkpoint | undefined;

  /** The pcs of the blocks the recording translated (its CodeCompiled events), gathered as events arrive. */
  private readonly hotPcs = new Set<number>();
  private hotScanned = 0;
  /** Machines given those blocks already, and how many pcs they were given. */
  private readonly pretranslated = new WeakMap<Machine, number>();

  /**
   * Gives a replayer's machine the blocks the recording translated, compiled at once: a new
   * replayer (a reopened VM) otherwise interprets each stretch of code until it is hot again, and
   * the first seeks of a reopened recording re-executed at a fraction of the speed of the later ones.
   */
  private pretranslate(machine: Machine): void {
    // Blocks of the VM's machine come with the engine's optimized code. With modules of its own, a
    // replayer's first seeks re-execute at a fraction of full speed while the engine compiles them:
    // the first ten seeks after pausing a busy guest took 609–694 ms in Chromium, 507–572 with these.
    const live = this.live();
    if (live !== undefined && live !== machine && !this.pretranslated.has(machine)) machine.adoptBlocks(live);
    const events = this.events;
    for (; this.hotScanned < events.length; this.hotScanned++) {
      const e = events[this.hotScanned];
      if (e.type === 'CodeCompiled') this.hotPcs.add(Number(BigInt.asIntN(64, BigInt(e.data.pc))));
    }
    if ((this.pretranslated.get(machine) ?? -1) === this.hotPcs.size) return;
    this.pretranslated.set(machine, this.hotPcs.size);
    machine.pretranslate(this.hotPcs);
  }

  /**
   * Where a view's re-execution starts taking checkpoints: only the last stretch before the point
   * viewed, where scrubbing and stepping back will come. Checkpoints all along a long re-execution
   * cost a snapshot each and were mostly thinned away later.
   */
  private captureFrom = 0;

  private maybeCheckpoint(replayer: Replayer): void {
    if (replayer.icount >= this.captureFrom && this.checkpoints.wants(replayer.icount)) this.checkpoints.capture(replayer.incarnation.machine, replayer.checkpoint(), true);
  }
}

/** Index+1 of the last event whose icount is at or before `icount` (events are in icount order). */
export function lastAtOrBefore(events: readonly AnyStoredEvent[], icount: number): number {
  return Math.max(1, countUpTo(events, 'icount', icount));
}
