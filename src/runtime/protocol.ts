// What the main thread and the worker say to each other: the worker's API and the updates it pushes.
import type { AnyStoredEvent, Command, ErrorPayload, Hex, VmConfig, VmId, VmState } from '../domain/index.ts';
import type { MachineView } from './inspect.ts';
import type { VerifyResult } from './verify.ts';

export type { MachineView, VerifyResult };

/** A VM as the list shows it. */
export interface VmSummary {
  readonly vmId: VmId;
  readonly state: VmState;
  /** Approximate bytes its stream occupies. */
  readonly bytes: number;
}

/** Commands the UI may send; machine effects and input are recorded by the runtime itself. */
export type UiCommand = Extract<
  Command,
  { type: 'StartVm' | 'PauseVm' | 'ResumeVm' | 'StopVm' | 'ResetVm' | 'RenameVm' | 'RestoreSnapshot' | 'DeleteSnapshot' }
>;

/** Pushed to a watcher, coalesced (coalesce.ts): the new events and the state after them. */
export interface WatchUpdate {
  readonly vmId: VmId;
  readonly events: readonly AnyStoredEvent[];
  readonly state: VmState;
}

/**
 * Pushed to a follower of a VM, coalesced (coalesce.ts): one type code per new event (its index
 * in EVENT_TYPES), the newest of them in full, the console output they carry, and the state after them.
 */
export interface FollowUpdate {
  readonly vmId: VmId;
  /** Seq of the first event `types` describes. */
  readonly from: number;
  readonly types: Uint8Array;
  /** The newest events in full (at most a few hundred), ending with the last one `types` describes. */
  readonly tail: readonly AnyStoredEvent[];
  /** Console output of the new events (possibly only its end), starting at byte `offset` of all the VM wrote. */
  readonly console: { readonly bytes: string; readonly offset: number } | null;
  readonly state: VmState;
}

/** What long work (export, import, verify) has done so far, for a progress bar. */
export interface Progress {
  /** What is happening, for a person: "Writing events". */
  readonly phase: string;
  readonly done: number;
  /** Null when the amount of work is not known. */
  readonly total: number | null;
}

/** Pushed as the guest writes to its console (coalesced, not batched with events), or at once when the run loop fails. */
export interface ConsoleUpdate {
  /** Console bytes (one char per byte), starting at byte `offset` of everything the VM ever wrote. */
  readonly bytes?: string;
  readonly offset?: number;
  readonly error?: ErrorPayload;
}

/** A write watchpoint on guest physical memory. */
export interface WriteWatch {
  readonly pa: Hex;
  readonly length: number;
}

/** A point of a VM's history: after event `seq`, or at an instruction count. */
export type TravelTarget = { readonly seq: number } | { readonly icount: number };

/** The VM as it was at a point of its history, rebuilt by re-execution. */
export interface PastView {
  readonly vmId: VmId;
  /** The last event at or before the point. */
  readonly seq: number;
  readonly icount: number;
  /** The stream's head when the view was made. */
  readonly head: number;
  /** The aggregate (status, counters) as of `seq`. */
  readonly state: VmState;
  readonly machine: MachineView;
  /** Everything the console showed up to `seq`. */
  readonly console: string;
}

export interface ExportedFile {
  readonly fileName: string;
  readonly text: string;
}

export interface StorageUse {
  readonly usage: number | null;
  readonly quota: number | null;
  readonly streams: number;
}

/** A file the person chose, to boot from. */
export interface ImageFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The worker's API. Every rejection is an ErrorPayload ({code, message, hint?}). */
export interface WorkerApi {
  listVms(): Promise<VmSummary[]>;
  createVm(name: string, config?: VmConfig): Promise<VmSummary>;
  /** A VM booting uploaded images (firmware or program, and an optional payload at 0x8020_0000). */
  createVmFromFiles(name: string, bios: ImageFile, kernel?: ImageFile, memoryMiB?: number): Promise<VmSummary>;
  execute(vmId: VmId, command: UiCommand): Promise<VmSummary>;
  createSnapshot(vmId: VmId, name: string): Promise<VmSummary>;
  deleteVm(vmId: VmId): Promise<void>;
  loadEvents(vmId: VmId, fromSeq?: number, toSeq?: number): Promise<AnyStoredEvent[]>;
  /** Calls `onUpdate` with the stream from `fromSeq` on, then live; returns a handle for unwatch. */
  watch(vmId: VmId, fromSeq: number, onUpdate: (update: WatchUpdate) => void): Promise<number>;
  unwatch(handle: number): Promise<void>;
  /** Calls `onUpdate` with the stream's type index, newest events and console output, then live; stop it with unwatch. */
  follow(vmId: VmId, onUpdate: (update: FollowUpdate) => void): Promise<number>;
  /** Types into the VM's console (bytes, one char per byte). */
  sendInput(vmId: VmId, bytes: Uint8Array): Promise<void>;
  /** Calls `onUpdate` with console output as it happens; stop it with unwatch. */
  attachConsole(vmId: VmId, onUpdate: (update: ConsoleUpdate) => void): Promise<number>;
  /** Rebuilds the VM as it was at `target` (the live machine keeps running). */
  /** `memoryAt`: a guest physical address whose bytes the view includes. */
  inspect(vmId: VmId, target: TravelTarget, memoryAt?: Hex): Promise<PastView>;
  /** Re-executes the whole stream and checks the recorded effects; the first divergence by seq. */
  verify(vmId: VmId, onProgress?: (progress: Progress) => void): Promise<VerifyResult>;
  /** A new VM that shares this one's history up to `seq` and goes its own way from there. */
  fork(vmId: VmId, seq: number): Promise<VmSummary>;
  /**
   * Continue (forward) or reverse-continue (backward) from `from` to a pc breakpoint or to the
   * instruction that writes a watched range; null when none is hit.
   */
  findBreakpoint(
    vmId: VmId,
    pcs: readonly Hex[],
    from: TravelTarget,
    direction: 'forward' | 'backward',
    watches?: readonly WriteWatch[],
    memoryAt?: Hex,
  ): Promise<PastView | null>;
  exportVm(vmId: VmId, onProgress?: (progress: Progress) => void): Promise<ExportedFile>;
  importVm(text: string, fileName: string, onProgress?: (progress: Progress) => void): Promise<VmSummary>;
  storage(): Promise<StorageUse>;
}

export type { ErrorPayload };
