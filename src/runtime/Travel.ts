// Time travel over one VM's recorded history: views at any seq or icount, and breakpoint searches.
import { evolve, initialState, NotFoundError, type AnyStoredEvent, type VmConfig, type VmId } from '../domain/index.ts';
import type { EventStore } from '../store/EventStore.ts';
import { viewOf } from './inspect.ts';
import type { PastView, TravelTarget } from './protocol.ts';
import { Replayer, resolveImages, type ImageResolver } from './replay.ts';

/**
 * Keeps the events read so far and the last replayer, so stepping forward continues from where the
 * previous view left off; going back starts a new replay from boot (checkpoints will shorten that).
 */
export class Travel {
  private events: AnyStoredEvent[] = [];
  private replayer: Replayer | null = null;

  constructor(
    private readonly vmId: VmId,
    private readonly store: EventStore,
    private readonly resolve: ImageResolver,
  ) {}

  /** The VM as it was at `target`. */
  async view(config: VmConfig, target: TravelTarget): Promise<PastView> {
    const events = await this.refresh();
    const { seq, icount, uptoSeq } = this.locate(events, target);
    const replayer = await this.replayerFor(config, icount, uptoSeq);
    const incarnation = replayer.advance(events, icount, uptoSeq);
    let console = '';
    let state = initialState(this.vmId);
    for (let i = 0; i < seq; i++) {
      const e = events[i];
      state = evolve(state, e);
      if (e.type === 'IoCompleted' && e.data.direction === 'out') console += e.data.bytes;
    }
    return { vmId: this.vmId, seq, icount, head: events.length, state, machine: viewOf(incarnation.machine, icount), console };
  }

  /**
   * The icount at which the hart next (forward) or last (backward) stands at one of `pcs`, seen
   * from icount `from`; null when there is no such moment in the recorded history.
   */
  async findBreakpoint(config: VmConfig, pcs: readonly number[], from: number, direction: 'forward' | 'backward'): Promise<number | null> {
    const events = await this.refresh();
    const headIcount = events[events.length - 1].icount;
    const set = new Set(pcs);
    if (set.size === 0) return null;
    if (direction === 'forward') {
      const uptoSeq = lastAtOrBefore(events, from);
      const replayer = await this.replayerFor(config, from, uptoSeq);
      replayer.advance(events, from, uptoSeq);
      // A stop where we already stand is not "the next" one.
      return replayer.runToBreakpoint(events, set, headIcount, (icount) => icount <= from);
    }
    const replayer = new Replayer(config, await resolveImages(config, this.resolve));
    let last: number | null = null;
    replayer.runToBreakpoint(events, set, from, (icount) => {
      if (icount < from) last = icount;
      return true;
    });
    this.replayer = replayer;
    return last;
  }

  private async refresh(): Promise<AnyStoredEvent[]> {
    this.events.push(...(await this.store.loadEvents(this.vmId, this.events.length + 1)));
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
      this.replayer = new Replayer(config, await resolveImages(config, this.resolve));
    }
    return this.replayer;
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
