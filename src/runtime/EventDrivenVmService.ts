// One VM's service: decides commands on the aggregate, persists the events, then publishes them.
import {
  ConcurrencyError,
  decide,
  fromEvents,
  initialState,
  type AnyStoredEvent,
  type Command,
  type PauseReason,
  type StopReason,
  type VmConfig,
  type VmId,
  type VmState,
} from '../domain/index.ts';
import type { EventStore } from '../store/EventStore.ts';

export type StateListener = (state: VmState, events: readonly AnyStoredEvent[]) => void;

export interface VmServiceOptions {
  /** Wall clock for the informational `at` of events. */
  readonly clock?: () => number;
  /** Makes ids for snapshots. */
  readonly newId?: () => string;
}

export class EventDrivenVmService {
  private current: VmState;
  private readonly listeners = new Set<StateListener>();
  /** Commands run one after another, so each appends against the head the previous one left. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly clock: () => number;
  private readonly newId: () => string;

  private constructor(
    readonly vmId: VmId,
    private readonly store: EventStore,
    state: VmState,
    options: VmServiceOptions,
  ) {
    this.current = state;
    this.clock = options.clock ?? (() => Date.now());
    this.newId = options.newId ?? (() => crypto.randomUUID());
  }

  /** Rebuilds the VM from its stored history (empty when the VM does not exist yet). */
  static async withEventStore(vmId: VmId, store: EventStore, options: VmServiceOptions = {}): Promise<EventDrivenVmService> {
    const state = fromEvents(vmId, await store.loadEvents(vmId));
    return new EventDrivenVmService(vmId, store, state, options);
  }

  get state(): VmState {
    return this.current;
  }

  /** Listens to state changes; called after the events are persisted. */
  onChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  create(name: string, config: VmConfig, forkedFrom?: { vmId: string; seq: number }): Promise<readonly AnyStoredEvent[]> {
    return this.execute(forkedFrom ? { type: 'CreateVm', name, config, forkedFrom } : { type: 'CreateVm', name, config });
  }

  start(): Promise<readonly AnyStoredEvent[]> {
    return this.execute({ type: 'StartVm' });
  }

  pause(reason: PauseReason = 'user'): Promise<readonly AnyStoredEvent[]> {
    return this.execute({ type: 'PauseVm', reason });
  }

  resume(): Promise<readonly AnyStoredEvent[]> {
    return this.execute({ type: 'ResumeVm' });
  }

  stop(reason: StopReason = 'user', exitCode: number | null = null): Promise<readonly AnyStoredEvent[]> {
    return this.execute({ type: 'StopVm', reason, exitCode });
  }

  reset(): Promise<readonly AnyStoredEvent[]> {
    return this.execute({ type: 'ResetVm' });
  }

  rename(name: string): Promise<readonly AnyStoredEvent[]> {
    return this.execute({ type: 'RenameVm', name });
  }

  /** Records a snapshot's bookkeeping; the machine state it refers to arrives with the recorder. */
  createSnapshot(name: string, size = 0): Promise<readonly AnyStoredEvent[]> {
    return this.execute({ type: 'CreateSnapshot', id: this.newId(), name, size });
  }

  restoreSnapshot(id: string): Promise<readonly AnyStoredEvent[]> {
    return this.execute({ type: 'RestoreSnapshot', id });
  }

  deleteSnapshot(id: string): Promise<readonly AnyStoredEvent[]> {
    return this.execute({ type: 'DeleteSnapshot', id });
  }

  /**
   * Decides, appends with the expected seq, and only then evolves and publishes. `icount` is the
   * machine's instruction count when the command takes effect (default: the last recorded one).
   */
  execute(command: Command, icount?: number): Promise<readonly AnyStoredEvent[]> {
    const run = this.queue.then(() => this.executeNow(command, icount));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Rebuilds the state from the store, as after a reload. */
  async replayEvents(): Promise<VmState> {
    await this.queue;
    this.current = fromEvents(this.vmId, await this.store.loadEvents(this.vmId), initialState(this.vmId));
    return this.current;
  }

  dispose(): void {
    this.listeners.clear();
  }

  private async executeNow(command: Command, icount: number | undefined): Promise<readonly AnyStoredEvent[]> {
    const decided = decide(command, this.current, icount === undefined ? { now: this.clock() } : { now: this.clock(), icount });
    if (decided.length === 0) return [];
    try {
      const { firstSeq } = await this.store.append(this.vmId, this.current.version, decided);
      const stored = decided.map((e, i) => ({ ...e, vmId: this.vmId, seq: firstSeq + i }) as AnyStoredEvent);
      this.current = fromEvents(this.vmId, stored, this.current);
      for (const listener of this.listeners) listener(this.current, stored);
      return stored;
    } catch (error) {
      // Someone else wrote to the stream: catch up so the next command decides on the real state.
      if (error instanceof ConcurrencyError) await this.catchUp();
      throw error;
    }
  }

  private async catchUp(): Promise<void> {
    const missed = await this.store.loadEvents(this.vmId, this.current.version + 1);
    if (missed.length === 0) return;
    this.current = fromEvents(this.vmId, missed, this.current);
    for (const listener of this.listeners) listener(this.current, missed);
  }
}
