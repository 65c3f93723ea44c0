// The page's index of a stream: codes appended in order, filters, jumps, density by family, rows loaded by page.
import { describe, expect, it } from 'vitest';
import { asVmId, EVENT_TYPES, FAMILIES, type AnyStoredEvent, type EventType } from '../domain/index.ts';
import { BLOCK, CODE_OF_TYPE, ROW_PAGE, StreamIndex } from './streamIndex.ts';

const code = (t: EventType) => CODE_OF_TYPE.get(t)!;
const family = (f: string) => FAMILIES.indexOf(f as never);

function codes(n: number, pick: (seq: number) => EventType): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => code(pick(i + 1)));
}

function paused(seq: number): AnyStoredEvent {
  return { vmId: asVmId('vm-x'), seq, type: 'VmPaused', v: 1, icount: seq, at: 0, data: { reason: 'user' } } as AnyStoredEvent;
}

describe('StreamIndex', () => {
  it('refuses an update that does not continue the index', () => {
    const index = new StreamIndex(async () => []);
    index.apply({ from: 1, types: codes(3, () => 'VmStarted'), tail: [], console: null });
    expect(() => index.apply({ from: 5, types: codes(1, () => 'VmStarted'), tail: [], console: null })).toThrow(/starts at seq 5/);
  });

  it('finds the next and previous event of a type, and the seqs a family filter leaves', () => {
    const index = new StreamIndex(async () => []);
    const pick = (seq: number): EventType => (seq % 10 === 0 ? 'InputReceived' : seq % 3 === 0 ? 'VmPaused' : 'InstructionsExecuted');
    index.apply({ from: 1, types: codes(50, pick), tail: [], console: null });
    index.apply({ from: 51, types: codes(50, (s) => pick(s + 50)), tail: [], console: null });
    expect(index.head).toBe(100);
    expect(index.typeAt(30)).toBe('InputReceived');
    const input = code('InputReceived');
    expect(index.find(25, 1, input)).toBe(30);
    expect(index.find(30, -1, input)).toBe(20);
    expect(index.find(100, 1, input)).toBeNull();
    expect(index.find(90, 1, input)).toBe(100);
    expect(index.find(101, -1, input)).toBe(100);
    expect(index.find(10, -1, input)).toBeNull();
    expect(index.find(11, -1, input)).toBe(10);
    expect(index.find(5, 1, code('VmStarted'))).toBeNull();
    expect(index.find(50, -1, code('VmStarted'))).toBeNull();
    expect(index.lastOfType(input)).toBe(100);
    const { seqs, count } = index.visibleSeqs(new Set(['execution', 'device']));
    expect(Array.from(seqs.subarray(0, count))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1).filter((s) => s % 3 === 0 && s % 10 !== 0));
    const more = index.visibleSeqs(new Set(['execution', 'lifecycle']), 91, undefined, 0);
    expect(Array.from(more.seqs.subarray(0, more.count))).toEqual([100]);
  });

  it('counts events per family in equal slices of the stream, exactly for short streams and by blocks for long ones', () => {
    const short = new StreamIndex(async () => []);
    short.apply({ from: 1, types: codes(8, (s) => (s <= 4 ? 'VmStarted' : 'IoCompleted')), tail: [], console: null });
    const d = short.density(2);
    const f = FAMILIES.length;
    expect(d[0 * f + family('lifecycle')]).toBe(4);
    expect(d[1 * f + family('device')]).toBe(4);
    expect(d[0 * f + family('device')]).toBe(0);

    // One column per event: every column holds exactly one (at 102 events, (i / head) * columns slips below 31 and 62).
    const each = new StreamIndex(async () => []);
    each.apply({ from: 1, types: codes(102, () => 'TrapTaken'), tail: [], console: null });
    const perColumn = each.density(102);
    for (let c = 0; c < 102; c++) expect(perColumn[c * f + family('execution')]).toBe(1);

    const long = new StreamIndex(async () => []);
    const n = BLOCK * 40;
    long.apply({ from: 1, types: codes(n, (s) => (s <= n / 2 ? 'InstructionsExecuted' : 'TrapTaken')), tail: [], console: null });
    const counts = long.density(4);
    expect(counts[0 * f + family('execution')]).toBe(n / 4);
    expect(counts[3 * f + family('execution')]).toBe(n / 4);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
  });

  it('loads missing rows by page, once, and keeps the tail of each update', async () => {
    const asked: [number, number][] = [];
    const index = new StreamIndex(async (from, to) => {
      asked.push([from, to]);
      return Array.from({ length: to - from + 1 }, (_, i) => paused(from + i));
    });
    const head = ROW_PAGE * 2 + 10;
    index.apply({ from: 1, types: codes(head, () => 'VmPaused'), tail: [paused(head)], console: null });
    expect(index.eventAt(head)?.seq).toBe(head);
    expect(index.eventAt(3)).toBeUndefined();
    index.ensure(3, 3);
    index.ensure(4, 4);
    await new Promise((r) => setTimeout(r, 0));
    expect(asked).toEqual([[1, ROW_PAGE]]);
    expect(index.eventAt(3)?.seq).toBe(3);
    index.ensure(ROW_PAGE + 1, head);
    await new Promise((r) => setTimeout(r, 0));
    expect(asked.slice(1)).toEqual([
      [ROW_PAGE + 1, ROW_PAGE * 2],
      [ROW_PAGE * 2 + 1, head],
    ]);
  });

  it('keeps the console output as one run from its offset, and tells listeners each new piece', () => {
    const index = new StreamIndex(async () => []);
    const heard: string[] = [];
    index.onConsole((bytes, offset) => heard.push(`${offset}:${bytes}`));
    index.apply({ from: 1, types: codes(1, () => 'IoCompleted'), tail: [], console: { bytes: 'hello', offset: 100 } });
    index.apply({ from: 2, types: codes(1, () => 'IoCompleted'), tail: [], console: { bytes: ' world', offset: 105 } });
    expect(index.consoleSoFar()).toEqual({ bytes: 'hello world', offset: 100 });
    expect(heard).toEqual(['100:hello', '105: world']);
    expect(EVENT_TYPES.length).toBeLessThan(256);
  });
});
