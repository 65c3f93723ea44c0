// The VM aggregate as a decider: decide(command, state) → events, evolve(state, event) → state.
import { COMMAND_VERB, type Command, type CommandType, type DecideContext } from './commands.ts';
import {
  CAUSE_TYPES,
  FAMILY_OF,
  newEvent,
  type AnyNewEvent,
  type AnyStoredEvent,
  type Family,
  type PauseReason,
  type StopReason,
  type VmConfig,
  type VmId,
} from './events.ts';
import { CorruptError, IllegalStateError, NotFoundError, ValidationError } from './errors.ts';
import { checkConfig, checkName, validateEvent } from './validation.ts';

export type VmStatus = 'none' | 'created' | 'running' | 'paused' | 'stopped';

export interface SnapshotInfo {
  readonly id: string;
  readonly name: string;
  readonly seq: number;
  readonly icount: number;
  readonly size: number;
}

/** Running totals, so the UI can show them as of any seq. */
export interface Counters {
  readonly events: number;
  readonly byFamily: Readonly<Record<Family, number>>;
  readonly instructions: number;
  readonly traps: number;
  readonly pageFaults: number;
  readonly interrupts: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly snapshotsCreated: number;
  readonly resets: number;
}

export interface VmState {
  readonly vmId: VmId;
  readonly status: VmStatus;
  /** Equals the seq of the last event applied; 0 before the first. */
  readonly version: number;
  readonly name: string;
  readonly config: VmConfig | null;
  readonly forkedFrom: { readonly vmId: string; readonly seq: number } | null;
  /** The highest instruction count the stream has recorded. */
  readonly icount: number;
  readonly createdAt: number | null;
  readonly updatedAt: number | null;
  readonly pauseReason: PauseReason | null;
  readonly stopReason: StopReason | null;
  readonly exitCode: number | null;
  readonly snapshots: readonly SnapshotInfo[];
  readonly counters: Counters;
}

const ZERO_FAMILIES: Record<Family, number> = { lifecycle: 0, memory: 0, execution: 0, device: 0, snapshot: 0 };

export function initialState(vmId: VmId): VmState {
  return {
    vmId,
    status: 'none',
    version: 0,
    name: '',
    config: null,
    forkedFrom: null,
    icount: 0,
    createdAt: null,
    updatedAt: null,
    pauseReason: null,
    stopReason: null,
    exitCode: null,
    snapshots: [],
    counters: {
      events: 0,
      byFamily: ZERO_FAMILIES,
      instructions: 0,
      traps: 0,
      pageFaults: 0,
      interrupts: 0,
      bytesIn: 0,
      bytesOut: 0,
      snapshotsCreated: 0,
      resets: 0,
    },
  };
}

/** Which commands each status accepts; everything else is an IllegalState error. */
export const ALLOWED: { readonly [S in VmStatus]: readonly CommandType[] } = {
  none: ['CreateVm'],
  created: ['StartVm', 'RenameVm', 'CreateSnapshot', 'RestoreSnapshot', 'DeleteSnapshot'],
  running: [
    'PauseVm',
    'StopVm',
    'ResetVm',
    'RenameVm',
    'RecordInput',
    'RecordEffects',
    'CreateSnapshot',
    'RestoreSnapshot',
    'DeleteSnapshot',
  ],
  paused: [
    'ResumeVm',
    'StopVm',
    'ResetVm',
    'RenameVm',
    'RecordInput',
    'RecordEffects',
    'CreateSnapshot',
    'RestoreSnapshot',
    'DeleteSnapshot',
  ],
  stopped: ['ResetVm', 'RenameVm', 'CreateSnapshot', 'RestoreSnapshot', 'DeleteSnapshot'],
};

/**
 * Decides the events a command produces in the given state, or throws a typed VmError that says
 * what was attempted, the current state, and what is allowed.
 */
export function decide(command: Command, state: VmState, ctx: DecideContext): AnyNewEvent[] {
  assertAllowed(command.type, state);
  const icount = ctx.icount ?? state.icount;
  switch (command.type) {
    case 'CreateVm': {
      const name = checkName(command.name);
      const config = checkConfig(command.config);
      const created = newEvent('VmCreated', command.forkedFrom ? { name, config, forkedFrom: command.forkedFrom } : { name, config }, icount, ctx.now);
      const ram = newEvent('MemoryMapped', { base: '0x80000000', size: config.memoryMiB * 1024 * 1024, kind: 'ram' }, icount, ctx.now);
      const devices = config.devices.flatMap((d): AnyNewEvent[] => [
        newEvent('MemoryMapped', { base: d.base, size: d.size, kind: 'mmio', device: d.id }, icount, ctx.now),
        newEvent('DeviceAdded', d, icount, ctx.now),
      ]);
      return [created, ram, ...devices];
    }
    case 'RenameVm': {
      const name = checkName(command.name);
      return name === state.name ? [] : [newEvent('VmRenamed', { name }, icount, ctx.now)];
    }
    case 'StartVm':
      return [newEvent('VmStarted', {}, icount, ctx.now)];
    case 'PauseVm':
      return [newEvent('VmPaused', { reason: command.reason ?? 'user' }, icount, ctx.now)];
    case 'ResumeVm':
      return [newEvent('VmResumed', {}, icount, ctx.now)];
    case 'StopVm':
      return [newEvent('VmStopped', { reason: command.reason ?? 'user', exitCode: command.exitCode ?? null }, icount, ctx.now)];
    case 'ResetVm':
      return [newEvent('VmReset', {}, icount, ctx.now)];
    case 'RecordInput':
      if (command.bytes.length === 0) throw new ValidationError(`No input to send to VM '${state.name}'.`);
      return [newEvent('InputReceived', { device: command.device, bytes: command.bytes }, icount, ctx.now)];
    case 'RecordEffects':
      command.events.forEach((e, i) => {
        validateEvent(e, () => `Effect ${i + 1} of ${command.events.length}`);
        if (CAUSE_TYPES.has(e.type) && e.type !== 'InputReceived') {
          throw new ValidationError(`${e.type} is a cause, not a machine effect; it has a command of its own.`);
        }
      });
      return [...command.events];
    case 'CreateSnapshot': {
      const name = checkName(command.name, 'snapshot name');
      if (state.snapshots.some((s) => s.id === command.id)) {
        throw new ValidationError(`VM '${state.name}' already has a snapshot with id '${command.id}'.`);
      }
      const seq = state.version + 1;
      return [newEvent('SnapshotCreated', { id: command.id, name, seq, icount, size: command.size }, icount, ctx.now)];
    }
    case 'RestoreSnapshot':
      findSnapshot(state, command.id);
      return [newEvent('SnapshotRestored', { id: command.id }, icount, ctx.now)];
    case 'DeleteSnapshot':
      findSnapshot(state, command.id);
      return [newEvent('SnapshotDeleted', { id: command.id }, icount, ctx.now)];
    default: {
      const never: never = command;
      throw new Error(`unhandled command ${JSON.stringify(never)}`);
    }
  }
}

function assertAllowed(type: CommandType, state: VmState): void {
  if (ALLOWED[state.status].includes(type)) return;
  if (state.status === 'none') {
    throw new NotFoundError(`Cannot ${COMMAND_VERB[type]} VM '${state.vmId}': there is no such VM.`, 'Create it first, or pick one from the list.');
  }
  if (type === 'CreateVm') {
    throw new IllegalStateError(`Cannot create VM '${state.vmId}': it exists already (as '${state.name}').`, 'Choose another id.');
  }
  const allowed = ALLOWED[state.status].map((c) => COMMAND_VERB[c]).join(', ');
  const hint =
    state.status === 'stopped' && (type === 'StartVm' || type === 'ResumeVm')
      ? 'Reset it first; it then starts again from its boot image.'
      : state.status === 'created' && type !== 'StartVm'
        ? 'Start it first.'
        : undefined;
  throw new IllegalStateError(`Cannot ${COMMAND_VERB[type]} VM '${state.name}': it is ${state.status}. Allowed now: ${allowed}.`, hint);
}

function findSnapshot(state: VmState, id: string): SnapshotInfo {
  const found = state.snapshots.find((s) => s.id === id);
  if (!found) throw new NotFoundError(`VM '${state.name}' has no snapshot '${id}'.`, 'Pick one from its snapshot list.');
  return found;
}

/** Applies one stored event. Pure; the same function builds live and replayed state. */
export function evolve(state: VmState, event: AnyStoredEvent): VmState {
  const c = state.counters;
  const family = FAMILY_OF[event.type];
  let counters: Counters = {
    ...c,
    events: c.events + 1,
    byFamily: { ...c.byFamily, [family]: c.byFamily[family] + 1 },
  };
  const base = { ...state, version: event.seq, updatedAt: event.at, icount: Math.max(state.icount, event.icount) };
  switch (event.type) {
    case 'VmCreated':
      return {
        ...base,
        status: 'created',
        name: event.data.name,
        config: event.data.config,
        forkedFrom: event.data.forkedFrom ?? null,
        createdAt: event.at,
        counters,
      };
    case 'VmRenamed':
      return { ...base, name: event.data.name, counters };
    case 'VmStarted':
      return { ...base, status: 'running', pauseReason: null, stopReason: null, exitCode: null, counters };
    case 'VmPaused':
      return { ...base, status: 'paused', pauseReason: event.data.reason, counters };
    case 'VmResumed':
      return { ...base, status: 'running', pauseReason: null, counters };
    case 'VmStopped':
      return { ...base, status: 'stopped', pauseReason: null, stopReason: event.data.reason, exitCode: event.data.exitCode, counters };
    case 'VmReset':
      counters = { ...counters, resets: c.resets + 1 };
      return { ...base, status: state.status === 'stopped' ? 'created' : state.status, stopReason: null, exitCode: null, counters };
    case 'InstructionsExecuted':
      counters = { ...counters, instructions: c.instructions + event.data.count };
      return { ...base, icount: Math.max(base.icount, event.data.fromIcount + event.data.count), counters };
    case 'TrapTaken':
      counters = { ...counters, traps: c.traps + (event.data.count ?? 1) };
      return { ...base, counters };
    case 'PageFault':
      counters = { ...counters, pageFaults: c.pageFaults + 1 };
      return { ...base, counters };
    case 'InterruptRaised':
      counters = { ...counters, interrupts: c.interrupts + (event.data.count ?? 1) };
      return { ...base, counters };
    case 'IoCompleted':
      counters =
        event.data.direction === 'out'
          ? { ...counters, bytesOut: c.bytesOut + event.data.bytes.length }
          : { ...counters, bytesIn: c.bytesIn + event.data.bytes.length };
      return { ...base, counters };
    case 'InputReceived':
      counters = { ...counters, bytesIn: c.bytesIn + event.data.bytes.length };
      return { ...base, counters };
    case 'SnapshotCreated': {
      const { id, name, seq, icount, size } = event.data;
      counters = { ...counters, snapshotsCreated: c.snapshotsCreated + 1 };
      return { ...base, snapshots: [...state.snapshots, { id, name, seq, icount, size }], counters };
    }
    case 'SnapshotDeleted':
      return { ...base, snapshots: state.snapshots.filter((s) => s.id !== event.data.id), counters };
    case 'SnapshotRestored':
    case 'MemoryAllocated':
    case 'MemoryFreed':
    case 'MemoryMapped':
    case 'CodeCompiled':
    case 'HotspotDetected':
    case 'DeviceAdded':
    case 'DeviceRemoved':
      return { ...base, counters };
    default: {
      const never: never = event;
      throw new Error(`unhandled event ${JSON.stringify(never)}`);
    }
  }
}

/** Rebuilds a VM's state by folding evolve over its events; a gap or foreign event is corruption. */
export function fromEvents(vmId: VmId, events: Iterable<AnyStoredEvent>, from: VmState = initialState(vmId)): VmState {
  let state = from;
  for (const event of events) {
    if (event.vmId !== vmId) throw new CorruptError(`Event seq ${event.seq} belongs to VM '${event.vmId}', not '${vmId}'.`);
    if (event.seq !== state.version + 1) {
      throw new CorruptError(`The stream of VM '${vmId}' jumps from seq ${state.version} to ${event.seq}.`, 'Export what is left and re-import it, or delete the VM.');
    }
    state = evolve(state, event);
  }
  return state;
}
