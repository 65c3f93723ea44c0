// SiFive test device: poweroff, failure with a code, reboot.
import { describe, expect, it } from 'vitest';
import { TestDevice, type FinisherOutcome } from './testDevice.ts';

describe('SiFive test device', () => {
  it('powers off, fails with a code, or reboots', () => {
    const seen: FinisherOutcome[] = [];
    const t = new TestDevice((o) => seen.push(o));
    t.write(0, 4, 0x5555);
    t.write(0, 4, (3 << 16) | 0x3333);
    t.write(0, 4, 0x7777);
    t.write(0, 4, 0x1234);
    expect(seen).toEqual([{ kind: 'poweroff', code: 0 }, { kind: 'poweroff', code: 3 }, { kind: 'reboot' }]);
  });
});
