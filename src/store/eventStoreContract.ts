// The one contract every EventStore must meet; run unchanged against each implementation and runtime.
import { describe, expect, it } from 'vitest';
import { asVmId, ConcurrencyError, newEvent, type AnyNewEvent, type RawEvent, type VmId, VmError } from '../domain/index.ts';
import { READ_PAGE, type EventStore } from './EventStore.ts';
import { exportStream, importStream, parseStreamFile } from './streamFile.ts';

/** What a target supplies: a fresh empty store, and ways to provoke what cannot be provoked through the API. */
export interface ContractTarget {
  create(): Promise<EventStore>;
  /** Makes the next write fail as a full disk would (QuotaExceededError), until `restoreQuota`. */
  exhaustQuota(store: EventStore): void;
  restoreQuota(store: EventStore): void;
  /** Writes records exactly as given (older schema versions included), bypassing validation. */
  seedRaw(store: EventStore, records: readonly RawEvent[]): Promise<void>;
}

const T0 = 1_800_000_000_000;
const CONFIG = { memoryMiB: 64, isa: 'rv64imac_zicsr_zifencei', bootImage: { name: 'test' }, devices: [] };

function created(name = 'vm'): AnyNewEvent {
  return newEvent('VmCreated', { name, config: CONFIG }, 0, T0);
}

/** n events of varied types and increasing times and icounts. */
function batch(n: number, startIcount = 0): AnyNewEvent[] {
  const out: AnyNewEvent[] = [];
  for (let i = 0; i < n; i++) {
    const icount = startIcount + i * 100;
    const at = T0 + startIcount + i;
    if (i % 3 === 0) out.push(newEvent('InstructionsExecuted', { fromIcount: icount, count: 100, pcStart: '0x80000000', pcEnd: '0x80000100' }, icount + 100, at));
    else if (i % 3 === 1) out.push(newEvent('IoCompleted', { device: 'uart0', direction: 'out', bytes: `line ${i}\r\n` }, icount, at));
    else out.push(newEvent('TrapTaken', { cause: 8, interrupt: false, tval: '0x0', pc: '0x80001000', from: 'U', to: 'S' }, icount, at));
  }
  return out;
}

async function errorOf(promise: Promise<unknown>): Promise<VmError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(VmError);
    return e as VmError;
  }
  throw new Error('expected the operation to fail');
}

export function eventStoreContract(name: string, target: ContractTarget): void {
  const A: VmId = asVmId('vm-a');
  const B: VmId = asVmId('vm-b');

  describe(`EventStore contract: ${name}`, () => {
    it('appends a batch to a new stream and reads it back with seqs from 1', async () => {
      const store = await target.create();
      const events = [created(), ...batch(4)];
      expect(await store.append(A, 'no-stream', events)).toEqual({ firstSeq: 1, lastSeq: 5 });
      const loaded = await store.loadEvents(A);
      expect(loaded.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(loaded.map(({ type, v, icount, at, data }) => ({ type, v, icount, at, data }))).toEqual(events);
      expect(loaded.every((e) => e.vmId === A)).toBe(true);
      expect(await store.getLastSequenceNumber(A)).toBe(5);
      expect(await store.getEventCount(A)).toBe(5);
      const info = await store.getStreamInfo(A);
      expect(info).toMatchObject({ vmId: A, head: 5, count: 5, firstAt: T0 });
      expect(info!.bytes).toBeGreaterThan(100);
      store.dispose();
    });

    it('reads and queries streams of many one-event appends, whatever their number, from any seq', async () => {
      // One record per append in IndexedDB, read a bounded page of records at a time: a stream whose
      // last page ended on its last event once made the next read ask for an empty key range.
      const store = await target.create();
      await store.append(A, 'no-stream', [created()]);
      for (let n = 2; n <= 130; n++) {
        await store.append(A, n - 1, batch(1, n * 1000));
        if (n === 64 || n === 65 || n === 128 || n === 129) {
          expect((await store.loadEvents(A)).map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          expect((await store.loadEvents(A, 2, n)).length).toBe(n - 1);
          expect((await store.loadEvents(A, n, n)).map((e) => e.seq)).toEqual([n]);
          for (const direction of ['forward', 'backward'] as const) {
            expect(await store.query({ vmId: A, types: ['InstructionsExecuted'], direction })).toHaveLength(n - 1);
            expect(await store.query({ vmId: A, fromTime: T0, direction })).toHaveLength(n);
            expect(await store.query({ vmId: A, fromSeq: 2, toSeq: n, fromTime: T0, direction })).toHaveLength(n - 1);
          }
        }
      }
      store.dispose();
    });

    it('appends after the head it was told, and refuses a wrong expectation without writing', async () => {
      const store = await target.create();
      await store.append(A, 'no-stream', [created()]);
      expect(await store.append(A, 1, batch(2))).toEqual({ firstSeq: 2, lastSeq: 3 });
      const stale = await errorOf(store.append(A, 1, batch(1)));
      expect(stale).toBeInstanceOf(ConcurrencyError);
      expect(stale.code).toBe('Concurrency');
      expect(stale.message).toContain('stream is at seq 3');
      expect((await errorOf(store.append(A, 'no-stream', batch(1)))).code).toBe('Concurrency');
      expect((await errorOf(store.append(B, 4, batch(1)))).code).toBe('Concurrency');
      expect(await store.getLastSequenceNumber(A)).toBe(3);
      expect(await store.getLastSequenceNumber(B)).toBe(0);
      expect(await store.append(A, 'any', batch(1))).toEqual({ firstSeq: 4, lastSeq: 4 });
      store.dispose();
    });

    it('lets exactly one of two racing appends with the same expectation win, leaving no gap or duplicate', async () => {
      const store = await target.create();
      await store.append(A, 'no-stream', [created()]);
      for (let round = 0; round < 5; round++) {
        const head = await store.getLastSequenceNumber(A);
        const results = await Promise.allSettled([store.append(A, head, batch(3)), store.append(A, head, batch(2))]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0].reason).toBeInstanceOf(ConcurrencyError);
      }
      const seqs = (await store.loadEvents(A)).map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      expect(await store.getEventCount(A)).toBe(seqs.length);
      store.dispose();
    });

    it('writes nothing of a batch with one invalid event in the middle, and names it', async () => {
      const store = await target.create();
      await store.append(A, 'no-stream', [created()]);
      const bad = [...batch(2), { ...batch(1)[0], icount: -5 } as AnyNewEvent, ...batch(2)];
      const error = await errorOf(store.append(A, 1, bad));
      expect(error.code).toBe('Validation');
      expect(error.message).toMatch(/Event 3 of 5 .* icount -5/);
      expect(await store.getLastSequenceNumber(A)).toBe(1);
      expect(await store.loadEvents(A)).toHaveLength(1);
      store.dispose();
    });

    it('refuses events of unknown type or with malformed data', async () => {
      const store = await target.create();
      const unknown = { type: 'VmExploded', v: 1, icount: 0, at: T0, data: {} } as unknown as AnyNewEvent;
      expect((await errorOf(store.append(A, 'no-stream', [unknown]))).message).toMatch(/unknown type 'VmExploded'/);
      const noName = { ...created(), data: { config: CONFIG } } as unknown as AnyNewEvent;
      expect((await errorOf(store.append(A, 'no-stream', [noName]))).message).toMatch(/data\.name/);
      expect(await store.listVmIds()).toEqual([]);
      store.dispose();
    });

    it('reports a full disk as a Quota error, writes nothing of the batch and keeps what was there', async () => {
      const store = await target.create();
      await store.append(A, 'no-stream', [created(), ...batch(3)]);
      target.exhaustQuota(store);
      const error = await errorOf(store.append(A, 4, batch(2500)));
      target.restoreQuota(store);
      expect(error.code).toBe('Quota');
      expect(error.message).toMatch(/Storage is full.*Nothing of this batch was written/);
      expect(await store.getLastSequenceNumber(A)).toBe(4);
      expect(await store.loadEvents(A)).toHaveLength(4);
      expect(await store.append(A, 4, batch(2))).toEqual({ firstSeq: 5, lastSeq: 6 });
      store.dispose();
    });

    it('loads inclusive ranges across read pages', async () => {
      const store = await target.create();
      const total = READ_PAGE * 2 + 17;
      await store.append(A, 'no-stream', [created(), ...batch(total - 1)]);
      const all = await store.loadEvents(A);
      expect(all).toHaveLength(total);
      expect(all[total - 1].seq).toBe(total);
      const middle = await store.loadEvents(A, READ_PAGE - 5, READ_PAGE + 5);
      expect(middle.map((e) => e.seq)).toEqual(Array.from({ length: 11 }, (_, i) => READ_PAGE - 5 + i));
      expect(await store.loadEvents(A, total + 1)).toEqual([]);
      expect(await store.loadEvents(B)).toEqual([]);
      store.dispose();
    });

    it('queries by type, seq range, time range and direction, with a limit', async () => {
      const store = await target.create();
      await store.append(A, 'no-stream', [created(), ...batch(30)]);
      await store.append(B, 'no-stream', [created('other'), ...batch(30)]);
      const traps = await store.query({ vmId: A, types: ['TrapTaken'] });
      expect(traps).toHaveLength(10);
      expect(traps.every((e) => e.type === 'TrapTaken' && e.vmId === A)).toBe(true);
      expect(traps.map((e) => e.seq)).toEqual([...traps.map((e) => e.seq)].sort((a, b) => a - b));

      const two = await store.query({ vmId: A, types: ['TrapTaken', 'IoCompleted'], limit: 5 });
      expect(two.map((e) => e.seq)).toEqual([3, 4, 6, 7, 9]);
      const lastTwo = await store.query({ vmId: A, types: ['TrapTaken', 'IoCompleted'], limit: 3, direction: 'backward' });
      expect(lastTwo.map((e) => e.seq)).toEqual([31, 30, 28]);

      const range = await store.query({ vmId: A, fromSeq: 10, toSeq: 14 });
      expect(range.map((e) => e.seq)).toEqual([10, 11, 12, 13, 14]);
      const back = await store.query({ vmId: A, fromSeq: 10, toSeq: 14, direction: 'backward', limit: 2 });
      expect(back.map((e) => e.seq)).toEqual([14, 13]);

      // batch(30) gives event i (seq i + 2) the time T0 + i.
      const timed = await store.query({ vmId: A, fromTime: T0 + 5, toTime: T0 + 7 });
      expect(timed.map((e) => e.seq)).toEqual([7, 8, 9]);
      const timedTypes = await store.query({ vmId: A, types: ['IoCompleted'], fromTime: T0 + 5, toTime: T0 + 12 });
      expect(timedTypes.map((e) => e.seq)).toEqual([9, 12]);
      expect(await store.query({ vmId: A, limit: 0 })).toEqual([]);
      expect(await store.query({ vmId: asVmId('nobody') })).toEqual([]);
      store.dispose();
    });

    it('appends, reads and queries a batch larger than a function call can take as arguments', async () => {
      // 250k events of one type: spreading that many values into one call overflows the stack.
      const store = await target.create();
      const many: AnyNewEvent[] = [created()];
      for (let i = 0; i < 250_000; i++) many.push(newEvent('IoCompleted', { device: 'uart0', direction: 'out', bytes: 'x' }, i, T0 + i));
      const live: number[] = [];
      const unsubscribe = store.subscribe(A, 1, (events) => live.push(events.length));
      expect(await store.append(A, 'no-stream', many)).toEqual({ firstSeq: 1, lastSeq: 250_001 });
      const out = await store.query({ vmId: A, types: ['IoCompleted'], limit: 300_000 });
      expect(out).toHaveLength(250_000);
      expect(out[249_999].seq).toBe(250_001);
      expect(await store.loadEvents(A)).toHaveLength(250_001);
      await expect.poll(() => live.reduce((a, b) => a + b, 0), { timeout: 10_000 }).toBe(250_001);
      unsubscribe();
      store.dispose();
    }, 120_000);

    it('answers random queries over randomly sized batches exactly like filtering the whole stream', async () => {
      const store = await target.create();
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      await store.append(A, 'no-stream', [created()]);
      let head = 1;
      while (head < 5000) {
        const size = 1 + Math.floor(random() * (random() < 0.3 ? 1500 : 40));
        head = (await store.append(A, head, batch(size, head * 100))).lastSeq;
      }
      const all = await store.loadEvents(A);
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      const types = ['TrapTaken', 'IoCompleted', 'InstructionsExecuted', 'VmCreated'] as const;
      for (let i = 0; i < 80; i++) {
        const fromSeq = 1 + Math.floor(random() * head);
        const toSeq = fromSeq + Math.floor(random() * 3000);
        const picked = types.filter(() => random() < 0.4);
        const limit = random() < 0.5 ? undefined : 1 + Math.floor(random() * 500);
        const backward = random() < 0.5;
        const timed = random() < 0.3;
        const fromTime = timed ? all[fromSeq - 1].at + Math.floor(random() * 50) : undefined;
        const toTime = timed && fromTime !== undefined ? fromTime + Math.floor(random() * 2000) : undefined;
        const query = { vmId: A, fromSeq, toSeq, types: picked, limit, direction: backward ? 'backward' : 'forward', fromTime, toTime } as const;
        let expected = all.filter(
          (e) =>
            e.seq >= fromSeq &&
            e.seq <= toSeq &&
            (picked.length === 0 || (picked as readonly string[]).includes(e.type)) &&
            (fromTime === undefined || e.at >= fromTime) &&
            (toTime === undefined || e.at <= toTime),
        );
        if (backward) expected = expected.reverse();
        expected = expected.slice(0, limit ?? expected.length);
        const got = await store.query(query);
        expect(got.map((e) => e.seq), JSON.stringify(query)).toEqual(expected.map((e) => e.seq));
      }
      const a = 1 + Math.floor(random() * head);
      expect((await store.loadEvents(A, a, a + 1234)).map((e) => e.seq)).toEqual(all.slice(a - 1, a + 1234).map((e) => e.seq));
      store.dispose();
    });

    it('lists streams and deletes one without touching the others', async () => {
      const store = await target.create();
      await store.append(A, 'no-stream', [created()]);
      await store.append(B, 'no-stream', [created(), ...batch(2)]);
      expect((await store.listVmIds()).sort()).toEqual([A, B]);
      await store.deleteEvents(A);
      expect(await store.listVmIds()).toEqual([B]);
      expect(await store.getLastSequenceNumber(A)).toBe(0);
      expect(await store.getStreamInfo(A)).toBeUndefined();
      expect(await store.loadEvents(B)).toHaveLength(3);
      expect(await store.append(A, 'no-stream', [created()])).toEqual({ firstSeq: 1, lastSeq: 1 });
      store.dispose();
    });

    it('delivers stored events then live ones to a subscriber, each once and in order', async () => {
      const store = await target.create();
      await store.append(A, 'no-stream', [created(), ...batch(READ_PAGE + 10)]);
      const seen: number[] = [];
      const fromMiddle: number[] = [];
      const unsubscribe = store.subscribe(A, 1, (events) => seen.push(...events.map((e) => e.seq)));
      const other = store.subscribe(A, 5, (events) => fromMiddle.push(...events.map((e) => e.seq)));
      // Appends racing the catch-up read must neither be lost nor repeated.
      await store.append(A, 'any', batch(3));
      await store.append(A, 'any', batch(2));
      const head = await store.getLastSequenceNumber(A);
      await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(head);
      expect(seen).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      await expect.poll(() => fromMiddle.length, { timeout: 10_000 }).toBe(head - 4);
      expect(fromMiddle[0]).toBe(5);
      unsubscribe();
      await store.append(A, 'any', batch(1));
      await expect.poll(() => fromMiddle.length, { timeout: 10_000 }).toBe(head - 3);
      expect(seen).toHaveLength(head);
      other();
      store.dispose();
    });

    it('upcasts events stored at an older schema version when reading them', async () => {
      const store = await target.create();
      const raw: RawEvent[] = [
        { vmId: A, seq: 1, type: 'VmCreated', v: 1, icount: 0, at: T0, data: { name: 'old', config: CONFIG } },
        { vmId: A, seq: 2, type: 'VmStarted', v: 1, icount: 0, at: T0, data: {} },
        { vmId: A, seq: 3, type: 'VmStopped', v: 1, icount: 9, at: T0, data: { reason: 'poweroff' } },
      ];
      await target.seedRaw(store, raw);
      const [stopped] = await store.query({ vmId: A, types: ['VmStopped'] });
      expect(stopped).toMatchObject({ seq: 3, v: 2, data: { reason: 'poweroff', exitCode: 0 } });
      expect((await store.loadEvents(A, 3, 3))[0].data).toEqual({ reason: 'poweroff', exitCode: 0 });
      store.dispose();
    });

    it('exports a stream to a file and imports it back identically', async () => {
      const store = await target.create();
      await store.append(A, 'no-stream', [created(), ...batch(40)]);
      const before = await store.loadEvents(A);
      const file = await exportStream(store, A, T0);
      await store.deleteEvents(A);
      const parsed = parseStreamFile(file, 'a.vmstream');
      expect(await importStream(store, parsed)).toEqual({ vmId: A, count: 41 });
      expect(await store.loadEvents(A)).toEqual(before);
      const again = await errorOf(importStream(store, parsed));
      expect(again.code).toBe('IllegalState');
      expect(await store.getEventCount(A)).toBe(41);
      store.dispose();
    });
  });
}
