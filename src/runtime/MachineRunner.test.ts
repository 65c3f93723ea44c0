// Running a VM in the host: console, recorded input, effects, reopen after a crash, exact re-execution.
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../domain/index.ts';
import { InMemoryEventStore } from '../store/InMemoryEventStore.ts';
import type { ConsoleUpdate } from './protocol.ts';
import { latin1Bytes, latin1String } from '../domain/index.ts';
import { replayTo, resolveImages, setTranslation } from './replay.ts';
import { VmHost } from './VmHost.ts';
import { resolveBuiltin } from './testing/images.ts';

const resolveImage = resolveBuiltin;

function consoleOf(host: VmHost, vmId: Parameters<VmHost['attachConsole']>[0]) {
  let text = '';
  const errors: ConsoleUpdate['error'][] = [];
  void host.attachConsole(vmId, (u) => {
    if (u.bytes) text += u.bytes;
    if (u.error) errors.push(u.error);
  });
  return { text: () => text, errors };
}

describe('running a VM in the host', () => {
  it('boots the built-in OS, records typed input and console output, and re-executes to the same state', async () => {
    const store = new InMemoryEventStore();
    const host = new VmHost(store, { resolveImage });
    const vm = await host.createVm('runner');
    const tty = consoleOf(host, vm.vmId);
    await host.execute(vm.vmId, { type: 'StartVm' });
    await expect.poll(tty.text, { timeout: 20_000 }).toMatch(/\$ $/);
    await host.sendInput(vm.vmId, new TextEncoder().encode('echo time travel\r'));
    await expect.poll(tty.text, { timeout: 20_000 }).toMatch(/time travel\r?\n[^]*\$ $/);
    await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });

    const events = await store.loadEvents(vm.vmId);
    const types = new Set(events.map((e) => e.type));
    expect(types).toContain('InputReceived');
    expect(types).toContain('IoCompleted');
    expect(types).toContain('InstructionsExecuted');
    const input = events.filter((e): e is StoredEvent<'InputReceived'> => e.type === 'InputReceived');
    expect(input.map((e) => e.data.bytes).join('')).toBe('echo time travel\r');
    const output = events.flatMap((e) => (e.type === 'IoCompleted' ? [e.data.bytes] : [])).join('');
    expect(output).toBe(tty.text());

    // Recorded effects are in icount order and the pause carries the machine's icount.
    const icounts = events.map((e) => e.icount);
    expect(icounts).toEqual([...icounts].sort((a, b) => a - b));
    const paused = events[events.length - 1];
    expect(paused.type).toBe('VmPaused');

    // Re-executing the recording gives the machine exactly as it was live.
    const live = (host as unknown as { runners: Map<string, { machine: { stateHash(): string } }> }).runners.get(vm.vmId)!;
    const state = (await host.listVms())[0].state;
    const replayed = replayTo(state.config!, await resolveImages(state.config!, resolveImage), events, paused.icount);
    expect(replayed.machine.stateHash()).toBe(live.machine.stateHash());
    host.dispose();
  });

  it('records translated blocks as HotspotDetected and CodeCompiled, and replays exactly without translation', async () => {
    const store = new InMemoryEventStore();
    const host = new VmHost(store, { resolveImage });
    const vm = await host.createVm('translated');
    const tty = consoleOf(host, vm.vmId);
    await host.execute(vm.vmId, { type: 'StartVm' });
    await expect.poll(tty.text, { timeout: 20_000 }).toMatch(/\$ $/);
    await host.sendInput(vm.vmId, new TextEncoder().encode('run primes\r'));
    await expect.poll(tty.text, { timeout: 30_000 }).toMatch(/the largest is 9973[^]*\$ $/);
    await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });
    const events = await store.loadEvents(vm.vmId);
    const compiled = events.filter((e): e is StoredEvent<'CodeCompiled'> => e.type === 'CodeCompiled');
    const hot = events.filter((e): e is StoredEvent<'HotspotDetected'> => e.type === 'HotspotDetected');
    expect(compiled.length).toBeGreaterThan(5);
    expect(hot.length).toBe(compiled.length);
    expect(compiled[0].data).toMatchObject({ tier: 'wasm-block', pc: hot[0].data.pc });
    expect(compiled[0].data.instructions).toBeGreaterThan(0);
    expect(hot[0].data.hits).toBeGreaterThan(1);

    const live = (host as unknown as { runners: Map<string, { machine: { stateHash(): string } }> }).runners.get(vm.vmId)!;
    const state = (await host.listVms())[0].state;
    const paused = events[events.length - 1];
    setTranslation(false);
    try {
      const replayed = replayTo(state.config!, await resolveImages(state.config!, resolveImage), events, paused.icount);
      expect(replayed.machine.blocksCompiled).toBe(0);
      expect(replayed.machine.stateHash()).toBe(live.machine.stateHash());
    } finally {
      setTranslation(true);
    }
    host.dispose();
  });

  it('marks a VM whose host died while running as interrupted, and resumes it where it was', async () => {
    const store = new InMemoryEventStore();
    const first = new VmHost(store, { resolveImage });
    const vm = await first.createVm('crash');
    const tty = consoleOf(first, vm.vmId);
    await first.execute(vm.vmId, { type: 'StartVm' });
    await expect.poll(tty.text, { timeout: 20_000 }).toMatch(/\$ $/);
    await first.sendInput(vm.vmId, new TextEncoder().encode('echo before\r'));
    await expect.poll(tty.text, { timeout: 20_000 }).toMatch(/before\r?\n[^]*\$ $/);
    // The "crash": the last flush happened, nothing else; a new host opens the same store.
    const runner = (first as unknown as { runners: Map<string, { flush(): Promise<void>; stop(): Promise<void> }> }).runners.get(vm.vmId)!;
    await runner.flush();
    (first as unknown as { runners: Map<string, unknown> }).runners.clear();
    void runner.stop();

    const second = new VmHost(store, { resolveImage });
    const [reopened] = await second.listVms();
    expect(reopened.state.status).toBe('paused');
    expect(reopened.state.pauseReason).toBe('interrupted');
    const seqs = (await store.loadEvents(vm.vmId)).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));

    const tty2 = consoleOf(second, vm.vmId);
    await second.execute(vm.vmId, { type: 'ResumeVm' });
    await second.sendInput(vm.vmId, new TextEncoder().encode('echo after\r'));
    await expect.poll(tty2.text, { timeout: 20_000 }).toMatch(/after\r?\n[^]*\$ $/);
    await second.execute(vm.vmId, { type: 'StopVm', reason: 'user' });
    const all = await store.loadEvents(vm.vmId);
    const typed = all.flatMap((e) => (e.type === 'InputReceived' ? [e.data.bytes] : [])).join('');
    expect(typed).toBe('echo before\recho after\r');
    expect(tty2.errors).toEqual([]);
    second.dispose();
  });

  it('records a guest poweroff as VmStopped with its exit code', async () => {
    const store = new InMemoryEventStore();
    const host = new VmHost(store, { resolveImage });
    const vm = await host.createVm('off');
    const tty = consoleOf(host, vm.vmId);
    await host.execute(vm.vmId, { type: 'StartVm' });
    await expect.poll(tty.text, { timeout: 20_000 }).toMatch(/\$ $/);
    await host.sendInput(vm.vmId, new TextEncoder().encode('poweroff\r'));
    await expect.poll(async () => (await host.listVms())[0].state.status, { timeout: 20_000 }).toBe('stopped');
    const state = (await host.listVms())[0].state;
    expect(state.stopReason).toBe('poweroff');
    expect(state.exitCode).toBe(0);
    host.dispose();
  });

  it('records traps, timer interrupts and the buggy program\'s page fault as events', async () => {
    const store = new InMemoryEventStore();
    const host = new VmHost(store, { resolveImage });
    const vm = await host.createVm('faults');
    const tty = consoleOf(host, vm.vmId);
    await host.execute(vm.vmId, { type: 'StartVm' });
    await expect.poll(tty.text, { timeout: 20_000 }).toMatch(/\$ $/);
    await host.sendInput(vm.vmId, new TextEncoder().encode('run buggy\r'));
    await expect.poll(tty.text, { timeout: 30_000 }).toMatch(/load page fault at 0x0000000000000539[^]*\$ $/);
    await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });
    const events = await store.loadEvents(vm.vmId);
    const fault = events.find((e) => e.type === 'PageFault');
    expect(fault?.data).toMatchObject({ vaddr: '0x539', access: 'load', privilege: 'U' });
    expect(events.some((e) => e.type === 'TrapTaken' && e.data.cause === 13 && !e.data.interrupt)).toBe(true);
    expect(events.some((e) => e.type === 'TrapTaken' && e.data.cause === 8)).toBe(true);
    expect(events.some((e) => e.type === 'InterruptRaised' && e.data.source === 'clint')).toBe(true);
    const icounts = events.map((e) => e.icount);
    expect(icounts).toEqual([...icounts].sort((a, b) => a - b));
    const state = (await host.listVms())[0].state;
    expect(state.counters.pageFaults).toBe(1);
    // Repeated timer interrupts within a flush are one event with a count; the counters add the counts.
    const interrupts = events.filter((e) => e.type === 'InterruptRaised');
    expect(interrupts.some((e) => e.type === 'InterruptRaised' && (e.data.count ?? 1) > 1)).toBe(true);
    expect(state.counters.interrupts).toBe(interrupts.reduce((n, e) => n + (e.type === 'InterruptRaised' ? (e.data.count ?? 1) : 0), 0));
    expect(state.counters.interrupts).toBeGreaterThan(interrupts.length);
    // The guest's first writes to RAM pages show as allocations.
    const allocated = events.filter((e) => e.type === 'MemoryAllocated');
    expect(allocated.length).toBeGreaterThan(0);
    expect(allocated.every((e) => e.type === 'MemoryAllocated' && e.data.pages > 0 && /^0x8/.test(e.data.base))).toBe(true);
    expect(state.counters.traps).toBeGreaterThan(10);
    host.dispose();
  });

  it('turns bytes into one-char-per-byte strings and back without loss', () => {
    const all = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 7) & 0xff);
    const text = latin1String(all);
    expect(text.length).toBe(all.length);
    expect(latin1Bytes(text)).toEqual(all);
  });
});
