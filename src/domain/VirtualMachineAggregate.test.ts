// Given events → when command → then events / error, for every lifecycle transition and more.
import { describe, expect, it } from 'vitest';
import { ALLOWED, decide, evolve, fromEvents, initialState, type VmState, type VmStatus } from './VirtualMachineAggregate.ts';
import type { Command, CommandType } from './commands.ts';
import { newEvent, type AnyNewEvent, type AnyStoredEvent } from './events.ts';
import { VmError } from './errors.ts';
import { seededRandom, stamp, TEST_CONFIG, TEST_VM } from './testing/fixtures.ts';

const NOW = 1_700_000_000_000;

/** Runs commands through decide + evolve from nothing, returning the stored events. */
function given(...commands: Command[]): AnyStoredEvent[] {
  let state = initialState(TEST_VM);
  const all: AnyStoredEvent[] = [];
  for (const command of commands) {
    const events = stamp(TEST_VM, state.version, decide(command, state, { now: NOW }));
    for (const e of events) state = evolve(state, e);
    all.push(...events);
  }
  return all;
}

function when(history: AnyStoredEvent[], command: Command): AnyNewEvent[] {
  return decide(command, fromEvents(TEST_VM, history), { now: NOW });
}

const CREATE: Command = { type: 'CreateVm', name: 'demo', config: TEST_CONFIG };
const SAMPLE: { readonly [C in CommandType]: Command } = {
  CreateVm: CREATE,
  RenameVm: { type: 'RenameVm', name: 'renamed' },
  StartVm: { type: 'StartVm' },
  PauseVm: { type: 'PauseVm' },
  ResumeVm: { type: 'ResumeVm' },
  StopVm: { type: 'StopVm' },
  ResetVm: { type: 'ResetVm' },
  RecordInput: { type: 'RecordInput', device: 'uart0', bytes: 'ls\r' },
  RecordEffects: {
    type: 'RecordEffects',
    events: [newEvent('InstructionsExecuted', { fromIcount: 0, count: 1000, pcStart: '0x80000000', pcEnd: '0x80000040' }, 1000, NOW)],
  },
  CreateSnapshot: { type: 'CreateSnapshot', id: 's1', name: 'first', size: 4096 },
  RestoreSnapshot: { type: 'RestoreSnapshot', id: 's0' },
  DeleteSnapshot: { type: 'DeleteSnapshot', id: 's0' },
};

/** A history that puts the VM in each status, with a snapshot 's0' where one can exist. */
const HISTORY: { readonly [S in VmStatus]: Command[] } = {
  none: [],
  created: [CREATE, { type: 'CreateSnapshot', id: 's0', name: 'zero', size: 1 }],
  running: [CREATE, { type: 'StartVm' }, { type: 'CreateSnapshot', id: 's0', name: 'zero', size: 1 }],
  paused: [CREATE, { type: 'StartVm' }, { type: 'CreateSnapshot', id: 's0', name: 'zero', size: 1 }, { type: 'PauseVm' }],
  stopped: [CREATE, { type: 'StartVm' }, { type: 'CreateSnapshot', id: 's0', name: 'zero', size: 1 }, { type: 'StopVm' }],
};

/** The status each allowed lifecycle command leads to from each status. */
const EXPECTED_STATUS: Partial<Record<VmStatus, Partial<Record<CommandType, VmStatus>>>> = {
  none: { CreateVm: 'created' },
  created: { StartVm: 'running' },
  running: { PauseVm: 'paused', StopVm: 'stopped', ResetVm: 'running' },
  paused: { ResumeVm: 'running', StopVm: 'stopped', ResetVm: 'paused' },
  stopped: { ResetVm: 'created' },
};

describe('VirtualMachineAggregate lifecycle', () => {
  const statuses = Object.keys(HISTORY) as VmStatus[];
  const commands = Object.keys(SAMPLE) as CommandType[];

  for (const status of statuses) {
    for (const type of commands) {
      const allowed = ALLOWED[status].includes(type);
      it(`${allowed ? 'accepts' : 'rejects'} ${type} when ${status}`, () => {
        const history = given(...HISTORY[status]);
        expect(fromEvents(TEST_VM, history).status).toBe(status);
        if (!allowed) {
          let caught: unknown;
          try {
            when(history, SAMPLE[type]);
          } catch (e) {
            caught = e;
          }
          expect(caught).toBeInstanceOf(VmError);
          const error = caught as VmError;
          expect(error.code).toBe(status === 'none' ? 'NotFound' : 'IllegalState');
          if (status !== 'none' && type !== 'CreateVm') {
            expect(error.message).toContain(`VM 'demo'`);
            expect(error.message).toContain(`it is ${status}`);
            expect(error.message).toMatch(/Allowed now: .+\./);
          }
          return;
        }
        const events = when(history, SAMPLE[type]);
        expect(events.length).toBeGreaterThan(0);
        const after = fromEvents(TEST_VM, [...history, ...stamp(TEST_VM, history.length, events)]);
        expect(after.version).toBe(history.length + events.length);
        const next = EXPECTED_STATUS[status]?.[type];
        expect(after.status).toBe(next ?? status);
      });
    }
  }

  it('rejects pause when stopped with a message naming VM, command, state and what is allowed', () => {
    const history = given(CREATE, { type: 'StartVm' }, { type: 'StopVm' });
    expect(() => when(history, { type: 'PauseVm' })).toThrowError(
      "Cannot pause VM 'demo': it is stopped. Allowed now: reset, rename, snapshot, restore a snapshot of, delete a snapshot of.",
    );
  });

  it('hints to reset first when starting a stopped VM', () => {
    const history = given(CREATE, { type: 'StartVm' }, { type: 'StopVm', reason: 'poweroff', exitCode: 0 });
    try {
      when(history, { type: 'StartVm' });
      expect.unreachable('start must be rejected');
    } catch (e) {
      expect((e as VmError).hint).toMatch(/Reset it first/);
    }
  });

  it('emits VmCreated then the memory map and devices of the configuration', () => {
    const events = when([], CREATE);
    expect(events.map((e) => e.type)).toEqual(['VmCreated', 'MemoryMapped', 'MemoryMapped', 'DeviceAdded', 'MemoryMapped', 'DeviceAdded']);
  });

  it('refuses an empty name and writes nothing', () => {
    expect(() => when([], { ...CREATE, name: '   ' } as Command)).toThrowError(/name is empty/);
  });

  it('refuses machine effects that are causes', () => {
    const history = given(CREATE, { type: 'StartVm' });
    const sneaky: Command = { type: 'RecordEffects', events: [newEvent('VmStarted', {}, 0, NOW)] };
    expect(() => when(history, sneaky)).toThrowError(/cause, not a machine effect/);
  });

  it('refuses a malformed effect, naming the field', () => {
    const history = given(CREATE, { type: 'StartVm' });
    const bad = { type: 'RecordEffects', events: [{ ...newEvent('TrapTaken', { cause: 2, interrupt: false, tval: '0x0', pc: 'nowhere', from: 'U', to: 'M' }, 5, NOW) }] } as Command;
    expect(() => when(history, bad)).toThrowError(/data\.pc must be a lower-case hex address/);
  });

  it('rejects a snapshot id that is unknown or taken', () => {
    const history = given(...HISTORY.running);
    expect(() => when(history, { type: 'RestoreSnapshot', id: 'nope' })).toThrowError(/has no snapshot 'nope'/);
    expect(() => when(history, { type: 'CreateSnapshot', id: 's0', name: 'again', size: 1 })).toThrowError(/already has a snapshot/);
  });

  it('renaming to the same name records nothing', () => {
    expect(when(given(CREATE), { type: 'RenameVm', name: 'demo' })).toEqual([]);
  });

  it('treats a gap in the stream as corruption', () => {
    const history = given(CREATE, { type: 'StartVm' });
    expect(() => fromEvents(TEST_VM, [history[0], history[2]])).toThrowError(/jumps from seq 1 to 3/);
  });
});

describe('VirtualMachineAggregate counters', () => {
  it('counts per family and per key quantity, as of any seq', () => {
    const effects: AnyNewEvent[] = [
      newEvent('InstructionsExecuted', { fromIcount: 0, count: 500, pcStart: '0x80000000', pcEnd: '0x80000010' }, 500, NOW),
      newEvent('TrapTaken', { cause: 7, interrupt: true, tval: '0x0', pc: '0x80000010', from: 'S', to: 'M' }, 500, NOW),
      newEvent('InterruptRaised', { source: 'clint', irq: 7 }, 500, NOW),
      newEvent('PageFault', { vaddr: '0x0', access: 'load', pc: '0x80000010', privilege: 'U' }, 500, NOW),
      newEvent('IoCompleted', { device: 'uart0', direction: 'out', bytes: 'hello' }, 500, NOW),
    ];
    const history = given(
      CREATE,
      { type: 'StartVm' },
      { type: 'RecordEffects', events: effects },
      { type: 'RecordInput', device: 'uart0', bytes: 'ab' },
      { type: 'CreateSnapshot', id: 'x', name: 'x', size: 10 },
    );
    const end = fromEvents(TEST_VM, history);
    expect(end.counters).toMatchObject({ instructions: 500, traps: 1, interrupts: 1, pageFaults: 1, bytesOut: 5, bytesIn: 2, snapshotsCreated: 1 });
    expect(end.counters.byFamily).toEqual({ lifecycle: 2, memory: 4, execution: 2, device: 5, snapshot: 1 });
    expect(end.counters.events).toBe(history.length);
    expect(end.icount).toBe(500);
    const before = fromEvents(TEST_VM, history.slice(0, 8));
    expect(before.counters.instructions).toBe(500);
    expect(before.counters.bytesOut).toBe(0);
  });
});

describe('VirtualMachineAggregate replay equals live state', () => {
  it('for 1000 seeded random command sequences, fromEvents(events) equals the live state after every step', () => {
    const random = seededRandom(20261124);
    const types = Object.keys(SAMPLE) as CommandType[];
    let accepted = 0;
    let rejected = 0;
    for (let run = 0; run < 1000; run++) {
      let live: VmState = initialState(TEST_VM);
      const log: AnyStoredEvent[] = [];
      const steps = 1 + Math.floor(random() * 25);
      for (let step = 0; step < steps; step++) {
        const type = types[Math.floor(random() * types.length)];
        const command = pickCommand(type, random, live);
        let events: AnyNewEvent[];
        try {
          events = decide(command, live, { now: NOW + step, icount: live.icount + Math.floor(random() * 100) });
        } catch (e) {
          expect(e).toBeInstanceOf(VmError);
          rejected++;
          continue;
        }
        accepted++;
        const stored = stamp(TEST_VM, live.version, events);
        for (const e of stored) live = evolve(live, e);
        log.push(...stored);
        expect(live.version).toBe(log.length);
        expect(fromEvents(TEST_VM, log)).toEqual(live);
      }
    }
    expect(accepted).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(1000);
  });
});

function pickCommand(type: CommandType, random: () => number, state: VmState): Command {
  const known = state.snapshots.map((s) => s.id);
  switch (type) {
    case 'CreateSnapshot':
      return { type, id: `s${Math.floor(random() * 5)}`, name: 'snap', size: Math.floor(random() * 1e6) };
    case 'RestoreSnapshot':
    case 'DeleteSnapshot':
      return { type, id: known.length > 0 && random() < 0.8 ? known[Math.floor(random() * known.length)] : 'missing' };
    case 'RenameVm':
      return { type, name: `name-${Math.floor(random() * 3)}` };
    default:
      return SAMPLE[type];
  }
}
