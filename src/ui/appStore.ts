// The app's zustand store, one slice per feature: VMs, the selected VM's stream, and errors.
import { createStore, type StateCreator, type StoreApi } from 'zustand';
import type { VmId, VmState } from '../domain/index.ts';
import { RemoteError, type PastView, type Progress, type TravelTarget, type UiCommand, type VerifyResult, type VmClient, type VmSummary } from '../client/vmClient.ts';
import { StreamIndex } from './streamIndex.ts';

export interface ShownError {
  readonly id: number;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

export interface ErrorsSlice {
  errors: readonly ShownError[];
  report(error: unknown): void;
  dismiss(id: number): void;
}

/** Long work under way, shown with a progress bar. */
export interface Work {
  readonly title: string;
  readonly progress: Progress | null;
}

export interface WorkSlice {
  work: Work | null;
  /** Runs `f` as the long work `title`, passing it a progress callback. */
  track<T>(title: string, f: (onProgress: (p: Progress) => void) => Promise<T>): Promise<T>;
}

export interface VmsSlice {
  vms: readonly VmSummary[];
  loaded: boolean;
  selectedId: VmId | null;
  storageBytes: number | null;
  refresh(): Promise<void>;
  select(vmId: VmId | null): void;
  createVm(name: string): Promise<void>;
  createVmFromFiles(name: string, bios: File, kernel: File | null, memoryMiB: number): Promise<boolean>;
  renameVm(vmId: VmId, name: string): Promise<void>;
  deleteVm(vmId: VmId): Promise<void>;
  exportVm(vmId: VmId): Promise<{ fileName: string; text: string } | null>;
  importFile(file: File): Promise<void>;
  verify(vmId: VmId): Promise<VerifyResult | null>;
}

export interface StreamSlice {
  /** The selected VM's stream: a type index of every event and the rows loaded so far. */
  stream: StreamIndex | null;
  /** Changes whenever `stream` does (it is mutated in place: a million events are not copied per update). */
  streamVersion: number;
  /** The selected VM's state after its last event. */
  current: VmState | null;
  busy: boolean;
  execute(command: UiCommand): Promise<void>;
  snapshot(name: string): Promise<void>;
}

export interface TravelSlice {
  /** The point of history being viewed; null when following the live VM. */
  past: PastView | null;
  /** The view before the current one, to highlight what changed. */
  previousPast: PastView | null;
  seeking: boolean;
  /** Where the running seek goes, and since when (performance.now()). */
  seekingTo: { readonly target: TravelTarget; readonly since: number } | null;
  seek(target: TravelTarget): Promise<void>;
  stepEvent(delta: number): Promise<void>;
  stepInstruction(delta: number): Promise<void>;
  backToLive(): void;
  /** Forks a new VM at the viewed point and selects it. */
  forkHere(): Promise<void>;
  /** pc breakpoints of the selected VM, as 0x… addresses. */
  breakpoints: ReadonlySet<string>;
  /** Write watchpoints (8 bytes at a guest physical address, 0x…). */
  watches: ReadonlySet<string>;
  toggleWatch(pa: string): void;
  /** The physical address the memory view shows; null when none was asked for. */
  memoryAt: string | null;
  showMemory(pa: string): Promise<void>;
  toggleBreakpoint(pc: string): void;
  /** Travels to the next (forward) or previous (backward) moment the hart stands at a breakpoint. */
  continueTo(direction: 'forward' | 'backward'): Promise<void>;
}

export type AppState = ErrorsSlice & WorkSlice & VmsSlice & StreamSlice & TravelSlice & { readonly client: VmClient };
type Slice<T> = StateCreator<AppState, [], [], T>;

/** A new user gets one VM that boots the built-in OS; remembered so deleting it is respected. */
const DEFAULT_CREATED_KEY = 'vm-playground:default-vm-created';
export const DEFAULT_VM_NAME = 'Playground OS';

let nextErrorId = 1;

const errorsSlice: Slice<ErrorsSlice> = (set) => ({
  errors: [],
  report(error) {
    const e = error instanceof RemoteError ? error : null;
    const shown: ShownError = {
      id: nextErrorId++,
      code: e?.code ?? 'Internal',
      message: error instanceof Error ? error.message : String(error),
      ...(e?.hint ? { hint: e.hint } : {}),
    };
    set((s) => ({ errors: [...s.errors.slice(-4), shown] }));
  },
  dismiss(id) {
    set((s) => ({ errors: s.errors.filter((e) => e.id !== id) }));
  },
});

const workSlice: Slice<WorkSlice> = (set, get) => ({
  work: null,
  async track(title, f) {
    set({ work: { title, progress: null } });
    try {
      return await f((progress) => {
        if (get().work?.title === title) set({ work: { title, progress } });
      });
    } finally {
      set({ work: null });
    }
  },
});

function vmsSlice(client: VmClient, watcher: Watcher): Slice<VmsSlice> {
  return (set, get) => {
    const guard = async <T>(f: () => Promise<T>): Promise<T | null> => {
      try {
        return await f();
      } catch (error) {
        get().report(error);
        return null;
      }
    };
    return {
      vms: [],
      loaded: false,
      selectedId: null,
      storageBytes: null,
      async refresh() {
        await guard(async () => {
          let vms = await client.listVms();
          if (vms.length === 0 && !localStorage.getItem(DEFAULT_CREATED_KEY)) {
            const created = await client.createVm(DEFAULT_VM_NAME);
            localStorage.setItem(DEFAULT_CREATED_KEY, '1');
            await client.execute(created.vmId, { type: 'StartVm' });
            vms = await client.listVms();
          }
          const storage = await client.storage();
          const selected = get().selectedId;
          set({ vms, loaded: true, storageBytes: storage.usage ?? vms.reduce((sum, v) => sum + v.bytes, 0) });
          if (!selected || !vms.some((v) => v.vmId === selected)) get().select(vms[0]?.vmId ?? null);
        });
      },
      select(vmId) {
        if (vmId === get().selectedId) return;
        set({ selectedId: vmId, stream: null, streamVersion: 0, current: null, past: null, previousPast: null, breakpoints: new Set(), watches: new Set(), memoryAt: null });
        watcher.follow(vmId);
      },
      async createVm(name) {
        const created = await guard(() => client.createVm(name));
        if (!created) return;
        await get().refresh();
        get().select(created.vmId);
      },
      async createVmFromFiles(name, bios, kernel, memoryMiB) {
        const read = async (f: File) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
        const created = await guard(async () =>
          client.createVmFromFiles(name, await read(bios), kernel ? await read(kernel) : undefined, memoryMiB),
        );
        if (!created) return false;
        await get().refresh();
        get().select(created.vmId);
        return true;
      },
      async renameVm(vmId, name) {
        if (await guard(() => client.execute(vmId, { type: 'RenameVm', name }))) await get().refresh();
      },
      async deleteVm(vmId) {
        await guard(() => client.deleteVm(vmId));
        if (get().selectedId === vmId) get().select(null);
        await get().refresh();
      },
      exportVm(vmId) {
        return guard(() => get().track('Exporting', (onProgress) => client.exportVm(vmId, onProgress)));
      },
      verify(vmId) {
        return guard(() => get().track('Verifying the recording', (onProgress) => client.verify(vmId, onProgress)));
      },
      async importFile(file) {
        const imported = await guard(() =>
          get().track(`Importing ${file.name}`, async (onProgress) => {
            onProgress({ phase: 'Reading the file', done: 0, total: file.size });
            return client.importVm(await file.text(), file.name, onProgress);
          }),
        );
        if (!imported) return;
        await get().refresh();
        get().select(imported.vmId);
      },
    };
  };
}

function streamSlice(client: VmClient): Slice<StreamSlice> {
  return (set, get) => ({
    stream: null,
    streamVersion: 0,
    current: null,
    busy: false,
    async execute(command) {
      const vmId = get().selectedId;
      if (!vmId) return;
      set({ busy: true });
      try {
        const summary = await client.execute(vmId, command);
        set((s) => ({ vms: s.vms.map((v) => (v.vmId === vmId ? summary : v)) }));
      } catch (error) {
        get().report(error);
      } finally {
        set({ busy: false });
      }
    },
    async snapshot(name) {
      const vmId = get().selectedId;
      if (!vmId) return;
      try {
        await client.createSnapshot(vmId, name);
      } catch (error) {
        get().report(error);
      }
    },
  });
}

function travelSlice(client: VmClient): Slice<TravelSlice> {
  /** Seeks are serialised; while one runs only the newest request waits, so dragging stays responsive. */
  let queued: TravelTarget | null = null;
  let running = false;
  return (set, get) => ({
    past: null,
    previousPast: null,
    seeking: false,
    seekingTo: null,
    async seek(target) {
      const vmId = get().selectedId;
      if (!vmId) return;
      queued = target;
      if (running) return;
      running = true;
      set({ seeking: true });
      try {
        while (queued) {
          const next = queued;
          queued = null;
          set({ seekingTo: { target: next, since: performance.now() } });
          const view = await client.inspect(vmId, next, get().memoryAt ?? undefined);
          if (get().selectedId !== vmId) break;
          set((s) => ({ past: view, previousPast: s.past }));
        }
      } catch (error) {
        get().report(error);
      } finally {
        running = false;
        set({ seeking: false, seekingTo: null });
      }
    },
    async stepEvent(delta) {
      const { past, current } = get();
      const from = past?.seq ?? current?.version ?? 0;
      if (from === 0) return;
      await get().seek({ seq: from + delta });
    },
    async stepInstruction(delta) {
      const { past, current } = get();
      const from = past?.icount ?? current?.icount ?? 0;
      await get().seek({ icount: Math.max(0, from + delta) });
    },
    backToLive() {
      queued = null;
      set({ past: null, previousPast: null });
    },
    async forkHere() {
      const { selectedId: vmId, past } = get();
      if (!vmId || !past) return;
      try {
        const forked = await client.fork(vmId, past.seq);
        await get().refresh();
        get().select(forked.vmId);
      } catch (error) {
        get().report(error);
      }
    },
    breakpoints: new Set(),
    toggleBreakpoint(pc) {
      const next = new Set(get().breakpoints);
      if (next.has(pc)) next.delete(pc);
      else next.add(pc);
      set({ breakpoints: next });
    },
    watches: new Set(),
    toggleWatch(pa) {
      const next = new Set(get().watches);
      if (next.has(pa)) next.delete(pa);
      else next.add(pa);
      set({ watches: next });
    },
    memoryAt: null,
    async showMemory(pa) {
      set({ memoryAt: pa });
      const past = get().past;
      if (past) await get().seek({ icount: past.icount });
    },
    async continueTo(direction) {
      const { selectedId: vmId, breakpoints, watches, past, current, memoryAt } = get();
      if (!vmId || (breakpoints.size === 0 && watches.size === 0)) return;
      set({ seeking: true });
      try {
        const from = past ? { icount: past.icount } : { seq: current?.version ?? 1 };
        const view = await client.findBreakpoint(vmId, [...breakpoints], from, direction, [...watches].map((pa) => ({ pa, length: 8 })), memoryAt ?? undefined);
        if (view) set((s) => ({ past: view, previousPast: s.past }));
        else
          get().report(
            new RemoteError({
              code: 'NotFound',
              message: `No breakpoint or watched write is hit ${direction === 'forward' ? 'after' : 'before'} this point of the recorded history.`,
              hint: direction === 'forward' ? 'Let the VM run further, or set another breakpoint.' : 'Set a breakpoint on code that ran earlier.',
            }),
          );
      } catch (error) {
        get().report(error);
      } finally {
        set({ seeking: false });
      }
    },
  });
}

/** Keeps one watch open on the selected VM and feeds its updates into the store. */
class Watcher {
  private stop: (() => void) | null = null;
  private generation = 0;
  store: StoreApi<AppState> | null = null;

  constructor(private readonly client: VmClient) {}

  follow(vmId: VmId | null): void {
    this.stop?.();
    this.stop = null;
    const generation = ++this.generation;
    if (!vmId) return;
    const stream = new StreamIndex((from, to) => this.client.loadEvents(vmId, from, to));
    stream.onChange(() => {
      if (generation === this.generation) this.store?.setState({ streamVersion: stream.version });
    });
    this.store?.setState({ stream, streamVersion: 0 });
    this.client
      .follow(vmId, (update) => {
        if (generation !== this.generation || !this.store) return;
        stream.apply(update);
        const state = update.state;
        this.store.setState((s) => ({
          current: state,
          vms: s.vms.map((v) => (v.vmId === vmId && v.state !== state ? { ...v, state } : v)),
        }));
      })
      .then(
        (stop) => {
          if (generation === this.generation)
            this.stop = () => {
              stop();
              stream.dispose();
            };
          else {
            stop();
            stream.dispose();
          }
        },
        (error: unknown) => this.store?.getState().report(error),
      );
  }
}

export function createAppStore(client: VmClient): StoreApi<AppState> {
  const watcher = new Watcher(client);
  const store = createStore<AppState>()((...a) => ({
    client,
    ...errorsSlice(...a),
    ...workSlice(...a),
    ...vmsSlice(client, watcher)(...a),
    ...streamSlice(client)(...a),
    ...travelSlice(client)(...a),
  }));
  watcher.store = store;
  return store;
}
