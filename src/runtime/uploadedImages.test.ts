// VMs from uploaded images: checked before storing, stored by content, and OpenSBI + U-Boot run for real.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../store/InMemoryEventStore.ts';
import { InMemoryImageStore } from '../store/ImageStore.ts';
import { VmHost } from './VmHost.ts';

import { FIRMWARE, FIRMWARE_MISSING, firmwarePresent } from '../cli/firmwarePaths.ts';

const FW_JUMP = FIRMWARE.fwJump;
const UBOOT_S = FIRMWARE.ubootSmode;
const haveFirmware = firmwarePresent();

describe('VMs from uploaded images', () => {
  it('refuses a garbage or empty file, naming it, and creates nothing', async () => {
    const store = new InMemoryEventStore();
    const host = new VmHost(store, { images: new InMemoryImageStore() });
    await expect(host.createVmFromFiles('bad', { name: 'notes.txt', bytes: new TextEncoder().encode('just some text, not a program at all') })).rejects.toMatchObject({
      code: 'Validation',
      message: expect.stringContaining("'notes.txt'"),
    });
    await expect(host.createVmFromFiles('empty', { name: 'empty.bin', bytes: new Uint8Array() })).rejects.toThrow(/'empty.bin': the file is empty/);
    expect(await store.listVmIds()).toEqual([]);
  });

  it.skipIf(!haveFirmware)(
    haveFirmware
      ? 'boots uploaded OpenSBI fw_jump.bin with S-mode U-Boot to its prompt and answers version'
      : `boots uploaded OpenSBI + U-Boot (skipped: ${FIRMWARE_MISSING})`,
    async () => {
      const images = new InMemoryImageStore();
      const host = new VmHost(new InMemoryEventStore(), { images });
      const vm = await host.createVmFromFiles(
        'u-boot',
        { name: 'fw_jump.bin', bytes: new Uint8Array(readFileSync(FW_JUMP)) },
        { name: 'u-boot.bin', bytes: new Uint8Array(readFileSync(UBOOT_S)) },
      );
      expect(vm.state.config?.kernelImage?.name).toBe('u-boot.bin');
      let text = '';
      await host.attachConsole(vm.vmId, (u) => (text += u.bytes ?? ''));
      await host.execute(vm.vmId, { type: 'StartVm' });
      await expect.poll(() => text, { timeout: 60_000 }).toMatch(/=> $/);
      expect(text).toContain('OpenSBI v1.1');
      expect(text).toContain('DRAM:  128 MiB');
      await host.sendInput(vm.vmId, new TextEncoder().encode('version\r'));
      await expect.poll(() => text, { timeout: 30_000 }).toMatch(/U-Boot 2023\.01[^]*riscv64-linux-gnu-gcc[^]*=> $/);
      await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });
      const view = await host.inspect(vm.vmId, { seq: (await host.listVms())[0].state.version });
      expect(view.console).toBe(text);
      host.dispose();
    },
    120_000,
  );
});
