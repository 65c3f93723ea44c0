// The worker's host: VM bookkeeping, coalesced watch updates, and import/export through files.
import { describe, expect, it } from 'vitest';
import { asVmId, type AnyStoredEvent } from '../domain/index.ts';
import { InMemoryEventStore } from '../store/InMemoryEventStore.ts';
import type { WatchUpdate } from './protocol.ts';
import { VmHost } from './VmHost.ts';
import { readFileSync } from 'node:fs';
import type { ImageResolver } from './replay.ts';

const resolveImage: ImageResolver = async (ref) => new Uint8Array(readFileSync(`public/guests/${ref.name}`));

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
