// Real firmware: Debian's OpenSBI + S-mode U-Boot, and M-mode U-Boot alone, to the prompt and through commands.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.ts';
import { HeadlessSession } from './HeadlessSession.ts';
import type { ExpectSend } from './parseVmArgs.ts';

import { FIRMWARE, FIRMWARE_MISSING as MISSING, firmwarePresent } from './firmwarePaths.ts';

const FW_JUMP = FIRMWARE.fwJump;
const FW_DYNAMIC = FIRMWARE.fwDynamic;
const UBOOT_SMODE = FIRMWARE.ubootSmode;
const UBOOT_MMODE = FIRMWARE.ubootMmode;
const present = firmwarePresent();

function boot(bios: string, kernel: string | undefined, script: ExpectSend[], until: RegExp) {
  const machine = new Machine({ bios: readFileSync(bios), biosName: bios, kernel: kernel === undefined ? undefined : readFileSync(kernel) });
  let text = '';
  const session = new HeadlessSession(machine, {
    script,
    until,
    maxInstructions: 2_000_000_000,
    onOutput: (b) => (text += Buffer.from(b).toString('latin1')),
  });
  for (;;) {
    const outcome = session.runSlice();
    if (outcome !== undefined) return { outcome, text, machine };
  }
}

describe.skipIf(!present)(`real firmware (${present ? 'Debian opensbi and u-boot-qemu' : MISSING})`, () => {
  it('boots OpenSBI fw_jump with S-mode U-Boot to the prompt and answers version', () => {
    const { outcome, text } = boot(FW_JUMP, UBOOT_SMODE, [{ expect: /=> /, send: 'version\r' }], /riscv64-linux-gnu-gcc/);
    expect(outcome.reason).toBe('until');
    expect(outcome.status).toBe(0);
    expect(text).toContain('OpenSBI v1.1');
    expect(text).toMatch(/Platform Name\s+: riscv-virtio,qemu/);
    expect(text).toContain('U-Boot 2023.01');
    expect(text).toContain('DRAM:  128 MiB');
  });

  it('boots OpenSBI fw_dynamic too, which finds the next stage through a2 as on QEMU', () => {
    const { outcome, text } = boot(FW_DYNAMIC, UBOOT_SMODE, [{ expect: /=> /, send: 'version\r' }], /riscv64-linux-gnu-gcc/);
    expect(outcome.reason).toBe('until');
    expect(text).toMatch(/Domain0 Next Address\s+: 0x0000000080200000/);
  });

  it('runs M-mode U-Boot alone through bdinfo, md, printenv and a clean poweroff', () => {
    const script: ExpectSend[] = [
      { expect: /=> /, send: 'bdinfo\r' },
      { expect: /=> /, send: 'md 0x80000000 10\r' },
      { expect: /=> /, send: 'printenv\r' },
      { expect: /=> /, send: 'poweroff\r' },
    ];
    const { outcome, text } = boot(UBOOT_MMODE, undefined, script, /will never match/);
    expect(outcome).toMatchObject({ status: 0, reason: 'poweroff' });
    expect(text).toMatch(/boot_params\s*= 0x/);
    expect(text).toMatch(/80000000: [0-9a-f]{8} [0-9a-f]{8}/);
    expect(text).toContain('bootcmd=run distro_bootcmd');
    expect(text).toContain('Environment size:');
  });

  it('boots the same way twice, whatever the slicing: same output and state hash for the same input schedule', () => {
    const once = (slice: number) => {
      const m = new Machine({ bios: readFileSync(FW_JUMP), kernel: readFileSync(UBOOT_SMODE) });
      let text = '';
      const runTo = (target: number) => {
        while (m.icount < target) {
          m.run(Math.min(slice, target - m.icount));
          text += Buffer.from(m.drainOutput()).toString('latin1');
        }
      };
      runTo(40_000_000);
      m.sendInput(new TextEncoder().encode('version\r'));
      runTo(45_000_000);
      return { text, hash: m.stateHash() };
    };
    const a = once(1_000_000);
    const b = once(77_777);
    expect(a.text).toContain('riscv64-linux-gnu-gcc');
    expect(b.text).toBe(a.text);
    expect(b.hash).toBe(a.hash);
  });
});

if (!present) {
  describe('real firmware', () => {
    it.skip(`boot tests were not run (${MISSING})`, () => {});
  });
}
