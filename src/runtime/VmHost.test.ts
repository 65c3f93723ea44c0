// The worker's host: VM bookkeeping, coalesced watch updates, and import/export through files.
import { describe, expect, it } from 'vitest';
import { asVmId, type AnyStoredEvent } from '../domain/index.ts';
import { InMemoryEventStore } from '../store/InMemoryEventStore.ts';
import type { WatchUpdate } from './protocol.ts';
import { VmHost } from './VmHost.ts';
import { resolveBuiltin } from './testing/images.ts';

const resolveImage = resolveBuiltin;

describe('VmHost', () => {
  it('creates VMs with the default board and lists them oldest first', async () => {
    let now = 1000;
    const host = new VmHost(new InMemoryEventStore(), { clock: () => now++ });
    const a = await host.createVm('first');
    const b = await host.createVm('second');
    expect(a.state.config?.devices.map((d) => d.id)).toEqual(['test', 'clint', 'plic', 'uart0']);
    expect((await host.listVms()).map((v) => v.vmId)).toEqual([a.vmId, b.vmId]);
  });

  it('refuses commands and deletes for a VM that does not exist', async () => {
    const host = new VmHost(new InMemoryEventStore());
    await expect(host.execute(asVmId('vm-missing'), { type: 'StartVm' })).rejects.toMatchObject({ code: 'NotFound' });
    await expect(host.deleteVm(asVmId('vm-missing'))).rejects.toMatchObject({ code: 'NotFound' });
    await expect(host.execute(asVmId('not a valid id!'), { type: 'StartVm' })).rejects.toMatchObject({ code: 'Validation' });
  });

  it('sends a watcher the history, then live events, coalesced, with the state after them', async () => {
    const host = new VmHost(new InMemoryEventStore(), { resolveImage });
    const vm = await host.createVm('watched');
    const updates: WatchUpdate[] = [];
    const handle = await host.watch(vm.vmId, 1, (u) => updates.push(u));
    await host.execute(vm.vmId, { type: 'StartVm' });
    await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });
    await host.execute(vm.vmId, { type: 'ResumeVm' });
    await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });
    const head = (await host.listVms())[0].state.version;
    await expect.poll(() => updates.at(-1)?.state.version).toBe(head);
    expect(updates.at(-1)?.state.status).toBe('paused');
    const seqs = updates.flatMap((u) => u.events.map((e: AnyStoredEvent) => e.seq));
    expect(seqs).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(updates.length).toBeLessThan(seqs.length);
    await host.unwatch(handle);
    await host.execute(vm.vmId, { type: 'StopVm', reason: 'user' });
    await new Promise((r) => setTimeout(r, 100));
    expect(updates.at(-1)?.state.status).toBe('paused');
  });

  it('has delivered every console byte to its listeners when a pause returns, though output is coalesced', async () => {
    const host = new VmHost(new InMemoryEventStore(), { resolveImage });
    const vm = await host.createVm('console');
    let received = '';
    await host.attachConsole(vm.vmId, (u) => (received += u.bytes ?? ''));
    await host.execute(vm.vmId, { type: 'StartVm' });
    const paused = await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });
    expect(paused.state.counters.bytesOut).toBeGreaterThan(0);
    expect(received.length).toBe(paused.state.counters.bytesOut);
  });

  it('imports an exported VM under its own id, or a new one when that id is taken', async () => {
    const host = new VmHost(new InMemoryEventStore(), { resolveImage });
    const vm = await host.createVm('traveller');
    await host.execute(vm.vmId, { type: 'StartVm' });
    await host.execute(vm.vmId, { type: 'StopVm', reason: 'user' });
    const original = await host.loadEvents(vm.vmId);
    const file = await host.exportVm(vm.vmId);
    expect(file.fileName).toBe('traveller.vmstream.jsonl');
    const copy = await host.importVm(file.text, file.fileName);
    expect(copy.vmId).not.toBe(vm.vmId);
    expect(copy.state.name).toBe('traveller');
    expect(await host.loadEvents(copy.vmId)).toEqual(original.map((e) => ({ ...e, vmId: copy.vmId })));
    await host.deleteVm(vm.vmId);
    const back = await host.importVm(file.text, file.fileName);
    expect(back.vmId).toBe(vm.vmId);
  });
});

describe('VmHost ownership across tabs', () => {
  /** Locks shared by hosts as Web Locks are shared by the tabs of one browser. */
  function sharedLocks() {
    const held = new Set<string>();
    return {
      tryAcquire: async (vmId: string) => {
        if (held.has(vmId)) return null;
        held.add(vmId);
        return () => held.delete(vmId);
      },
    };
  }

  it('lets one host run a VM while another follows it read-only, then take over once it is released', async () => {
    const store = new InMemoryEventStore();
    const locks = sharedLocks();
    const first = new VmHost(store, { resolveImage, locks });
    const vm = await first.createVm('shared');
    await first.execute(vm.vmId, { type: 'StartVm' });

    const second = new VmHost(store, { resolveImage, locks });
    const [seen] = await second.listVms();
    expect(seen.state.status).toBe('running'); // not marked interrupted: its owner is alive
    await expect(second.execute(vm.vmId, { type: 'PauseVm', reason: 'user' })).rejects.toMatchObject({
      code: 'IllegalState',
      message: expect.stringContaining('running in another tab'),
    });
    await expect(second.sendInput(vm.vmId, new Uint8Array([65]))).rejects.toMatchObject({ code: 'IllegalState' });

    await first.execute(vm.vmId, { type: 'StopVm', reason: 'user' });
    await second.execute(vm.vmId, { type: 'ResetVm' });
    await second.execute(vm.vmId, { type: 'StartVm' });
    expect((await second.listVms())[0].state.status).toBe('running');
    await expect(first.execute(vm.vmId, { type: 'PauseVm', reason: 'user' })).rejects.toMatchObject({ code: 'IllegalState' });
    second.dispose();
    first.dispose();
  });
});
