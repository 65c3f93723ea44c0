// Upcasting on read: old schema versions become the current shape; unknown ones are refused.
import { describe, expect, it } from 'vitest';
import { upcast } from './upcasters.ts';
import { fromEvents } from './VirtualMachineAggregate.ts';
import { CURRENT_VERSION } from './events.ts';
import { TEST_VM } from './testing/fixtures.ts';

const base = { vmId: TEST_VM, icount: 0, at: 0 };

describe('upcast', () => {
  it('turns VmStopped v1 {reason} into v2 {reason, exitCode}', () => {
    expect(CURRENT_VERSION.VmStopped).toBe(2);
    const poweroff = upcast({ ...base, seq: 3, type: 'VmStopped', v: 1, data: { reason: 'poweroff' } });
    expect(poweroff).toMatchObject({ v: 2, data: { reason: 'poweroff', exitCode: 0 } });
    const user = upcast({ ...base, seq: 3, type: 'VmStopped', v: 1, data: { reason: 'user' } });
    expect(user.data).toEqual({ reason: 'user', exitCode: null });
  });

  it('leaves current events untouched', () => {
    const raw = { ...base, seq: 1, type: 'VmStarted', v: 1, data: {} };
    expect(upcast(raw)).toBe(raw);
  });

  it('refuses a version from the future with a hint to update', () => {
    expect(() => upcast({ ...base, seq: 9, type: 'VmPaused', v: 7, data: { reason: 'user' } })).toThrowError(/schema version 7/);
  });

  it('refuses an unknown type', () => {
    expect(() => upcast({ ...base, seq: 9, type: 'VmExploded', v: 1, data: {} })).toThrowError(/unknown type 'VmExploded'/);
  });

  it('lets a stream written with v1 stops fold into the current state', () => {
    const config = { memoryMiB: 1, isa: 'rv64imac', bootImage: { name: 'x' }, devices: [] };
    const raws = [
      { ...base, seq: 1, type: 'VmCreated', v: 1, data: { name: 'old', config } },
      { ...base, seq: 2, type: 'VmStarted', v: 1, data: {} },
      { ...base, seq: 3, type: 'VmStopped', v: 1, data: { reason: 'poweroff' } },
    ];
    const state = fromEvents(TEST_VM, raws.map(upcast));
    expect(state.status).toBe('stopped');
    expect(state.exitCode).toBe(0);
  });
});
