// The service persists before it publishes, rebuilds from history, and survives conflicts and full disks.
import { describe, expect, it } from 'vitest';
import { asVmId, type AnyStoredEvent, VmError } from '../domain/index.ts';
import { TEST_CONFIG } from '../domain/testing/fixtures.ts';
import { InMemoryEventStore } from '../store/InMemoryEventStore.ts';
import { EventDrivenVmService } from './EventDrivenVmService.ts';

const ID = asVmId('svc');
const options = { clock: () => 1_800_000_000_000, newId: (() => { let n = 0; return () => `snap-${++n}`; })() };

describe('EventDrivenVmService', () => {
  it('runs the lifecycle, appending one event per change with the expected seq', async () => {
    const store = new InMemoryEventStore();
    const service = await EventDrivenVmService.withEventStore(ID, store, options);
    await service.create('demo', TEST_CONFIG);
    await service.start();
    await service.pause();
    await service.resume();
    await service.stop();
    await service.reset();
    const types = (await store.loadEvents(ID)).map((e) => e.type).filter((t) => t.startsWith('Vm'));
    expect(types).toEqual(['VmCreated', 'VmStarted', 'VmPaused', 'VmResumed', 'VmStopped', 'VmReset']);
    expect(service.state.status).toBe('created');
    expect(service.state.version).toBe(await store.getLastSequenceNumber(ID));
  });

  it('rebuilds the same state from the stored history', async () => {
    const store = new InMemoryEventStore();
    const first = await EventDrivenVmService.withEventStore(ID, store, options);
    await first.create('demo', TEST_CONFIG);
    await first.start();
    await first.createSnapshot('before');
    await first.pause();
    const second = await EventDrivenVmService.withEventStore(ID, store, options);
    expect(second.state).toEqual(first.state);
    expect(await first.replayEvents()).toEqual(second.state);
  });

  it('publishes only after the store accepted the events', async () => {
    const store = new InMemoryEventStore();
    const service = await EventDrivenVmService.withEventStore(ID, store, options);
    const published: number[] = [];
    service.onChange((_state, events) => published.push(...events.map((e) => e.seq)));
    await service.create('demo', TEST_CONFIG);
    await service.start();
    expect(published).toEqual((await store.loadEvents(ID)).map((e) => e.seq));
  });

  it('rejects a command on an unknown VM with NotFound and writes nothing', async () => {
    const store = new InMemoryEventStore();
    const service = await EventDrivenVmService.withEventStore(asVmId('ghost'), store, options);
    await expect(service.start()).rejects.toMatchObject({ code: 'NotFound' });
    expect(await store.listVmIds()).toEqual([]);
  });

  it('keeps its state and loses nothing when the disk is full', async () => {
    const store = new InMemoryEventStore();
    const service = await EventDrivenVmService.withEventStore(ID, store, options);
    await service.create('demo', TEST_CONFIG);
    await service.start();
    const before = service.state;
    store.setQuotaBytes(0);
    const error = await service.pause().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VmError);
    expect((error as VmError).code).toBe('Quota');
    expect(service.state).toBe(before);
    store.setQuotaBytes(Infinity);
    await service.pause();
    expect(service.state.status).toBe('paused');
  });

  it('catches up after another writer appended, then decides on the real state', async () => {
    const store = new InMemoryEventStore();
    const mine = await EventDrivenVmService.withEventStore(ID, store, options);
    await mine.create('demo', TEST_CONFIG);
    await mine.start();
    const theirs = await EventDrivenVmService.withEventStore(ID, store, options);
    await theirs.pause();
    await expect(mine.pause()).rejects.toMatchObject({ code: 'Concurrency' });
    expect(mine.state.status).toBe('paused');
    await mine.resume();
    const seqs = (await store.loadEvents(ID)).map((e: AnyStoredEvent) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });
});
