// Following a stream as a type index: every event described once, in order, with the newest in full and the console output.
import { describe, expect, it } from 'vitest';
import { asVmId, EVENT_TYPES, newEvent, type AnyNewEvent } from '../domain/index.ts';
import { InMemoryEventStore } from '../store/InMemoryEventStore.ts';
import { FOLLOW_CONSOLE_MAX, FOLLOW_TAIL, followStream } from './followStream.ts';
import type { FollowUpdate } from './protocol.ts';
import { defaultVmConfig } from './defaultConfig.ts';

const vmId = asVmId('vm-follow');

function output(i: number, bytes: string): AnyNewEvent {
  return newEvent('IoCompleted', { device: 'uart0', direction: 'out', bytes }, i, 1000 + i);
}

describe('followStream', () => {
  it('describes every event once by its type code, keeps the newest in full, and carries the console output with its offset', async () => {
    const store = new InMemoryEventStore();
    const created = newEvent('VmCreated', { name: 'f', config: defaultVmConfig() }, 0, 1000);
    const body = Array.from({ length: 2500 }, (_, i) => (i % 2 === 0 ? output(i + 1, 'ab') : newEvent('VmPaused', { reason: 'user' }, i + 1, 1000 + i)));
    await store.append(vmId, 'no-stream', [created, ...body]);
    const updates: FollowUpdate[] = [];
    const stop = followStream(store, vmId, (u) => updates.push(u), () => Date.now());
    await expect.poll(() => updates.reduce((n, u) => n + u.types.length, 0)).toBe(2501);

    await store.append(vmId, 2501, [output(3000, 'xyz')]);
    await expect.poll(() => updates.reduce((n, u) => n + u.types.length, 0)).toBe(2502);
    stop();

    let next = 1;
    for (const u of updates) {
      expect(u.from).toBe(next);
      next += u.types.length;
      if (u.tail.length > 0) expect(u.tail.at(-1)?.seq).toBe(next - 1);
      expect(u.tail.length).toBeLessThanOrEqual(FOLLOW_TAIL);
    }
    const types = updates.flatMap((u) => Array.from(u.types, (c) => EVENT_TYPES[c]));
    expect(types[0]).toBe('VmCreated');
    expect(types[1]).toBe('IoCompleted');
    expect(types[2]).toBe('VmPaused');
    expect(types[2501]).toBe('IoCompleted');
    const last = updates.at(-1)!;
    expect(last.console).toEqual({ bytes: 'xyz', offset: 2500 });
    expect(last.state.version).toBe(2502);
  });

  it('cuts a long console history to its end and says where that end starts', async () => {
    const store = new InMemoryEventStore();
    const line = 'x'.repeat(1000);
    const count = Math.ceil(FOLLOW_CONSOLE_MAX / 1000) + 10;
    await store.append(vmId, 'no-stream', [newEvent('VmCreated', { name: 'f', config: defaultVmConfig() }, 0, 1000), ...Array.from({ length: count }, (_, i) => output(i, line))]);
    const updates: FollowUpdate[] = [];
    const stop = followStream(store, vmId, (u) => updates.push(u), () => Date.now());
    await expect.poll(() => updates.length).toBeGreaterThan(0);
    stop();
    const c = updates[0].console!;
    expect(c.bytes.length).toBe(FOLLOW_CONSOLE_MAX);
    expect(c.offset + c.bytes.length).toBe(count * 1000);
  });
});
