// Two stores on one database (two tabs): a subscriber on one follows appends made through the other.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { asVmId, newEvent } from '../domain/index.ts';
import { TEST_CONFIG } from '../domain/testing/fixtures.ts';
import { IndexedDbEventStore } from './IndexedDbEventStore.ts';

describe('IndexedDbEventStore across tabs', () => {
  it('delivers events appended by another store on the same database, live, once each', async () => {
    const name = `tabs-${Date.now()}`;
    const writer = await IndexedDbEventStore.open(name);
    const follower = await IndexedDbEventStore.open(name);
    const vm = asVmId('vm-shared');
    await writer.append(vm, 'no-stream', [newEvent('VmCreated', { name: 'shared', config: TEST_CONFIG }, 0, 1)]);
    const seen: number[] = [];
    follower.subscribe(vm, 1, (events) => seen.push(...events.map((e) => e.seq)));
    await expect.poll(() => seen).toEqual([1]);
    await writer.append(vm, 1, [newEvent('VmStarted', {}, 0, 2)]);
    await writer.append(vm, 2, [newEvent('VmPaused', { reason: 'user' }, 0, 3), newEvent('VmResumed', {}, 0, 4)]);
    await expect.poll(() => seen).toEqual([1, 2, 3, 4]);
    writer.dispose();
    follower.dispose();
  });
});
