// The worker's side of the protocol: all VMs of one store, their services, watchers and files.
import {
  fromEvents,
  IllegalStateError,
  newEvent,
  NotFoundError,
  parseVmId,
  QuotaError,
  toErrorPayload,
  ValidationError,
  VmError,
  type AnyNewEvent,
  type AnyStoredEvent,
  type Hex,
  type VmConfig,
  type VmId,
} from '../domain/index.ts';
import type { EventStore } from '../store/EventStore.ts';
import type { ImageStore } from '../store/ImageStore.ts';
import { exportStream, importStream, parseStreamFile } from '../store/streamFile.ts';
import { fileImagesOf, importFileImages, storeBootFiles } from './bootFiles.ts';
import { defaultVmConfig } from './defaultConfig.ts';
import { EventDrivenVmService, type VmServiceOptions } from './EventDrivenVmService.ts';
import { MachineRunner } from './MachineRunner.ts';
import { InMemoryCheckpointStore, type CheckpointStore } from '../store/CheckpointStore.ts';
import { copyCheckpoints, exportCheckpoints, importCheckpoints, parseCheckpointSection } from '../store/checkpointFile.ts';
import { DEFAULT_CHECKPOINT_POLICY, PageCache, VmCheckpoints } from './checkpoints.ts';
import { nextTurn } from './nextTurn.ts';
import { coalescer, type Coalescer } from './coalesce.ts';
import type { ConsoleUpdate, ExportedFile, FollowUpdate, ImageFile, PastView, Progress, WriteWatch, StorageUse, TravelTarget, UiCommand, VmSummary, WatchUpdate, WorkerApi } from './protocol.ts';
import { followStream } from './followStream.ts';
import { boot, Replayer, resolveImages, type ImageResolver } from './replay.ts';
import { Travel, type TravelOptions } from './Travel.ts';
import { verifyStream, type VerifyResult } from './verify.ts';
import { watchStream } from './watchStream.ts';

interface Watch {
  dispose(): void;
}

export interface VmHostOptions extends VmServiceOptions {
  /** Storage usage as the browser reports it, where it can. */
  readonly estimate?: () => Promise<{ usage?: number; quota?: number } | undefined>;
  /** Where built-in boot images come from; without it VMs can be managed but not run. */
  readonly resolveImage?: ImageResolver;
  /** Where uploaded boot images are kept, by content. */
  readonly images?: ImageStore;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Checkpoint spacing of time travel. */
  readonly travel?: TravelOptions;
  /** Where checkpoints and their pages are kept (in memory when not given). */
  readonly checkpoints?: CheckpointStore;
  /** One owner per VM across tabs (Web Locks in the browser); without it this host owns every VM. */
  readonly locks?: VmLocks;
}

/** Exclusive ownership of a VM: the tab whose host holds it runs the VM, others follow it read-only. */
export interface VmLocks {
  /** Takes the VM's lock if nobody holds it; resolves to its release, or null when another holder has it. */
  tryAcquire(vmId: VmId): Promise<(() => void) | null>;
}

const defaultSleep = (ms: number): Promise<void> => (ms <= 0 ? nextTurn() : new Promise((resolve) => setTimeout(resolve, ms)));

export class VmHost implements WorkerApi {
  private readonly services = new Map<VmId, Promise<EventDrivenVmService>>();
  private readonly watches = new Map<number, Watch>();
  private readonly runners = new Map<VmId, MachineRunner>();
  private readonly consoles = new Map<VmId, Set<(update: ConsoleUpdate) => void>>();
  private readonly consoleOut = new Map<VmId, { readonly pending: { bytes: string; offset: number }; readonly updates: Coalescer }>();
  private readonly travel = new Map<VmId, Travel>();
  /** Locks this host holds: the VMs it runs. */
  private readonly owned = new Map<VmId, () => void>();
  private nextWatch = 1;
  private readonly clock: () => number;
  private readonly checkpointStore: CheckpointStore;
  private readonly pageCache = new PageCache();

  constructor(
    private readonly store: EventStore,
    private readonly options: VmHostOptions = {},
  ) {
    this.clock = options.clock ?? (() => Date.now());
    this.checkpointStore = options.checkpoints ?? new InMemoryCheckpointStore();
  }

  async listVms(): Promise<VmSummary[]> {
    const ids = await this.store.listVmIds();
    const summaries = await Promise.all(ids.map((id) => this.summary(id)));
    return summaries.sort((a, b) => (a.state.createdAt ?? 0) - (b.state.createdAt ?? 0));
  }

  async createVm(name: string, config: VmConfig = defaultVmConfig()): Promise<VmSummary> {
    const vmId = newVmId();
    const service = await this.service(vmId);
    await service.create(name, config);
    return this.summary(vmId);
  }

  /**
   * Creates a VM that boots uploaded files: a firmware or program at 0x8000_0000 and an optional
   * payload at 0x8020_0000 (as QEMU's -bios and -kernel). Both are checked before anything is stored.
   */
  async createVmFromFiles(name: string, bios: ImageFile, kernel?: ImageFile, memoryMiB?: number): Promise<VmSummary> {
    if (!this.options.images) throw new IllegalStateError('This host cannot store boot images.');
    const { biosRef, kernelRef } = await storeBootFiles(this.options.images, bios, kernel, this.clock());
    return this.createVm(name, defaultVmConfig(biosRef, memoryMiB, kernelRef));
  }

  async execute(vmId: VmId, command: UiCommand): Promise<VmSummary> {
    const service = await this.existing(vmId);
    if (command.type !== 'RenameVm') await this.claim(service);
    // Taking over a VM whose tab closed already paused it (interrupted): a pause then has nothing to do.
    if (command.type === 'PauseVm' && service.state.status === 'paused') return this.summary(vmId);
    switch (command.type) {
      case 'StartVm':
      case 'ResumeVm': {
        const runner = await this.runnerFor(service);
        await service.execute({ ...command }, runner.icount);
        runner.start();
        break;
      }
      case 'PauseVm':
      case 'StopVm': {
        const runner = this.runners.get(vmId);
        await runner?.stop();
        this.flushConsole(vmId);
        await service.execute(command, runner?.icount);
        if (command.type === 'StopVm') this.dropRunner(vmId);
        break;
      }
      case 'ResetVm': {
        const runner = this.runners.get(vmId);
        const wasRunning = runner?.isRunning ?? false;
        await runner?.stop();
        await service.execute(command, runner?.icount);
        if (runner && service.state.config) {
          runner.replace(boot(service.state.config, await resolveImages(service.state.config, this.resolve), service.state.icount));
          if (wasRunning) runner.start();
        } else {
          this.runners.delete(vmId);
        }
        break;
      }
      case 'RestoreSnapshot':
        await this.restoreSnapshot(service, command.id);
        break;
      case 'RenameVm':
      case 'DeleteSnapshot':
        await service.execute(command);
        break;
      default: {
        const never: never = command;
        throw new Error(`unhandled command ${JSON.stringify(never)}`);
      }
    }
    return this.summary(vmId);
  }

  async inspect(vmId: VmId, target: TravelTarget, memoryAt?: Hex): Promise<PastView> {
    const service = await this.existing(vmId);
    return this.travelOf(service).view(this.configOf(service), target, memoryAt === undefined ? undefined : parseHex(memoryAt));
  }

  /**
   * A new VM whose history is this VM's up to `seq`: its stream starts with VmCreated (forkedFrom)
   * followed by copies of the original's events 2..seq, so re-execution reaches the same state,
   * and is paused there. The original is not touched.
   */
  async fork(vmId: VmId, seq: number): Promise<VmSummary> {
    const service = await this.existing(vmId);
    const head = service.state.version;
    if (!Number.isInteger(seq) || seq < 1 || seq > head) {
      throw new ValidationError(`Cannot fork VM '${service.state.name}' at seq ${seq}: its history runs from 1 to ${head}.`);
    }
    const history = await this.store.loadEvents(service.vmId, 1, seq);
    const created = history[0];
    if (created.type !== 'VmCreated') throw new IllegalStateError(`The stream of VM '${service.state.name}' does not start with VmCreated.`);
    const forkId = newVmId();
    const now = this.clock();
    const name = `${created.data.name} @${seq}`.slice(0, 64);
    const copy = history.slice(1).map(({ type, v, icount, at, data }) => ({ type, v, icount, at, data }) as AnyNewEvent);
    const events: AnyNewEvent[] = [newEvent('VmCreated', { name, config: created.data.config, forkedFrom: { vmId: service.vmId, seq } }, created.icount, now), ...copy];
    const last = history[history.length - 1];
    // Output is recorded at the end of a run slice, so the machine at `seq` may have written bytes
    // whose IoCompleted comes later in the original: the fork records them, or its console would lack them.
    const recorded = history.reduce((n, e) => n + (e.type === 'IoCompleted' && e.data.direction === 'out' ? e.data.bytes.length : 0), 0);
    const written = (await this.travelOf(service).view(this.configOf(service), { seq })).console;
    if (written.length > recorded) events.push(newEvent('IoCompleted', { device: 'uart0', direction: 'out', bytes: written.slice(recorded) }, last.icount, now));
    const statusAt = fromEvents(service.vmId, history).status;
    if (statusAt === 'running') events.push(newEvent('VmPaused', { reason: 'user' }, last.icount, now));
    await this.store.append(forkId, 'no-stream', events);
    // The fork's history up to `seq` is the original's, so are its checkpoints there: same records, pages shared.
    await this.travelOf(service).checkpoints.settled();
    await copyCheckpoints(this.checkpointStore, service.vmId, forkId, seq, last.icount);
    return this.summary(forkId);
  }

  /** Re-executes the whole stream and checks every recorded effect; reports the first divergence by seq. */
  async verify(vmId: VmId, onProgress?: (progress: Progress) => void): Promise<VerifyResult> {
    const service = await this.existing(vmId);
    const config = this.configOf(service);
    const head = service.state.version;
    onProgress?.({ phase: 'Reading events', done: 0, total: head });
    const events = await this.store.loadEvents(service.vmId);
    const report = throttled(onProgress, this.clock);
    return this.verifyEvents(service, config, events, (seq) => report({ phase: 'Re-executing and comparing', done: seq, total: events.length }));
  }

  async findBreakpoint(
    vmId: VmId,
    pcs: readonly Hex[],
    from: TravelTarget,
    direction: 'forward' | 'backward',
    watches: readonly WriteWatch[] = [],
    memoryAt?: Hex,
  ): Promise<PastView | null> {
    const service = await this.existing(vmId);
    const config = this.configOf(service);
    const travel = this.travelOf(service);
    const start = 'icount' in from ? from.icount : (await travel.view(config, from)).icount;
    const hit = await travel.findBreakpoint(config, pcs.map(parseHex), start, direction, watches.map((w) => ({ pa: parseHex(w.pa), length: w.length })));
    return hit === null ? null : travel.view(config, { icount: hit }, memoryAt === undefined ? undefined : parseHex(memoryAt));
  }

  /**
   * Verifies the events and the state hash at every checkpoint by re-execution from boot; then
   * that each stored checkpoint, restored, has the state hash it recorded.
   */
  private async verifyEvents(service: EventDrivenVmService, config: VmConfig, events: readonly AnyStoredEvent[], onProgress?: (seq: number) => void): Promise<VerifyResult> {
    const images = await resolveImages(config, this.resolve);
    const checkpoints = this.travelOf(service).checkpoints;
    await checkpoints.settled();
    await checkpoints.init();
    const marks = checkpoints.list();
    const result = verifyStream(config, images, events, onProgress, marks);
    if (!result.ok) return result;
    for (const mark of marks) {
      const cp = await checkpoints.load(mark);
      const actual = cp ? new Replayer(config, images, cp).incarnation.machine.stateHash() : 'missing';
      if (actual !== mark.stateHash) {
        return { ...result, ok: false, divergence: { seq: mark.seq, type: 'Checkpoint', expected: `stored state hash ${mark.stateHash}`, actual: `restored state hash ${actual}` } };
      }
    }
    return result;
  }

  private travelOf(service: EventDrivenVmService): Travel {
    let travel = this.travel.get(service.vmId);
    if (!travel) {
      const checkpoints = new VmCheckpoints(service.vmId, this.checkpointStore, this.pageCache, { ...DEFAULT_CHECKPOINT_POLICY, ...this.options.travel }, this.clock);
      this.travel.set(service.vmId, (travel = new Travel(
            service.vmId,
            this.store,
            this.resolve,
            checkpoints,
            () => service.state.version,
            () => this.runners.get(service.vmId)?.machine,
          )));
    }
    return travel;
  }

  private configOf(service: EventDrivenVmService): VmConfig {
    const config = service.state.config;
    if (!config) throw new IllegalStateError(`VM '${service.state.name}' has no configuration.`);
    return config;
  }

  /** Types into the VM's console; recorded as InputReceived when the machine takes it. */
  async sendInput(vmId: VmId, bytes: Uint8Array): Promise<void> {
    const service = await this.existing(vmId);
    await this.claim(service);
    const runner = this.runners.get(vmId);
    if (!runner || (service.state.status !== 'running' && service.state.status !== 'paused')) {
      throw new IllegalStateError(`Cannot type into VM '${service.state.name}': it is ${service.state.status}.`, 'Start it first.');
    }
    runner.sendInput(bytes);
  }

  /** Console bytes as the guest writes them, and errors of the run loop. */
  async attachConsole(vmId: VmId, onUpdate: (update: ConsoleUpdate) => void): Promise<number> {
    const id = parseVmId(vmId);
    let set = this.consoles.get(id);
    if (!set) this.consoles.set(id, (set = new Set()));
    set.add(onUpdate);
    const handle = this.nextWatch++;
    this.watches.set(handle, { dispose: () => set.delete(onUpdate) });
    return handle;
  }

  /** The runner of a VM, booting or re-executing its history to the head when there is none yet. */
  private async runnerFor(service: EventDrivenVmService): Promise<MachineRunner> {
    const existing = this.runners.get(service.vmId);
    if (existing) return existing;
    const config = service.state.config;
    if (!config) throw new IllegalStateError(`VM '${service.state.name}' has no configuration.`);
    // From the nearest checkpoint at or before the head: opening a VM never re-executes from boot when it has checkpoints.
    const travel = this.travelOf(service);
    const incarnation =
      service.state.version > 0
        ? (await travel.replayerAt(config, service.state.icount, service.state.version)).incarnation
        : boot(config, await resolveImages(config, this.resolve), 0);
    const vmId = service.vmId;
    const runner = new MachineRunner(incarnation, service, {
      now: this.clock,
      sleep: this.options.sleep ?? defaultSleep,
      onConsole: (bytes, offset) => this.emitConsole(vmId, { bytes, offset }),
      checkpointDue: (icount) => travel.checkpoints.headDue(icount),
      captureHead: () => {
        const { machine, icount, base, outputCount } = runner;
        const prepared = travel.checkpoints.prepareHead(machine, { icount, base, outputCount });
        return prepared && ((appliedSeq) => (appliedSeq === null ? travel.checkpoints.discard(prepared) : travel.checkpoints.commit(prepared, appliedSeq, false)));
      },
      onHalt: async (reason, exitCode) => {
        this.flushConsole(vmId);
        await service.execute({ type: 'StopVm', reason, exitCode }, runner.icount);
        this.dropRunner(vmId);
      },
      onError: (error) => {
        this.emitConsole(vmId, { error: toErrorPayload(error) });
        void service.execute({ type: 'PauseVm', reason: error instanceof QuotaError ? 'quota' : 'halted' }, runner.icount).catch(() => undefined);
      },
    });
    this.runners.set(vmId, runner);
    return runner;
  }

  /** Bytes of a boot image: built-in ones from the resolver, uploaded ones from the image store. */
  private readonly resolve: ImageResolver = async (ref) => {
    if (!ref.builtin && ref.sha256 && this.options.images) return (await this.options.images.get(ref.sha256)).bytes;
    if (ref.builtin && this.options.resolveImage) return this.options.resolveImage(ref);
    throw new IllegalStateError(`The boot image '${ref.name}' is not available here.`, 'Create the VM again from its image files.');
  };

  /** Console output held back by the coalescing goes out now (the VM stops: its listeners have all of it). */
  private flushConsole(vmId: VmId): void {
    this.consoleOut.get(vmId)?.updates.flushNow();
  }

  /** Console output goes out coalesced (coalesce.ts); an error at once, after the output before it. */
  private emitConsole(vmId: VmId, update: ConsoleUpdate): void {
    let out = this.consoleOut.get(vmId);
    if (!out) {
      const pending = { bytes: '', offset: 0 };
      const updates = coalescer(() => {
        const bytes = pending.bytes;
        pending.bytes = '';
        if (bytes.length > 0) for (const listener of this.consoles.get(vmId) ?? []) listener({ bytes, offset: pending.offset });
      }, this.clock);
      this.consoleOut.set(vmId, (out = { pending, updates }));
    }
    if (update.bytes !== undefined && update.offset !== undefined) {
      if (out.pending.bytes.length === 0) out.pending.offset = update.offset;
      out.pending.bytes += update.bytes;
      out.updates.poke();
    }
    if (update.error) {
      out.updates.flushNow();
      for (const listener of this.consoles.get(vmId) ?? []) listener({ error: update.error });
    }
  }

  /** Records a snapshot at the machine's current point (the run pauses for the moment it takes). */
  async createSnapshot(vmId: VmId, name: string): Promise<VmSummary> {
    const service = await this.existing(vmId);
    await this.claim(service);
    const runner = this.runners.get(vmId);
    const wasRunning = runner?.isRunning ?? false;
    await runner?.stop();
    try {
      await service.execute({ type: 'CreateSnapshot', id: crypto.randomUUID(), name, size: 0 }, runner?.icount);
    } finally {
      if (wasRunning) runner?.start();
    }
    return this.summary(vmId);
  }

  /**
   * Puts the machine back in the state a snapshot recorded; history goes on (SnapshotRestored at
   * the current icount), so replay stays exact.
   */
  private async restoreSnapshot(service: EventDrivenVmService, id: string): Promise<void> {
    const { status, name } = service.state;
    if (status !== 'running' && status !== 'paused') {
      throw new IllegalStateError(`Cannot restore a snapshot of VM '${name}': it is ${status}.`, 'Start it first; a snapshot is restored into a running or paused VM.');
    }
    const snapshot = service.state.snapshots.find((x) => x.id === id);
    if (!snapshot) throw new NotFoundError(`VM '${name}' has no snapshot '${id}'.`);
    const runner = await this.runnerFor(service);
    const wasRunning = runner.isRunning;
    await runner.stop();
    const config = this.configOf(service);
    const events = await this.store.loadEvents(service.vmId, 1, snapshot.seq);
    const machine = new Replayer(config, await resolveImages(config, this.resolve)).advance(events, snapshot.icount, snapshot.seq - 1).machine;
    const at = runner.icount;
    await service.execute({ type: 'RestoreSnapshot', id }, at);
    runner.replace({ machine, base: at - machine.icount });
    if (wasRunning) runner.start();
  }

  async deleteVm(vmId: VmId): Promise<void> {
    await this.claim(await this.existing(vmId));
    await this.runners.get(vmId)?.stop().catch(() => undefined);
    this.dropRunner(vmId);
    this.consoleOut.get(vmId)?.updates.cancel();
    this.consoleOut.delete(vmId);
    await this.store.deleteEvents(vmId);
    await (this.travel.get(vmId)?.checkpoints.deleteAll() ?? this.checkpointStore.deleteVm(vmId));
    this.services.delete(vmId);
    this.travel.delete(vmId);
  }

  loadEvents(vmId: VmId, fromSeq?: number, toSeq?: number): Promise<AnyStoredEvent[]> {
    return this.store.loadEvents(parseVmId(vmId), fromSeq, toSeq);
  }

  async watch(vmId: VmId, fromSeq: number, onUpdate: (update: WatchUpdate) => void): Promise<number> {
    const handle = this.nextWatch++;
    this.watches.set(handle, { dispose: watchStream(this.store, parseVmId(vmId), fromSeq, onUpdate, this.clock) });
    return handle;
  }

  async follow(vmId: VmId, onUpdate: (update: FollowUpdate) => void): Promise<number> {
    const handle = this.nextWatch++;
    this.watches.set(handle, { dispose: followStream(this.store, parseVmId(vmId), onUpdate, this.clock) });
    return handle;
  }

  async unwatch(handle: number): Promise<void> {
    this.watches.get(handle)?.dispose();
    this.watches.delete(handle);
  }

  /** The stream as a file, with the uploaded boot images it needs (built-in ones are not carried). */
  async exportVm(vmId: VmId, onProgress?: (progress: Progress) => void): Promise<ExportedFile> {
    const service = await this.existing(vmId);
    const config = this.configOf(service);
    const report = throttled(onProgress, this.clock);
    const text = await exportStream(this.store, service.vmId, this.clock(), await fileImagesOf(this.options.images, config), (done, total) =>
      report({ phase: 'Reading events', done, total }),
    );
    const section = await exportCheckpoints(this.checkpointStore, service.vmId);
    const withCheckpoints = section.length > 0 ? `${text}${section.join('\n')}\n` : text;
    const safe = service.state.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'vm';
    return { fileName: `${safe}.vmstream.jsonl`, text: withCheckpoints };
  }

  /** Checks the whole file first; imports under its own id, or a fresh one when that id is taken. */
  async importVm(text: string, fileName: string, onProgress?: (progress: Progress) => void): Promise<VmSummary> {
    const report = throttled(onProgress, this.clock);
    const parsed = parseStreamFile(text, fileName, (line, lines) => report({ phase: 'Checking lines', done: line, total: lines }));
    const section = await parseCheckpointSection(parsed.trailer, parsed.trailerLine, fileName, parsed.events);
    await importFileImages(this.options.images, parsed, fileName, this.clock());
    const taken = (await this.store.getLastSequenceNumber(parsed.header.vmId)) > 0;
    const vmId = taken ? newVmId() : parsed.header.vmId;
    // One atomic append: all or nothing, so its progress is not divisible.
    onProgress?.({ phase: `Writing ${parsed.events.length.toLocaleString('en')} events`, done: 0, total: null });
    await importStream(this.store, parsed, vmId);
    try {
      await importCheckpoints(this.checkpointStore, vmId, section);
    } catch (error) {
      // All or nothing: without its checkpoints the import is undone.
      await this.store.deleteEvents(vmId);
      await this.checkpointStore.deleteVm(vmId);
      throw error;
    }
    this.services.delete(vmId);
    return this.summary(vmId);
  }

  async storage(): Promise<StorageUse> {
    const estimate = await this.options.estimate?.();
    return { usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, streams: (await this.store.listVmIds()).length };
  }

  dispose(): void {
    for (const runner of this.runners.values()) void runner.stop();
    for (const release of this.owned.values()) release();
    this.owned.clear();
    for (const watch of this.watches.values()) watch.dispose();
    this.watches.clear();
    this.store.dispose();
  }

  private service(vmId: VmId): Promise<EventDrivenVmService> {
    let service = this.services.get(vmId);
    if (!service) {
      service = this.open(vmId);
      this.services.set(vmId, service);
      service.catch(() => this.services.delete(vmId));
    }
    return service;
  }

  /** Loads a VM; one that was running when its last host died is marked as interrupted there. */
  private async open(vmId: VmId): Promise<EventDrivenVmService> {
    const service = await EventDrivenVmService.withEventStore(vmId, this.store, this.options);
    if (service.state.status === 'running' && !this.runners.has(vmId)) {
      // Running in another tab: follow it. Otherwise its last host died while it ran.
      const release = this.options.locks ? await this.options.locks.tryAcquire(vmId) : () => undefined;
      if (release) {
        try {
          await this.markInterrupted(service);
        } finally {
          release();
        }
      }
    }
    return service;
  }

  private async markInterrupted(service: EventDrivenVmService): Promise<void> {
    await service.pause('interrupted').catch((error: unknown) => {
      if (!(error instanceof VmError && error.code === 'Concurrency')) throw error;
    });
  }

  /**
   * Makes this host the VM's owner before it changes the VM, or refuses when another tab runs it.
   * Taking over from a tab that closed while the VM ran marks it interrupted first.
   */
  private async claim(service: EventDrivenVmService): Promise<void> {
    const locks = this.options.locks;
    if (!locks || this.owned.has(service.vmId)) return;
    const release = await locks.tryAcquire(service.vmId);
    if (!release) {
      throw new IllegalStateError(`VM '${service.state.name}' is running in another tab; this tab follows it read-only.`, 'Use it in that tab, or close that tab to take it over here.');
    }
    this.owned.set(service.vmId, release);
    await service.replayEvents();
    if (service.state.status === 'running' && !this.runners.has(service.vmId)) await this.markInterrupted(service);
  }

  /** Forgets the VM's runner and gives up ownership, so another tab may run it. */
  private dropRunner(vmId: VmId): void {
    this.runners.delete(vmId);
    this.owned.get(vmId)?.();
    this.owned.delete(vmId);
  }

  private async existing(vmId: VmId): Promise<EventDrivenVmService> {
    const service = await this.service(parseVmId(vmId));
    if (service.state.status === 'none') {
      this.services.delete(vmId);
      throw new NotFoundError(`There is no VM with id '${vmId}'.`, 'It may have been deleted in another tab; pick one from the list.');
    }
    return service;
  }

  private async summary(vmId: VmId): Promise<VmSummary> {
    const service = await this.service(vmId);
    const info = await this.store.getStreamInfo(vmId);
    return { vmId, state: service.state, bytes: info?.bytes ?? 0 };
  }
}

/** Passes progress on at most every 100 ms (each report crosses to the page), and always the last of the work. */
function throttled(onProgress: ((progress: Progress) => void) | undefined, clock: () => number): (progress: Progress) => void {
  let last = -Infinity;
  return (progress) => {
    if (!onProgress) return;
    const now = clock();
    if (now - last < 100 && progress.done !== progress.total) return;
    last = now;
    onProgress(progress);
  };
}

/** A guest address from `0x…` text. */
function parseHex(text: Hex): number {
  if (!/^0x[0-9a-f]{1,16}$/i.test(text)) throw new ValidationError(`'${text}' is not an address; write it like 0x80001234.`);
  return Number(BigInt.asIntN(64, BigInt(text)));
}

/** A short random id, safe in URLs and file names. */
export function newVmId(): VmId {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return parseVmId(`vm-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`);
}
