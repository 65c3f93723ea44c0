// Travelling in a recorded session: any seq rebuilt by re-execution equals the live machine there.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../domain/testing/fixtures.ts';
import { InMemoryEventStore } from '../store/InMemoryEventStore.ts';
import { replayTo, resolveImages } from './replay.ts';
import { VmHost } from './VmHost.ts';
import { resolveBuiltin } from './testing/images.ts';
import { verifyStream } from './verify.ts';

const resolveImage = resolveBuiltin;

async function recordSession() {
  const store = new InMemoryEventStore();
  // Checkpoints every 300k instructions, so seeks and searches here start from them.
  const host = new VmHost(store, { resolveImage, travel: { interval: 300_000, maxGap: 1_200_000, runInterval: 1_000_000, runMs: 0, loadedMax: 8 } });
  const vm = await host.createVm('travel');
  let text = '';
  await host.attachConsole(vm.vmId, (u) => (text += u.bytes ?? ''));
  await host.execute(vm.vmId, { type: 'StartVm' });
  const waitPrompt = async (after: number) => expect.poll(() => text.length > after && /\$ $/.test(text), { timeout: 30_000 }).toBe(true);
  await waitPrompt(0);
  for (const line of ['echo one', 'run primes', 'echo two']) {
    const before = text.length;
    await host.sendInput(vm.vmId, new TextEncoder().encode(`${line}\r`));
    await waitPrompt(before);
  }
  await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });
  const live = (host as unknown as { runners: Map<string, { machine: { stateHash(): string } }> }).runners.get(vm.vmId)!.machine;
  return { store, host, vmId: vm.vmId, liveHash: live.stateHash(), text };
}

describe('inspect (seek by re-execution)', () => {
  it('rebuilds the head exactly as the live machine, with its console text', async () => {
    const { host, vmId, liveHash, text } = await recordSession();
    const head = (await host.listVms())[0].state.version;
    const view = await host.inspect(vmId, { seq: head });
    expect(view.machine.stateHash).toBe(liveHash);
    expect(view.console).toBe(text);
    expect(view.state.status).toBe('paused');
    host.dispose();
  });

  it('gives, for 50 random seqs in any order, the hash of a full replay from the start', async () => {
    const { store, host, vmId } = await recordSession();
    const events = await store.loadEvents(vmId);
    const config = events[0].type === 'VmCreated' ? events[0].data.config : undefined;
    const images = await resolveImages(config!, resolveImage);
    const random = seededRandom(5);
    const travel = (host as unknown as { travel: Map<string, { checkpointCount: number }> }).travel;
    for (let i = 0; i < 50; i++) {
      const seq = 1 + Math.floor(random() * events.length);
      const view = await host.inspect(vmId, { seq });
      const reference = replayTo(config!, images, events.slice(0, seq), events[seq - 1].icount);
      expect(view.machine.stateHash, `seq ${seq}`).toBe(reference.machine.stateHash());
      expect(view.icount).toBe(events[seq - 1].icount);
    }
    expect(travel.get(vmId)!.checkpointCount).toBeGreaterThanOrEqual(2);
    host.dispose();
  }, 120_000);

  it('steps one instruction back to the previous pc', async () => {
    const { host, vmId } = await recordSession();
    const head = await host.inspect(vmId, { seq: (await host.listVms())[0].state.version });
    const target = Math.floor(head.icount / 2);
    const at = await host.inspect(vmId, { icount: target });
    const next = await host.inspect(vmId, { icount: target + 1 });
    const back = await host.inspect(vmId, { icount: target });
    expect(back.machine.stateHash).toBe(at.machine.stateHash);
    expect(back.machine.pc).toBe(at.machine.pc);
    expect(next.icount).toBe(target + 1);
    expect(at.machine.code[0]).toMatchObject({ address: at.machine.pc, current: true });
    expect(at.machine.code[0].text.length).toBeGreaterThan(2);
    host.dispose();
  }, 120_000);
});

describe('breakpoints over recorded history', () => {
  it('continue and reverse-continue land on the breakpoint pc, at the next and previous hits', async () => {
    const { host, vmId } = await recordSession();
    const putc = '0x80000130'; // console_putc in public/guests/os.elf (riscv64-unknown-elf-nm)
    const head = (await host.listVms())[0].state.version;
    const middle = await host.inspect(vmId, { seq: Math.floor(head / 2) });
    const next = await host.findBreakpoint(vmId, [putc], { icount: middle.icount }, 'forward');
    expect(next).not.toBeNull();
    expect(next!.machine.pc).toBe(putc);
    expect(next!.icount).toBeGreaterThan(middle.icount);
    const after = await host.findBreakpoint(vmId, [putc], { icount: next!.icount }, 'forward');
    expect(after!.icount).toBeGreaterThan(next!.icount);
    const back = await host.findBreakpoint(vmId, [putc], { icount: after!.icount }, 'backward');
    expect(back!.icount).toBe(next!.icount);
    expect(back!.machine.pc).toBe(putc);
    const nowhere = await host.findBreakpoint(vmId, ['0x80001bee'] /* panic: never called */, { icount: 0 }, 'forward');
    expect(nowhere).toBeNull();
    host.dispose();
  }, 120_000);
});

describe('fork', () => {
  it('gives a new VM in the state of the original at that seq, which then goes its own way', async () => {
    const { store, host, vmId } = await recordSession();
    const head = (await host.listVms()).find((v) => v.vmId === vmId)!.state.version;
    const seq = Math.floor(head / 2);
    const original = await host.inspect(vmId, { seq });
    const fork = await host.fork(vmId, seq);
    expect(fork.state.forkedFrom).toEqual({ vmId, seq });
    expect(fork.state.status).toBe('paused');
    const forkHead = fork.state.version;
    const view = await host.inspect(fork.vmId, { seq: seq });
    expect(view.machine.stateHash).toBe(original.machine.stateHash);
    expect(view.console).toBe(original.console);
    expect(forkHead).toBeGreaterThanOrEqual(seq);

    let text = '';
    await host.attachConsole(fork.vmId, (u) => (text += u.bytes ?? ''));
    await host.execute(fork.vmId, { type: 'ResumeVm' });
    await host.sendInput(fork.vmId, new TextEncoder().encode('echo only in the fork\r'));
    await expect.poll(() => text, { timeout: 20_000 }).toContain('only in the fork');
    await host.execute(fork.vmId, { type: 'PauseVm', reason: 'user' });
    const originalEvents = await store.loadEvents(vmId);
    expect(originalEvents).toHaveLength(head);
    expect(originalEvents.some((e) => e.type === 'InputReceived' && e.data.bytes.includes('fork'))).toBe(false);
    await expect(host.fork(vmId, head + 1)).rejects.toMatchObject({ code: 'Validation' });
    host.dispose();
  }, 120_000);
});

describe('snapshots', () => {
  it('restore puts the machine back where the snapshot was, history goes on, and replay stays exact', async () => {
    const store = new InMemoryEventStore();
    const host = new VmHost(store, { resolveImage });
    const vm = await host.createVm('snapshots');
    let text = '';
    await host.attachConsole(vm.vmId, (u) => (text += u.bytes ?? ''));
    const type = async (line: string) => {
      const before = text.length;
      await host.sendInput(vm.vmId, new TextEncoder().encode(`${line}\r`));
      await expect.poll(() => text.length > before && /\$ $/.test(text), { timeout: 30_000 }).toBe(true);
    };
    await host.execute(vm.vmId, { type: 'StartVm' });
    await expect.poll(() => /\$ $/.test(text), { timeout: 30_000 }).toBe(true);
    await type('echo one');
    const withSnapshot = await host.createSnapshot(vm.vmId, 'after one');
    const snapshot = withSnapshot.state.snapshots[0];
    expect(snapshot.name).toBe('after one');
    const atSnapshot = await host.inspect(vm.vmId, { seq: snapshot.seq });
    await type('echo two');
    await host.execute(vm.vmId, { type: 'RestoreSnapshot', id: snapshot.id });
    await type('echo three');
    await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });

    const events = await store.loadEvents(vm.vmId);
    const restored = events.find((e) => e.type === 'SnapshotRestored')!;
    const afterRestore = await host.inspect(vm.vmId, { seq: restored.seq });
    // The machine after the restore is the machine of the snapshot, whatever happened in between.
    expect(afterRestore.machine.registers).toEqual(atSnapshot.machine.registers);
    expect(afterRestore.machine.pc).toBe(atSnapshot.machine.pc);
    const live = (host as unknown as { runners: Map<string, { machine: { stateHash(): string } }> }).runners.get(vm.vmId)!.machine;
    const end = await host.inspect(vm.vmId, { seq: events.length });
    expect(end.machine.stateHash).toBe(live.stateHash());
    const icounts = events.map((e) => e.icount);
    expect(icounts).toEqual([...icounts].sort((a, b) => a - b));
    host.dispose();
  }, 120_000);
});

describe('verify', () => {
  it('passes on a recording, and names the first diverging effect when one input byte is changed', async () => {
    const { store, host, vmId } = await recordSession();
    const clean = await host.verify(vmId);
    expect(clean).toMatchObject({ ok: true, divergence: null });
    expect(clean.checked).toBeGreaterThan(4);

    const events = await store.loadEvents(vmId);
    const input = events.find((e) => e.type === 'InputReceived' && e.data.bytes === 'echo one\r')!;
    const tampered = events.map((e) => (e.seq === input.seq ? ({ ...e, data: { ...e.data, bytes: 'echo onE\r' } } as typeof e) : e));
    const config = events[0].type === 'VmCreated' ? events[0].data.config : undefined;
    const result = verifyStream(config!, await resolveImages(config!, resolveImage), tampered);
    const firstOutputAfter = events.find((e) => e.seq > input.seq && e.type === 'IoCompleted')!;
    expect(result.ok).toBe(false);
    expect(result.divergence).toMatchObject({ seq: firstOutputAfter.seq, type: 'IoCompleted' });
    expect(result.divergence!.actual).toContain('onE');
    host.dispose();
  }, 120_000);
});

describe('the buggy program walk-through (guests/README.md)', () => {
  it('a write watchpoint on board.leader and reverse-continue land on the culprit store in set_bonus', async () => {
    const store = new InMemoryEventStore();
    const host = new VmHost(store, { resolveImage, travel: { interval: 300_000 } });
    const vm = await host.createVm('buggy');
    let text = '';
    await host.attachConsole(vm.vmId, (u) => (text += u.bytes ?? ''));
    await host.execute(vm.vmId, { type: 'StartVm' });
    await expect.poll(() => /\$ $/.test(text), { timeout: 30_000 }).toBe(true);
    await host.sendInput(vm.vmId, new TextEncoder().encode('run buggy\r'));
    await expect.poll(() => /killed[^]*\$ $/.test(text), { timeout: 30_000 }).toBe(true);
    await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });
    const fault = (await store.loadEvents(vm.vmId)).find((e) => e.type === 'PageFault')!;
    expect(fault.data).toMatchObject({ vaddr: '0x539', access: 'load' });

    // board+0x40 of buggy.elf: virtual 0x12148, physical 0x80027148 after a fresh boot (run -v buggy).
    const watch = [{ pa: '0x80027148', length: 8 }];
    const culprit = await host.findBreakpoint(vm.vmId, [], { seq: fault.seq }, 'backward', watch, '0x80027140');
    expect(culprit).not.toBeNull();
    expect(culprit!.machine.pc).toBe('0x10800'); // set_bonus+4: sd a2,0(a0)
    expect(culprit!.machine.code[0].text).toMatch(/^sd\s+a2,0\(a0\)/);
    expect(culprit!.machine.registers[12]).toBe('0000000000000539'); // a2 = 1337
    // The console of that very instruction: the bonus line is out, the crash has not happened yet.
    expect(culprit!.console.trimEnd().split('\n').at(-1)).toContain('bonus of 1337 for zed (slot 8)');
    expect(culprit!.console).not.toContain('killed');
    expect(culprit!.machine.memory?.address).toBe('0x80027140');

    const earlier = await host.findBreakpoint(vm.vmId, [], { icount: culprit!.icount }, 'backward', watch);
    expect(earlier!.machine.pc).toBe('0x107b8'); // elect_leader: the legitimate store
    const again = await host.findBreakpoint(vm.vmId, [], { icount: earlier!.icount }, 'forward', watch);
    expect(again!.icount).toBe(culprit!.icount);
    host.dispose();
  }, 120_000);
});
