// Coalescing pushes to the UI: the first at once, the rest at most one per interval, nothing lost.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalescer } from './coalesce.ts';

describe('coalescer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('flushes at once after a quiet moment, then at most once per interval', () => {
    const flushed: number[] = [];
    const updates = coalescer(() => flushed.push(Date.now()), () => Date.now(), 100);
    const start = Date.now();
    updates.poke();
    vi.advanceTimersByTime(0);
    expect(flushed).toEqual([start]);
    // A steady flow of changes, one every 10 ms for half a second.
    for (let i = 0; i < 50; i++) {
      vi.advanceTimersByTime(10);
      updates.poke();
    }
    vi.advanceTimersByTime(200);
    const gaps = flushed.slice(1).map((t, i) => t - flushed[i]!);
    expect(flushed.length).toBeGreaterThanOrEqual(5);
    expect(flushed.length).toBeLessThanOrEqual(7);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
    // The last change was flushed: nothing waits.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs a pending flush on demand, and drops it on cancel', () => {
    let count = 0;
    const updates = coalescer(() => count++, () => Date.now(), 100);
    updates.poke();
    vi.advanceTimersByTime(0);
    updates.poke();
    updates.flushNow();
    expect(count).toBe(2);
    updates.flushNow();
    expect(count).toBe(2);
    updates.poke();
    updates.cancel();
    vi.advanceTimersByTime(500);
    expect(count).toBe(2);
  });
});
