// Shape checks for events and their data, so nothing malformed reaches a stream.
import { CURRENT_VERSION, EVENT_TYPES, isEventType, type EventType, type VmConfig, type VmId } from './events.ts';
import { ValidationError } from './errors.ts';

type Field =
  | 'string'
  | 'name'
  | 'int'
  | 'count'
  | 'hex'
  | 'boolean'
  | 'bytes'
  | 'config'
  | { readonly oneOf: readonly string[] }
  | { readonly optional: Field }
  | { readonly nullable: Field }
  | { readonly object: Readonly<Record<string, Field>> };

const PRIVILEGE = { oneOf: ['M', 'S', 'U'] } as const;
const DEVICE = { id: 'string', kind: 'string', base: 'hex', size: 'count', irq: { optional: 'count' } } as const;

/** Fields of each event type's data at its current version. */
const SCHEMA: { readonly [T in EventType]: Readonly<Record<string, Field>> } = {
  VmCreated: {
    name: 'name',
    config: 'config',
    forkedFrom: { optional: { object: { vmId: 'string', seq: 'count' } } },
  },
  VmRenamed: { name: 'name' },
  VmStarted: {},
  VmPaused: { reason: { oneOf: ['user', 'breakpoint', 'watchpoint', 'halted', 'interrupted', 'quota'] } },
  VmResumed: {},
  VmStopped: {
    reason: { oneOf: ['user', 'poweroff', 'reboot', 'fatal', 'interrupted'] },
    exitCode: { nullable: 'int' },
  },
  VmReset: {},
  MemoryAllocated: { base: 'hex', pages: 'count' },
  MemoryFreed: { base: 'hex', pages: 'count' },
  MemoryMapped: { base: 'hex', size: 'count', kind: { oneOf: ['ram', 'rom', 'mmio'] }, device: { optional: 'string' } },
  PageFault: { vaddr: 'hex', access: { oneOf: ['fetch', 'load', 'store'] }, pc: 'hex', privilege: PRIVILEGE },
  InstructionsExecuted: { fromIcount: 'count', count: 'count', pcStart: 'hex', pcEnd: 'hex' },
  TrapTaken: { cause: 'count', interrupt: 'boolean', tval: 'hex', pc: 'hex', from: PRIVILEGE, to: PRIVILEGE, count: { optional: 'count' } },
  CodeCompiled: { pc: 'hex', instructions: 'count', tier: 'string' },
  HotspotDetected: { pc: 'hex', hits: 'count' },
  DeviceAdded: DEVICE,
  DeviceRemoved: { id: 'string' },
  InterruptRaised: { source: 'string', irq: 'count', count: { optional: 'count' } },
  IoCompleted: { device: 'string', direction: { oneOf: ['in', 'out'] }, bytes: 'bytes' },
  InputReceived: { device: 'string', bytes: 'bytes' },
  SnapshotCreated: { id: 'string', name: 'name', seq: 'count', icount: 'count', size: 'count' },
  SnapshotRestored: { id: 'string' },
  SnapshotDeleted: { id: 'string' },
};

const HEX = /^0x[0-9a-f]{1,16}$/;
// eslint-disable-next-line no-control-regex
const BYTES = /^[\u0000-\u00ff]*$/;
export const MAX_NAME_LENGTH = 64;
export const MAX_MEMORY_MIB = 2048;

/** Checks a name for a VM or snapshot; returns it trimmed. */
export function checkName(value: unknown, what = 'name'): string {
  if (typeof value !== 'string') throw new ValidationError(`The ${what} must be text, got ${typeof value}.`);
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new ValidationError(`The ${what} is empty.`, 'Type at least one character.');
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw new ValidationError(`The ${what} is ${trimmed.length} characters long; at most ${MAX_NAME_LENGTH} are allowed.`);
  }
  return trimmed;
}

/** Checks a VM id from outside (a URL, a file, a message) and brands it. */
export function parseVmId(value: unknown): VmId {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
    throw new ValidationError(
      `'${String(value)}' is not a VM id.`,
      'A VM id is 1 to 64 letters, digits, dashes or underscores.',
    );
  }
  return value as VmId;
}

/** Checks a VM configuration (memory, ISA, images, devices). */
export function checkConfig(value: unknown, where = 'config'): VmConfig {
  if (!isRecord(value)) throw new ValidationError(`${where} must be an object.`);
  const memory = value.memoryMiB;
  if (typeof memory !== 'number' || !Number.isInteger(memory) || memory < 1 || memory > MAX_MEMORY_MIB) {
    throw new ValidationError(`${where}.memoryMiB must be a whole number from 1 to ${MAX_MEMORY_MIB}, got ${String(memory)}.`);
  }
  if (typeof value.isa !== 'string' || value.isa.length === 0) throw new ValidationError(`${where}.isa must be a non-empty string.`);
  checkImage(value.bootImage, `${where}.bootImage`);
  if (value.kernelImage !== undefined) checkImage(value.kernelImage, `${where}.kernelImage`);
  if (!Array.isArray(value.devices)) throw new ValidationError(`${where}.devices must be a list.`);
  value.devices.forEach((d, i) => checkFields(d, DEVICE, `${where}.devices[${i}]`));
  return value as unknown as VmConfig;
}

function checkImage(value: unknown, where: string): void {
  checkFields(
    value,
    { name: 'string', sha256: { optional: 'string' }, size: { optional: 'count' }, builtin: { optional: 'boolean' } },
    where,
  );
}

/** Where a value sits, spelled out only when a check fails (building paths eagerly costs more than checking). */
type Where = string | (() => string);

function spell(where: Where): string {
  return typeof where === 'string' ? where : where();
}

/**
 * Checks one event's type, version and data against the schema; throws a ValidationError naming
 * the field. `where` prefixes the message (for example "Event 3 of the batch").
 */
export function validateEvent(event: unknown, where: Where = 'Event'): void {
  if (!isRecord(event)) throw new ValidationError(`${spell(where)} is not an object.`);
  if (!isEventType(event.type)) {
    throw new ValidationError(`${spell(where)} has unknown type '${String(event.type)}'.`, `Known types: ${EVENT_TYPES.join(', ')}.`);
  }
  const type = event.type;
  if (event.v !== CURRENT_VERSION[type]) {
    throw new ValidationError(`${spell(where)} (${type}) has schema version ${String(event.v)}; this version writes v${CURRENT_VERSION[type]}.`);
  }
  if (!isCount(event.icount)) {
    throw new ValidationError(`${spell(where)} (${type}) has icount ${String(event.icount)}; it must be a whole number ≥ 0.`);
  }
  if (typeof event.at !== 'number' || !Number.isFinite(event.at)) {
    throw new ValidationError(`${spell(where)} (${type}) has no valid time 'at'.`);
  }
  checkFields(event.data, SCHEMA[type], () => `${spell(where)} (${type}) data`);
}

function checkFields(value: unknown, fields: Readonly<Record<string, Field>>, where: Where): void {
  if (!isRecord(value)) throw new ValidationError(`${spell(where)} must be an object.`);
  for (const key in value) {
    if (!(key in fields)) throw new ValidationError(`${spell(where)} has an unexpected field '${key}'.`);
  }
  for (const key in fields) checkField(value[key], fields[key], where, key);
}

function fail(where: Where, key: string, value: unknown, what: string): never {
  throw new ValidationError(`${spell(where)}.${key} must be ${what}, got ${describe(value)}.`);
}

function checkField(value: unknown, field: Field, where: Where, key: string): void {
  if (typeof field === 'object') {
    if ('optional' in field) {
      if (value !== undefined) checkField(value, field.optional, where, key);
    } else if ('nullable' in field) {
      if (value !== null) checkField(value, field.nullable, where, key);
    } else if ('oneOf' in field) {
      if (typeof value !== 'string' || !field.oneOf.includes(value)) fail(where, key, value, `one of ${field.oneOf.join(', ')}`);
    } else {
      checkFields(value, field.object, () => `${spell(where)}.${key}`);
    }
    return;
  }
  switch (field) {
    case 'string':
      if (typeof value !== 'string' || value.length === 0) fail(where, key, value, 'a non-empty string');
      return;
    case 'name':
      checkName(value, `${spell(where)}.${key}`);
      return;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(where, key, value, 'a whole number');
      return;
    case 'count':
      if (!isCount(value)) fail(where, key, value, 'a whole number ≥ 0');
      return;
    case 'hex':
      if (typeof value !== 'string' || !HEX.test(value)) fail(where, key, value, 'a lower-case hex address like 0x80000000');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail(where, key, value, 'true or false');
      return;
    case 'bytes':
      if (typeof value !== 'string' || !BYTES.test(value)) fail(where, key, value, 'a byte string (characters 0-255)');
      return;
    case 'config':
      checkConfig(value, `${spell(where)}.${key}`);
      return;
    default: {
      const never: never = field;
      throw new Error(`unknown field kind ${String(never)}`);
    }
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'object') return value === null ? 'null' : Array.isArray(value) ? 'a list' : 'an object';
  return String(value);
}
