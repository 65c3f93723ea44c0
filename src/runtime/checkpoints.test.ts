// Persisted checkpoints: taken while running and replaying, only changed pages stored, thinned, reopened, exported, forked, verified.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.ts';
import { InMemoryCheckpointStore, unpackPageMap, type CheckpointRecord, type CheckpointStore } from '../store/CheckpointStore.ts';
import { IndexedDbCheckpointStore } from '../store/IndexedDbCheckpointStore.ts';
import { IndexedDbEventStore } from '../store/IndexedDbEventStore.ts';
import { InMemoryEventStore } from '../store/InMemoryEventStore.ts';
import type { EventStore } from '../store/EventStore.ts';
import { thinned, DEFAULT_CHECKPOINT_POLICY, PageCache, VmCheckpoints } from './checkpoints.ts';
import { boot, REPLAY_CHUNK, replayTo, resolveImages } from './replay.ts';
import { defaultVmConfig } from './defaultConfig.ts';
import { asVmId } from '../domain/index.ts';
import { resolveBuiltin } from './testing/images.ts';
import { VmHost } from './VmHost.ts';

const resolveImage = resolveBuiltin;
const travel = { interval: 50_000, maxGap: 200_000, runInterval: 100_000, runMs: 0, density: 4, loadedMax: 4 };

/** Counts the pages each put brings, to see that only changed pages are written. */
class CountingStore extends InMemoryCheckpointStore {
  readonly putPages: number[] = [];
  /** Pages written per checkpoint: those of a batch count for its first checkpoint. */
  override async putAll(records: readonly CheckpointRecord[], pages: ReadonlyMap<string, Uint8Array>): Promise<void> {
    records.forEach((_, i) => this.putPages.push(i === 0 ? pages.size : 0));
    return super.putAll(records, pages);
  }
}

async function session(store: EventStore, checkpoints: CheckpointStore) {
  const host = new VmHost(store, { resolveImage, checkpoints, travel });
  const vm = await host.createVm('checkpointed');
  let text = '';
  await host.attachConsole(vm.vmId, (u) => (text += u.bytes ?? ''));
  await host.execute(vm.vmId, { type: 'StartVm' });
  const prompt = async (after: number) => expect.poll(() => text.length > after && /\$ $/.test(text), { timeout: 60_000 }).toBe(true);
  await prompt(0);
  for (const line of ['run mandelbrot', 'run primes', 'run sort']) {
    const before = text.length;
    await host.sendInput(vm.vmId, new TextEncoder().encode(`${line}\r`));
    await prompt(before);
  }
  await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });
  const travels = (host as unknown as { travel: Map<string, { checkpoints: { settled(): Promise<void> } }> }).travel;
  await travels.get(vm.vmId)!.checkpoints.settled();
  return { host, vmId: vm.vmId };
}

/** A session recorded in memory, and a new host on its events with no checkpoints (a reload that lost them). */
async function reopenedSession() {
  const events = new InMemoryEventStore();
  const { host, vmId } = await session(events, new InMemoryCheckpointStore());
  host.dispose();
  const reopened = new VmHost(events, { resolveImage, checkpoints: new InMemoryCheckpointStore(), travel });
  const head = (await reopened.listVms())[0].state;
  return { events, vmId, reopened, head };
}

/** Instructions machines execute while `work` runs. */
async function instructionsDuring(work: () => Promise<unknown>): Promise<number> {
  const original = Machine.prototype.run;
  let executed = 0;
  Machine.prototype.run = function (this: Machine, budget: number) {
    const result = original.call(this, budget);
    executed += result.executed;
    return result;
  };
  try {
    await work();
  } finally {
    Machine.prototype.run = original;
  }
  return executed;
}

describe('persisted checkpoints', () => {
  it('are taken by the running VM, store only the pages written since the previous one, and spare a reopened VM the replay from boot', async () => {
    const events = await IndexedDbEventStore.open(`cp-events-${Date.now()}`);
    const checkpoints = new IndexedDbCheckpointStore(events.database);
    const counting = new CountingStore();
    const { host, vmId } = await session(events, counting);
    const head = (await host.listVms())[0].state;
    expect(head.icount).toBeGreaterThan(5 * travel.runInterval);
    // The first checkpoint of the machine writes every page it has; later ones far fewer.
    expect(counting.putPages.length).toBeGreaterThanOrEqual(2);
    const [first, ...rest] = counting.putPages;
    const touched = unpackPageMap((await counting.get(vmId, (await counting.list(vmId))[0].id)).pageMap).size;
    expect(first).toBeGreaterThan(10);
    expect(Math.max(...rest)).toBeLessThan(touched);

    // The same recording in IndexedDB, its checkpoints too, and a new host (a reload) seeks near the head.
    const records = await Promise.all((await counting.list(vmId)).map((c) => counting.get(vmId, c.id)));
    const pages = await counting.getPages([...new Set(records.flatMap((r) => [...unpackPageMap(r.pageMap).values()]))]);
    for (const r of records) await checkpoints.put(r, pages);
    const reopened = new VmHost(await IndexedDbEventStore.open(`cp-events-${Date.now()}-copy`), { resolveImage, checkpoints, travel });
    const file = await new VmHost(events, { resolveImage, checkpoints: counting, travel }).exportVm(vmId);
    await reopened.importVm(file.text.split('\n').slice(0, 1 + head.version).join('\n') + '\n', 'session');
    let view: Awaited<ReturnType<VmHost['inspect']>> | undefined;
    const executed = await instructionsDuring(async () => (view = await reopened.inspect(vmId, { seq: head.version })));
    expect(executed).toBeLessThanOrEqual(travel.runInterval + travel.maxGap);
    const config = head.config!;
    const all = await events.loadEvents(vmId);
    expect(view!.machine.stateHash).toBe(replayTo(config, await resolveImages(config, resolveImage), all, head.icount).machine.stateHash());
    reopened.dispose();
    host.dispose();
  }, 120_000);

  it('export with the VM, import checked before anything is written, and fork by sharing pages', async () => {
    const events = new InMemoryEventStore();
    const checkpoints = new InMemoryCheckpointStore();
    const { host, vmId } = await session(events, checkpoints);
    const head = (await host.listVms())[0].state.version;
    const seqs = [Math.floor(head / 3), Math.floor(head / 2), head];
    const before = await Promise.all(seqs.map(async (seq) => (await host.inspect(vmId, { seq })).machine.stateHash));
    const settled = () => (host as unknown as { travel: Map<string, { checkpoints: { settled(): Promise<void> } }> }).travel.get(vmId)!.checkpoints.settled();
    // Standing at the fork's seq already, so the fork's own view there re-executes (and checkpoints) nothing.
    await host.inspect(vmId, { seq: Math.floor(head / 2) });
    await settled();
    const list = await checkpoints.list(vmId);
    expect(list.length).toBeGreaterThan(2);

    const pagesBeforeFork = (await checkpoints.pageStats()).pages;
    const fork = await host.fork(vmId, Math.floor(head / 2));
    expect((await checkpoints.list(fork.vmId)).length).toBeGreaterThan(0);
    expect((await checkpoints.pageStats()).pages).toBe(pagesBeforeFork);
    await host.deleteVm(fork.vmId);

    const file = await host.exportVm(vmId);
    const original = await host.loadEvents(vmId);
    await host.deleteVm(vmId);
    expect(await checkpoints.list(vmId)).toEqual([]);
    expect((await checkpoints.pageStats()).pages).toBe(0);

    // A page changed by one character, or a cut checkpoint section: refused, nothing written.
    const lines = file.text.split('\n');
    const pageLine = lines.findIndex((l) => l.startsWith('{"page":'));
    const damaged = [...lines];
    damaged[pageLine] = damaged[pageLine].replace(/"base64":"(.)/, (_, c: string) => `"base64":"${c === 'A' ? 'B' : 'A'}`);
    await expect(host.importVm(damaged.join('\n'), 'damaged.jsonl')).rejects.toMatchObject({ code: 'Corrupt', message: expect.stringMatching(/line \d+: page \w+ does not match its content hash/) });
    await expect(host.importVm(lines.slice(0, -3).join('\n') + '\n', 'cut.jsonl')).rejects.toMatchObject({ code: 'Corrupt', message: expect.stringMatching(/truncated/) });
    expect(await host.listVms()).toEqual([]);
    expect((await checkpoints.pageStats()).pages).toBe(0);

    const back = await host.importVm(file.text, file.fileName);
    expect(back.vmId).toBe(vmId);
    expect(await host.loadEvents(vmId)).toEqual(original);
    expect((await checkpoints.list(vmId)).map((c) => [c.icount, c.stateHash])).toEqual(list.map((c) => [c.icount, c.stateHash]));
    const after = await Promise.all(seqs.map(async (seq) => (await host.inspect(vmId, { seq })).machine.stateHash));
    expect(after).toEqual(before);
    expect(await host.verify(vmId)).toMatchObject({ ok: true });
    host.dispose();
  }, 120_000);

  it('let a view resolve the boot images once, read only events it lacks, and checkpoint only the stretch behind the point viewed', async () => {
    class CountingEvents extends InMemoryEventStore {
      reads = 0;
      override loadEvents(...args: Parameters<InMemoryEventStore['loadEvents']>) {
        this.reads++;
        return super.loadEvents(...args);
      }
    }
    const events = new CountingEvents();
    const { host, vmId } = await session(events, new InMemoryCheckpointStore());
    host.dispose();
    // Reopened with no checkpoints: a view at the head re-executes from boot.
    let resolved = 0;
    const counting: typeof resolveImage = (ref) => {
      resolved++;
      return resolveImage(ref);
    };
    const checkpoints = new InMemoryCheckpointStore();
    const reopened = new VmHost(events, { resolveImage: counting, checkpoints, travel });
    const state = (await reopened.listVms())[0].state;
    await reopened.inspect(vmId, { seq: state.version });
    const reads = events.reads;
    const third = (await reopened.inspect(vmId, { icount: Math.floor(state.icount / 3) })).icount;
    const later = (await reopened.inspect(vmId, { icount: Math.floor(state.icount / 1.5) })).icount;
    expect(events.reads).toBe(reads);
    expect(resolved).toBe(1);

    await (reopened as unknown as { travel: Map<string, { checkpoints: { settled(): Promise<void> } }> }).travel.get(vmId)!.checkpoints.settled();
    const taken = (await checkpoints.list(vmId)).map((c) => c.icount);
    expect(taken.length).toBeGreaterThan(0);
    // Behind each point viewed, and nowhere else: not along the re-execution from boot to the head.
    const behind = (icount: number) => [third, later, state.icount].some((at) => icount <= at && icount >= at - 2 * travel.interval);
    expect(later - third).toBeGreaterThan(4 * travel.interval);
    expect(state.icount - later).toBeGreaterThan(4 * travel.interval);
    expect(taken.filter((icount) => !behind(icount))).toEqual([]);
    reopened.dispose();
  }, 120_000);

  it('let a step back restore the checkpoint the view before it took, stored or not yet', async () => {
    const { vmId, reopened, head: state } = await reopenedSession();
    // Replay checkpoints between run chunks: the re-execution from boot to here passes one at REPLAY_CHUNK.
    const at = REPLAY_CHUNK + travel.interval;
    expect(state.icount).toBeGreaterThan(at);
    await reopened.inspect(vmId, { icount: at });
    // At once, while storing waits for the scrubbing to pause: from the checkpoint just behind, not from boot.
    const executed = await instructionsDuring(() => reopened.inspect(vmId, { icount: at - 1 }));
    expect(executed).toBeLessThan(at / 4);
    reopened.dispose();
  }, 120_000);

  it('let a view before the first checkpoint put the machine already made back to its boot state, exactly', async () => {
    const { events, vmId, reopened, head } = await reopenedSession();
    const config = head.config!;
    const images = await resolveImages(config, resolveImage);
    const all = await events.loadEvents(vmId);
    // Far into history first: the view there leaves checkpoints only behind it, none near boot.
    await reopened.inspect(vmId, { icount: Math.floor(head.icount / 2) });
    const restores: number[] = [];
    const original = Machine.prototype.restore;
    Machine.prototype.restore = function (this: Machine, s) {
      restores.push(s.cpu.scalars[2]);
      return original.call(this, s);
    };
    try {
      for (const icount of [travel.interval / 2, 10, 0]) {
        const view = await reopened.inspect(vmId, { icount });
        expect(view.machine.stateHash).toBe(replayTo(config, images, all, icount).machine.stateHash());
      }
    } finally {
      Machine.prototype.restore = original;
    }
    // Each of them restored the boot state (icount 0) into the replayer's machine instead of booting a new one.
    expect(restores).toEqual([0, 0, 0]);
    reopened.dispose();
  }, 120_000);

  it("let a view of a VM whose machine is here take in that machine's translated blocks, and land exactly", async () => {
    const events = new InMemoryEventStore();
    const { host, vmId } = await session(events, new InMemoryCheckpointStore());
    const head = (await host.listVms())[0].state;
    const taken: number[] = [];
    const original = Machine.prototype.adoptBlocks;
    Machine.prototype.adoptBlocks = function (this: Machine, other) {
      const n = original.call(this, other);
      taken.push(n);
      return n;
    };
    try {
      const config = head.config!;
      const images = await resolveImages(config, resolveImage);
      const all = await events.loadEvents(vmId);
      for (const icount of [Math.floor(head.icount / 2), Math.floor(head.icount / 3), head.icount]) {
        const view = await host.inspect(vmId, { icount });
        expect(view.machine.stateHash).toBe(replayTo(config, images, all, icount).machine.stateHash());
      }
    } finally {
      Machine.prototype.adoptBlocks = original;
    }
    // Once, by the replayer's machine when it was made: the views after it restored into that machine.
    expect(taken).toHaveLength(1);
    expect(taken[0]).toBeGreaterThan(20);
    host.dispose();
  }, 120_000);

  it('make verify name a checkpoint whose recorded state hash the replay does not reach', async () => {
    const checkpoints = new InMemoryCheckpointStore();
    const { host, vmId } = await session(new InMemoryEventStore(), checkpoints);
    // Travelling to the middle replays from boot and takes checkpoints on the way.
    await host.inspect(vmId, { seq: Math.floor((await host.listVms())[0].state.version / 2) });
    const clean = await host.verify(vmId);
    expect(clean.ok).toBe(true);
    const list = await checkpoints.list(vmId);
    const victim = await checkpoints.get(vmId, list[1].id);
    await checkpoints.put({ ...victim, stateHash: '0123456789abcdef' }, new Map());
    const fresh = new VmHost((host as unknown as { store: EventStore }).store, { resolveImage, checkpoints, travel });
    const result = await fresh.verify(vmId);
    expect(result.ok).toBe(false);
    expect(result.divergence).toMatchObject({ seq: victim.seq, type: 'Checkpoint', expected: expect.stringContaining('0123456789abcdef') });
    host.dispose();
    fresh.dispose();
  }, 120_000);
});

describe('checkpoint spacing', () => {
  const policy = { ...DEFAULT_CHECKPOINT_POLICY, interval: 10, density: 4, maxGap: 80 };
  const every = (n: number, step: number) => Array.from({ length: n }, (_, i) => ({ id: String(i * step), icount: i * step }));

  it('keeps every checkpoint near the head and the scrubber, fewer further back, none farther apart than maxGap', () => {
    const entries = every(200, 10);
    const drop = new Set(thinned(entries, [1990, 1000], policy));
    const kept = entries.filter((e) => !drop.has(e.id)).map((e) => e.icount);
    for (const near of [1990, 1980, 1970, 1000, 990, 1010]) expect(kept).toContain(near);
    const gaps = kept.slice(1).map((k, i) => k - kept[i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(80 * 1.1);
    expect(kept.filter((k) => k < 500).length).toBeLessThan(50 / 2);
    expect(kept.length).toBeLessThan(entries.length / 2);
  });

  it('thins history taken one checkpoint at a time as the head moves on, never leaving a hole beyond maxGap', () => {
    let kept: { id: string; icount: number }[] = [];
    for (let i = 1; i <= 300; i++) {
      kept.push({ id: String(i), icount: i * 10 });
      const drop = new Set(thinned(kept, [i * 10], policy));
      kept = kept.filter((e) => !drop.has(e.id));
    }
    const gaps = kept.slice(1).map((k, i) => k.icount - kept[i].icount);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(80 * 1.1);
    expect(kept.length).toBeLessThan(300 / 4);
    expect(kept.length).toBeGreaterThan(3000 / 88);
    expect(kept.slice(-3).map((e) => e.icount)).toEqual([2980, 2990, 3000]);
  });

  it('is stable: thinning what it kept drops nothing more', () => {
    const entries = every(300, 10);
    const drop = new Set(thinned(entries, [2990], policy));
    const kept = entries.filter((e) => !drop.has(e.id));
    expect(thinned(kept, [2990], policy)).toEqual([]);
  });

  it('holds storing back while checkpoints are being loaded (a scrubber dragged), and stores once loading pauses', async () => {
    const store = new CountingStore();
    const checkpoints = new VmCheckpoints(asVmId('vm-quiet'), store, new PageCache(), DEFAULT_CHECKPOINT_POLICY);
    await checkpoints.init();
    const config = defaultVmConfig({ name: 'os.elf', builtin: true });
    const { machine } = boot(config, await resolveImages(config, resolveImage), 0);
    const at = (icount: number) => ({ icount, appliedSeq: 1, base: 0, outputCount: 0, snapshot: machine.snapshot() });
    checkpoints.capture(machine, at(0), true);
    await checkpoints.settled();
    expect(store.putPages).toHaveLength(1);
    await checkpoints.load(checkpoints.list()[0]);
    machine.run(10_000);
    checkpoints.capture(machine, at(10_000), true);
    // Stored within a few ms when nothing is being loaded; held back for 300 ms after a load.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.putPages).toHaveLength(1);
    await checkpoints.settled();
    expect(store.putPages).toHaveLength(2);
    expect(checkpoints.list().map((c) => c.icount)).toEqual([0, 10_000]);
  });

  it('neither copies a page written back to the bytes it had at the previous checkpoint nor stores a content stored before', async () => {
    const store = new CountingStore();
    // Spaced so that thinning keeps every one.
    const checkpoints = new VmCheckpoints(asVmId('vm-pages'), store, new PageCache(), { ...DEFAULT_CHECKPOINT_POLICY, interval: 1, maxGap: 1 });
    await checkpoints.init();
    const config = defaultVmConfig({ name: 'os.elf', builtin: true });
    const { machine } = boot(config, await resolveImages(config, resolveImage), 0);
    const pa = machine.ram.base + 0x40_0000;
    const at = (icount: number) => ({ icount, base: 0, outputCount: 0, snapshot: machine.snapshot(false) });
    const take = async (icount: number) => {
      const prepared = checkpoints.prepare(machine, at(icount));
      checkpoints.commit(prepared, 1, false);
      await checkpoints.settled();
      return prepared.copies.length;
    };
    machine.ram.writeBytes(pa, new Uint8Array(4096).fill(1));
    expect(await take(10)).toBeGreaterThan(1); // the first: every page
    machine.ram.writeBytes(pa, new Uint8Array(4096).fill(2));
    expect(await take(20)).toBe(1);
    expect(store.putPages.at(-1)).toBe(1);
    // Back to the first content: copied and hashed (it differs from the last copy), not stored again.
    machine.ram.writeBytes(pa, new Uint8Array(4096).fill(1));
    expect(await take(30)).toBe(1);
    expect(store.putPages.at(-1)).toBe(0);
    // Written with the bytes it already had: not even copied.
    machine.ram.writeBytes(pa, new Uint8Array(4096).fill(1));
    expect(await take(40)).toBe(0);
    const list = checkpoints.list();
    expect(list).toHaveLength(4);
    // Every one restores with the page as it was.
    const page = async (i: number) => (await checkpoints.load(list[i]))!.snapshot.pages.get((pa - machine.ram.base) / 4096)![0];
    expect([await page(0), await page(1), await page(2), await page(3)]).toEqual([1, 2, 1, 1]);
  });

  it('keeps a page map in memory only with the full state it belongs to, and sets a restored machine up from it', async () => {
    const checkpoints = new VmCheckpoints(asVmId('vm-maps'), new InMemoryCheckpointStore(), new PageCache(), { ...DEFAULT_CHECKPOINT_POLICY, interval: 1, maxGap: 1, loadedMax: 1 });
    await checkpoints.init();
    const config = defaultVmConfig({ name: 'os.elf', builtin: true });
    const images = await resolveImages(config, resolveImage);
    const { machine } = boot(config, images, 0);
    const at = (m: typeof machine, icount: number) => ({ icount, base: 0, outputCount: 0, snapshot: m.snapshot(false) });
    const entries = () => (checkpoints as unknown as { entries: { map?: Map<number, string> }[] }).entries;
    for (let i = 1; i <= 3; i++) {
      machine.run(100_000);
      checkpoints.commit(checkpoints.prepare(machine, at(machine, machine.icount)), i, false);
    }
    await checkpoints.settled();
    expect(entries()).toHaveLength(3);
    expect(entries().every((e) => e.map === undefined)).toBe(true);

    const list = checkpoints.list();
    const cp = (await checkpoints.load(list[0]))!;
    expect(entries()[0].map?.size).toBe(list[0].pages);
    // Restored with the checkpoint's map, the machine's next checkpoint takes only the page written since.
    const { machine: other } = boot(config, images, 0);
    other.restore(cp.snapshot);
    checkpoints.restored(other, cp);
    other.ram.writeBytes(other.ram.base + 0x40_0000, new Uint8Array(4096).fill(9));
    expect(checkpoints.prepare(other, at(other, other.icount)).copies).toHaveLength(1);
    // Another load pushes the first out (loadedMax 1): its state and its map go together.
    await checkpoints.load(list[1]);
    expect(entries()[0].map).toBeUndefined();
    expect(entries()[1].map?.size).toBe(list[1].pages);
  });

  it('spaces head checkpoints by instructions and by running time, and places a prepared one at the seq it is given', async () => {
    let now = 0;
    const store = new InMemoryCheckpointStore();
    const vmId = asVmId('vm-spacing');
    const checkpoints = new VmCheckpoints(vmId, store, new PageCache(), { ...DEFAULT_CHECKPOINT_POLICY, runInterval: 1000, runMs: 20 }, () => now);
    await checkpoints.init();
    const config = defaultVmConfig({ name: 'os.elf', builtin: true });
    const { machine } = boot(config, await resolveImages(config, resolveImage), 0);
    const head = (icount: number) => checkpoints.prepareHead(machine, { icount, base: 0, outputCount: 0 });

    const first = head(0);
    expect(first).not.toBeNull();
    checkpoints.commit(first!, 7, false);
    now = 19;
    expect(checkpoints.headDue(5000)).toBe(false); // instructions enough, not time
    now = 25;
    expect(checkpoints.headDue(500)).toBe(false); // time enough, not instructions
    expect(checkpoints.headDue(1000)).toBe(true);
    machine.run(1000);
    const second = head(1000);
    expect(head(1000)).toBeNull(); // just taken: the next one is 20 ms away
    // The machine may run on before the seq is known; the checkpoint holds the state it was prepared with.
    const hash = machine.stateHash();
    machine.run(5000);
    checkpoints.commit(second!, 12, false);
    await checkpoints.settled();
    const list = checkpoints.list();
    expect(list.map((c) => [c.icount, c.seq])).toEqual([
      [0, 7],
      [1000, 12],
    ]);
    expect(list[1].stateHash).toBe(hash);
    expect((await checkpoints.load(list[1]))!.snapshot.cpu.scalars).toEqual(second!.cp.snapshot.cpu.scalars);
  });
});
