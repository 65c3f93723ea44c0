// Runs in Chromium: appends 100k events to IndexedDbEventStore in batches of 1, 100 and 1000, then reads them back.
import { IndexedDbEventStore } from '../../src/store/IndexedDbEventStore.ts';
import { asVmId, newEvent, type AnyNewEvent } from '../../src/domain/index.ts';

const TOTAL = 100_000;
/** One transaction per event costs milliseconds; 10k of them show the rate without a five-minute run. */
const SINGLES = 10_000;

export interface StoreBenchResult {
  readonly append: { batch: number; events: number; ms: number; eventsPerSecond: number }[];
  readonly read: { what: string; events: number; ms: number }[];
  readonly bytesPerEvent: { metadata: number; storageEstimate: number | null };
}

/** A realistic mix of effect events: instruction batches, console output and traps. */
function makeEvents(n: number, offset: number): AnyNewEvent[] {
  const out: AnyNewEvent[] = [];
  for (let k = 0; k < n; k++) {
    const i = offset + k;
    const icount = i * 1000;
    const at = 1_800_000_000_000 + i;
    if (i % 3 === 0) out.push(newEvent('InstructionsExecuted', { fromIcount: icount, count: 1000, pcStart: '0x80001234', pcEnd: '0x80001a40' }, icount + 1000, at));
    else if (i % 3 === 1) out.push(newEvent('IoCompleted', { device: 'uart0', direction: 'out', bytes: `line ${i}: hello\r\n` }, icount, at));
    else out.push(newEvent('TrapTaken', { cause: 8, interrupt: false, tval: '0x0', pc: '0xffffffc000201000', from: 'U', to: 'S' }, icount, at));
  }
  return out;
}

async function usage(): Promise<number | null> {
  const estimate = await navigator.storage?.estimate?.();
  return estimate?.usage ?? null;
}

async function run(): Promise<StoreBenchResult> {
  const append: StoreBenchResult['append'] = [];
  for (const size of [1000, 100, 1]) {
    const store = await IndexedDbEventStore.open(`bench-store-${size}-${Date.now()}`);
    const vmId = asVmId(`bench-${size}`);
    const total = size === 1 ? SINGLES : TOTAL;
    const batches = Array.from({ length: total / size }, (_, b) => makeEvents(size, b * size));
    const t0 = performance.now();
    let head = 0;
    for (const events of batches) head = (await store.append(vmId, head, events)).lastSeq;
    const ms = performance.now() - t0;
    append.push({ batch: size, events: head, ms, eventsPerSecond: (head / ms) * 1000 });
    store.dispose();
  }

  const before = await usage();
  const store = await IndexedDbEventStore.open(`bench-store-read-${Date.now()}`);
  const vmId = asVmId('bench-read');
  for (let b = 0; b < TOTAL / 1000; b++) await store.append(vmId, b * 1000, makeEvents(1000, b * 1000));
  const after = await usage();
  const info = await store.getStreamInfo(vmId);

  const read: StoreBenchResult['read'] = [];
  const time = async (what: string, f: () => Promise<unknown[]>) => {
    const t0 = performance.now();
    const events = await f();
    read.push({ what, events: events.length, ms: performance.now() - t0 });
  };
  await time('whole stream (loadEvents)', () => store.loadEvents(vmId));
  await time('1k range (loadEvents 50001..51000)', () => store.loadEvents(vmId, 50_001, 51_000));
  await time('by type (query IoCompleted)', () => store.query({ vmId, types: ['IoCompleted'], limit: TOTAL }));
  await time('last 1k backward (query)', () => store.query({ vmId, direction: 'backward', limit: 1000 }));
  store.dispose();
  return {
    append,
    read,
    bytesPerEvent: {
      metadata: info ? info.bytes / info.count : 0,
      storageEstimate: before !== null && after !== null ? (after - before) / TOTAL : null,
    },
  };
}

const out = document.getElementById('out')!;
run().then(
  (result) => {
    out.textContent = JSON.stringify(result, null, 2);
    (window as unknown as { benchResult: StoreBenchResult }).benchResult = result;
  },
  (error: unknown) => {
    out.textContent = `failed: ${String(error)}`;
    (window as unknown as { benchError: string }).benchError = String(error);
  },
);
