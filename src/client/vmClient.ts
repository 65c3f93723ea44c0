// The main thread's typed proxy for the worker: Comlink underneath, coded errors on top.
import * as Comlink from 'comlink';
import type { ErrorPayload, VmId } from '../domain/index.ts';
import type { ConsoleUpdate, ExportedFile, FollowUpdate, ImageFile, MachineView, PastView, Progress, StorageUse, TravelTarget, UiCommand, VerifyResult, VmSummary, WatchUpdate, WorkerApi } from '../runtime/protocol.ts';

export type { ConsoleUpdate, ExportedFile, FollowUpdate, ImageFile, MachineView, PastView, Progress, StorageUse, TravelTarget, UiCommand, VerifyResult, VmSummary, WatchUpdate };

/** An error reported by the worker, with its stable code and an optional hint for the person. */
export class RemoteError extends Error {
  readonly code: ErrorPayload['code'];
  readonly hint?: string;

  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.name = 'RemoteError';
    this.code = payload.code;
    if (payload.hint !== undefined) this.hint = payload.hint;
  }
}

function isPayload(value: unknown): value is ErrorPayload {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

function remoteError(error: unknown): RemoteError {
  if (error instanceof RemoteError) return error;
  if (isPayload(error)) return new RemoteError(error);
  return new RemoteError({ code: 'Internal', message: error instanceof Error ? error.message : String(error) });
}

/** The worker's API as the page uses it: callbacks are passed through, and watches return their stop function. */
export type VmClient = Omit<WorkerApi, 'watch' | 'follow' | 'attachConsole' | 'unwatch'> & {
  /** Streams a VM's events from `fromSeq`, then live; resolves to a function that stops it. */
  watch(vmId: VmId, fromSeq: number, onUpdate: (update: WatchUpdate) => void): Promise<() => void>;
  /** Follows a VM's stream as a type index, newest events and console output; resolves to a function that stops it. */
  follow(vmId: VmId, onUpdate: (update: FollowUpdate) => void): Promise<() => void>;
  /** Console output as it happens; resolves to a function that stops it. */
  attachConsole(vmId: VmId, onUpdate: (update: ConsoleUpdate) => void): Promise<() => void>;
  dispose(): void;
};

/** A progress callback the worker can call back across the boundary. */
function progressProxy(onProgress: ((progress: Progress) => void) | undefined): ((progress: Progress) => void) | undefined {
  return onProgress ? Comlink.proxy(onProgress) : undefined;
}

/** Starts the worker and returns the client for it. */
export function connectWorker(): VmClient {
  const worker = new Worker(new URL('../runtime/worker.ts', import.meta.url), { type: 'module', name: 'vm-playground' });
  const remote = Comlink.wrap<WorkerApi>(worker);
  const call = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (error) {
      throw remoteError(error);
    }
  };
  return {
    listVms: () => call(() => remote.listVms()),
    createVm: (name, config) => call(() => remote.createVm(name, config)),
    createVmFromFiles: (name, bios, kernel, memoryMiB) => call(() => remote.createVmFromFiles(name, bios, kernel, memoryMiB)),
    execute: (vmId, command) => call(() => remote.execute(vmId, command)),
    createSnapshot: (vmId, name) => call(() => remote.createSnapshot(vmId, name)),
    deleteVm: (vmId) => call(() => remote.deleteVm(vmId)),
    loadEvents: (vmId, fromSeq, toSeq) => call(() => remote.loadEvents(vmId, fromSeq, toSeq)),
    watch: async (vmId, fromSeq, onUpdate) => {
      const handle = await call(() => remote.watch(vmId, fromSeq, Comlink.proxy(onUpdate)));
      return () => void remote.unwatch(handle);
    },
    follow: async (vmId, onUpdate) => {
      const handle = await call(() => remote.follow(vmId, Comlink.proxy(onUpdate)));
      return () => void remote.unwatch(handle);
    },
    sendInput: (vmId, bytes) => call(() => remote.sendInput(vmId, Comlink.transfer(bytes, [bytes.buffer]))),
    attachConsole: async (vmId, onUpdate) => {
      const handle = await call(() => remote.attachConsole(vmId, Comlink.proxy(onUpdate)));
      return () => void remote.unwatch(handle);
    },
    inspect: (vmId, target, memoryAt) => call(() => remote.inspect(vmId, target, memoryAt)),
    fork: (vmId, seq) => call(() => remote.fork(vmId, seq)),
    verify: (vmId, onProgress) => call(() => remote.verify(vmId, progressProxy(onProgress))),
    findBreakpoint: (vmId, pcs, from, direction, watches, memoryAt) => call(() => remote.findBreakpoint(vmId, pcs, from, direction, watches, memoryAt)),
    exportVm: (vmId, onProgress) => call(() => remote.exportVm(vmId, progressProxy(onProgress))),
    importVm: (text, fileName, onProgress) => call(() => remote.importVm(text, fileName, progressProxy(onProgress))),
    storage: () => call(() => remote.storage()),
    dispose: () => {
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
