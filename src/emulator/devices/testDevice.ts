// SiFive test device ("sifive,test0"): a 32-bit write powers off, reboots, or fails with a code.
import type { MmioDevice } from '../bus.ts';
import { FINISHER_FAIL, FINISHER_PASS, FINISHER_RESET } from '../layout.ts';

export type FinisherOutcome = { kind: 'poweroff'; code: number } | { kind: 'reboot' };

export class TestDevice implements MmioDevice {
  readonly name = 'test';

  constructor(private readonly finish: (outcome: FinisherOutcome) => void) {}

  read(_offset: number, _size: number): number {
    return 0;
  }

  write(offset: number, size: number, value: number): void {
    if (offset !== 0 || size !== 4) return;
    const status = value & 0xffff;
    const code = value >>> 16;
    if (status === FINISHER_PASS) this.finish({ kind: 'poweroff', code: 0 });
    else if (status === FINISHER_FAIL) this.finish({ kind: 'poweroff', code: code === 0 ? 1 : code }); // A failure never reads as success.
    else if (status === FINISHER_RESET) this.finish({ kind: 'reboot' });
  }
}
