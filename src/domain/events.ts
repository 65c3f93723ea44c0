// Domain events of a VM stream: the envelope, every event type with its data, and their families.

/** A VM's identity; the stream key. */
export type VmId = string & { readonly __brand: 'VmId' };

/** Brands a string as a VmId without checking it; use `parseVmId` for input from outside. */
export function asVmId(value: string): VmId {
  return value as VmId;
}

/** A 64-bit guest address or register value written as `0x…` hex, because JSON numbers stop at 2^53. */
export type Hex = string;

/** A guest address (a signed or unsigned number) as the unsigned 64-bit `0x…` form events carry. */
export function toHex(n: number): Hex {
  return `0x${BigInt.asUintN(64, BigInt(n)).toString(16)}`;
}

export type Privilege = 'M' | 'S' | 'U';
export type PauseReason = 'user' | 'breakpoint' | 'watchpoint' | 'halted' | 'interrupted' | 'quota';
export type StopReason = 'user' | 'poweroff' | 'reboot' | 'fatal' | 'interrupted';
export type MemoryAccess = 'fetch' | 'load' | 'store';
export type RegionKind = 'ram' | 'rom' | 'mmio';

/** A boot image the VM was created from: a built-in one by name, or stored content by hash. */
export interface BootImageRef {
  readonly name: string;
  readonly sha256?: string;
  readonly size?: number;
  readonly builtin?: boolean;
}

export interface DeviceSpec {
  readonly id: string;
  readonly kind: string;
  readonly base: Hex;
  readonly size: number;
  readonly irq?: number;
}

export interface VmConfig {
  readonly memoryMiB: number;
  readonly isa: string;
  readonly bootImage: BootImageRef;
  /** Optional payload loaded beside the boot image (for example U-Boot after OpenSBI). */
  readonly kernelImage?: BootImageRef;
  readonly devices: readonly DeviceSpec[];
}

/** Data carried by each event type, at its current schema version. */
export interface EventDataMap {
  // lifecycle
  VmCreated: { name: string; config: VmConfig; forkedFrom?: { vmId: string; seq: number } };
  VmRenamed: { name: string };
  VmStarted: Record<string, never>;
  VmPaused: { reason: PauseReason };
  VmResumed: Record<string, never>;
  VmStopped: { reason: StopReason; exitCode: number | null };
  VmReset: Record<string, never>;
  // memory
  MemoryAllocated: { base: Hex; pages: number };
  MemoryFreed: { base: Hex; pages: number };
  MemoryMapped: { base: Hex; size: number; kind: RegionKind; device?: string };
  PageFault: { vaddr: Hex; access: MemoryAccess; pc: Hex; privilege: Privilege };
  // execution
  InstructionsExecuted: { fromIcount: number; count: number; pcStart: Hex; pcEnd: Hex };
  /** `count`: how many times the same trap was taken in one recorded batch (the fields are the first's). */
  TrapTaken: { cause: number; interrupt: boolean; tval: Hex; pc: Hex; from: Privilege; to: Privilege; count?: number };
  CodeCompiled: { pc: Hex; instructions: number; tier: string };
  HotspotDetected: { pc: Hex; hits: number };
  // device
  DeviceAdded: DeviceSpec;
  DeviceRemoved: { id: string };
  InterruptRaised: { source: string; irq: number; count?: number };
  /** `bytes` holds one character per byte (code 0-255), so console text survives JSON and IndexedDB as is. */
  IoCompleted: { device: string; direction: 'in' | 'out'; bytes: string };
  InputReceived: { device: string; bytes: string };
  // snapshot
  SnapshotCreated: { id: string; name: string; seq: number; icount: number; size: number };
  SnapshotRestored: { id: string };
  SnapshotDeleted: { id: string };
}

export type EventType = keyof EventDataMap;

export type Family = 'lifecycle' | 'memory' | 'execution' | 'device' | 'snapshot';
export const FAMILIES: readonly Family[] = ['lifecycle', 'memory', 'execution', 'device', 'snapshot'];

/** Which family each event type belongs to; also the list of every known type. */
export const FAMILY_OF: { readonly [T in EventType]: Family } = {
  VmCreated: 'lifecycle',
  VmRenamed: 'lifecycle',
  VmStarted: 'lifecycle',
  VmPaused: 'lifecycle',
  VmResumed: 'lifecycle',
  VmStopped: 'lifecycle',
  VmReset: 'lifecycle',
  MemoryAllocated: 'memory',
  MemoryFreed: 'memory',
  MemoryMapped: 'memory',
  PageFault: 'memory',
  InstructionsExecuted: 'execution',
  TrapTaken: 'execution',
  CodeCompiled: 'execution',
  HotspotDetected: 'execution',
  DeviceAdded: 'device',
  DeviceRemoved: 'device',
  InterruptRaised: 'device',
  IoCompleted: 'device',
  InputReceived: 'device',
  SnapshotCreated: 'snapshot',
  SnapshotRestored: 'snapshot',
  SnapshotDeleted: 'snapshot',
};

export const EVENT_TYPES = Object.keys(FAMILY_OF) as readonly EventType[];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(FAMILY_OF, value);
}

/**
 * Types that drive replay (causes); every other type is an effect that re-execution re-derives
 * (design.md §5).
 */
export const CAUSE_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'VmCreated',
  'VmRenamed',
  'VmStarted',
  'VmPaused',
  'VmResumed',
  'VmStopped',
  'VmReset',
  'InputReceived',
  'SnapshotCreated',
  'SnapshotRestored',
  'SnapshotDeleted',
  'DeviceAdded',
  'DeviceRemoved',
]);

/** An event as decided, before the store gives it a place in the stream. */
export interface NewEvent<T extends EventType = EventType> {
  readonly type: T;
  /** Schema version of this type's data. */
  readonly v: number;
  /** Instructions retired when it happened. */
  readonly icount: number;
  /** Wall-clock milliseconds; informational only, never used by replay. */
  readonly at: number;
  readonly data: EventDataMap[T];
}

/** The envelope of a persisted event; `seq` is 1-based and gapless per stream. */
export interface StoredEvent<T extends EventType = EventType> extends NewEvent<T> {
  readonly vmId: VmId;
  readonly seq: number;
}

/** A stored event of any type, discriminated on `type` so a switch narrows `data`. */
export type AnyStoredEvent = { [T in EventType]: StoredEvent<T> }[EventType];
export type AnyNewEvent = { [T in EventType]: NewEvent<T> }[EventType];

/** Current schema version of every type; older versions are upcast on read. */
export const CURRENT_VERSION: { readonly [T in EventType]: number } = {
  ...(Object.fromEntries(EVENT_TYPES.map((t) => [t, 1])) as { [T in EventType]: number }),
  VmStopped: 2,
};

/** Builds a new event at the current schema version. */
export function newEvent<T extends EventType>(type: T, data: EventDataMap[T], icount: number, at: number): NewEvent<T> {
  return { type, v: CURRENT_VERSION[type], icount, at, data };
}
