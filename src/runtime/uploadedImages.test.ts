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

describe('exporting VMs with uploaded images', () => {
  it('carries the images in the file, so another host imports and rebuilds the VM exactly', async () => {
    const source = new VmHost(new InMemoryEventStore(), { images: new InMemoryImageStore() });
    const vm = await source.createVmFromFiles('uploaded os', { name: 'os.elf', bytes: new Uint8Array(readFileSync('public/guests/os.elf')) });
    let text = '';
    await source.attachConsole(vm.vmId, (u) => (text += u.bytes ?? ''));
    await source.execute(vm.vmId, { type: 'StartVm' });
    await expect.poll(() => /\$ $/.test(text), { timeout: 30_000 }).toBe(true);
    await source.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });
    const head = (await source.listVms())[0].state.version;
    const here = await source.inspect(vm.vmId, { seq: head });
    const file = await source.exportVm(vm.vmId);

    const elsewhere = new VmHost(new InMemoryEventStore(), { images: new InMemoryImageStore() });
    const imported = await elsewhere.importVm(file.text, file.fileName);
    const there = await elsewhere.inspect(imported.vmId, { seq: head });
    expect(there.machine.stateHash).toBe(here.machine.stateHash);
    expect(there.console).toBe(here.console);

    const lines = file.text.split('\n');
    const damaged = [lines[0], lines[1].replace(/"base64":"(.)/, (_m, c: string) => `"base64":"${c === 'A' ? 'B' : 'A'}`), ...lines.slice(2)].join('\n');
    const third = new VmHost(new InMemoryEventStore(), { images: new InMemoryImageStore() });
    await expect(third.importVm(damaged, 'x.jsonl')).rejects.toThrow(/does not match its sha256/);
    const withoutImage = [JSON.stringify({ ...JSON.parse(lines[0]), images: 0 }), ...lines.slice(2)].join('\n');
    await expect(third.importVm(withoutImage, 'y.jsonl')).rejects.toThrow(/does not carry/);
    expect(await third.listVms()).toEqual([]);
    source.dispose();
    elsewhere.dispose();
  }, 60_000);
});
