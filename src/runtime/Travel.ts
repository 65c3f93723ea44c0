// Time travel over one VM's recorded history: views at any seq or icount, and breakpoint searches.
import { evolve, initialState, NotFoundError, type AnyStoredEvent, type VmConfig, type VmId } from '../domain/index.ts';
import type { EventStore } from '../store/EventStore.ts';
import { viewOf } from './inspect.ts';
import type { PastView, TravelTarget } from './protocol.ts';
import { Replayer, resolveImages, type Checkpoint, type ImageResolver, type Watch } from './replay.ts';

export interface TravelOptions {
  /** Instructions of replay between two in-memory checkpoints. */
  readonly checkpointInterval?: number;
  /** Checkpoints kept per VM; beyond it every other one is dropped, keeping recent ones dense. */
  readonly maxCheckpoints?: number;
}

/**
 * Keeps the events read so far, the last replayer (so stepping forward continues from where the
 * previous view left off) and checkpoints taken while replaying (so going back restores the
 * nearest one instead of booting again). Checkpoints live in the worker's memory for now.
 */
export class Travel {
  private events: AnyStoredEvent[] = [];
  private replayer: Replayer | null = null;
  /** In icount order. */
  private checkpoints: Checkpoint[] = [];
  private readonly interval: number;
  private readonly maxCheckpoints: number;

  constructor(
    private readonly vmId: VmId,
    private readonly store: EventStore,
    private readonly resolve: ImageResolver,
    options: TravelOptions = {},
  ) {
    this.interval = options.checkpointInterval ?? 20_000_000;
    this.maxCheckpoints = options.maxCheckpoints ?? 48;
  }

  /** How many checkpoints are kept (for tests and the inspector). */
  get checkpointCount(): number {
    return this.checkpoints.length;
  }

  /** The VM as it was at `target`. */
  async view(config: VmConfig, target: TravelTarget, memoryAt?: number): Promise<PastView> {
    const events = await this.refresh();
    const { seq, icount, uptoSeq } = this.locate(events, target);
    const replayer = await this.replayerFor(config, icount, uptoSeq);
    const incarnation = replayer.advance(events, icount, uptoSeq);
    let state = initialState(this.vmId);
    for (let i = 0; i < seq; i++) state = evolve(state, events[i]);
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
    if (direction === 'forward') {
      const uptoSeq = lastAtOrBefore(events, from);
      const replayer = await this.replayerFor(config, from, uptoSeq);
      replayer.advance(events, from, uptoSeq);
      // A stop where we already stand is not "the next" one.
      return replayer.runToBreakpoint(events, set, headIcount, (icount) => icount <= from, watches);
    }
    // Search backwards one checkpoint interval at a time: the last hit before `from` is in the
    // latest interval that has any.
    const images = await resolveImages(config, this.resolve);
    let end = from;
    for (;;) {
      const start = [...this.checkpoints].reverse().find((cp) => cp.icount < end);
      const replayer = new Replayer(config, images, start);
      replayer.onProgress = (r) => this.maybeCheckpoint(r);
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
    }
  }

  /** Everything the console ever showed, from the IoCompleted events read so far. */
  private console = '';

  private async refresh(): Promise<AnyStoredEvent[]> {
    const fresh = await this.store.loadEvents(this.vmId, this.events.length + 1);
    for (const e of fresh) if (e.type === 'IoCompleted' && e.data.direction === 'out') this.console += e.data.bytes;
    this.events.push(...fresh);
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

  private async replayerFor(config: VmConfig, icount: number, uptoSeq: number): Promise<Replayer> {
    if (!this.replayer || !this.replayer.canReach(icount, uptoSeq)) {
      this.replayer = await this.fresh(config, icount, uptoSeq);
    }
    return this.replayer;
  }

  /** A replayer starting from the latest checkpoint that can reach (icount, uptoSeq), or from boot. */
  private async fresh(config: VmConfig, icount: number, uptoSeq: number): Promise<Replayer> {
    const images = await resolveImages(config, this.resolve);
    let from: Checkpoint | undefined;
    for (const cp of this.checkpoints) {
      if (cp.icount <= icount && cp.appliedSeq <= uptoSeq) from = cp;
      else if (cp.icount > icount) break;
    }
    const replayer = new Replayer(config, images, from);
    replayer.onProgress = (r) => this.maybeCheckpoint(r);
    return replayer;
  }

  private maybeCheckpoint(replayer: Replayer): void {
    const icount = replayer.icount;
    const nearest = this.checkpoints.reduce((best, cp) => Math.min(best, Math.abs(cp.icount - icount)), Infinity);
    if (nearest < this.interval) return;
    const cp = replayer.checkpoint();
    const at = this.checkpoints.findIndex((c) => c.icount > icount);
    if (at < 0) this.checkpoints.push(cp);
    else this.checkpoints.splice(at, 0, cp);
    // Thin the oldest half, so spacing grows further back while recent history stays dense.
    if (this.checkpoints.length > this.maxCheckpoints) {
      const half = Math.floor(this.checkpoints.length / 2);
      this.checkpoints = [...this.checkpoints.slice(0, half).filter((_, i) => i % 2 === 0), ...this.checkpoints.slice(half)];
    }
  }
}

/** Index+1 of the last event whose icount is at or before `icount` (events are in icount order). */
export function lastAtOrBefore(events: readonly AnyStoredEvent[], icount: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].icount <= icount) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(1, lo);
}
