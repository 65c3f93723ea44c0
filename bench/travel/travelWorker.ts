// Module worker of bench/travel: records a busy guest through the runtime into IndexedDB, then times seeks and steps back over it.
import type { BootImageRef, VmId } from '../../src/domain/index.ts';
import { Machine } from '../../src/emulator/machine.ts';
import { IndexedDbCheckpointStore } from '../../src/store/IndexedDbCheckpointStore.ts';
import { IndexedDbEventStore } from '../../src/store/IndexedDbEventStore.ts';
import { defaultVmConfig } from '../../src/runtime/defaultConfig.ts';
import { VmHost } from '../../src/runtime/VmHost.ts';
import { nextTurn } from '../../src/runtime/nextTurn.ts';
import { seededRandom } from '../../src/domain/testing/fixtures.ts';

export interface TravelRequest {
  /**
   * 'travel': record, then seek and step back; 'off' / 'on': one run of an overhead pair (a bare
   * machine, or recorded through VmHost) for `seconds`. The page gives each run of a pair a fresh
   * worker, so no run inherits the engine's state (optimized code, feedback) from another.
   */
  readonly mode: 'travel' | 'off' | 'on';
  readonly seconds: number;
  readonly seeks: number;
  readonly steps: number;
}

export interface Latencies {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface TravelResult {
  readonly recording: { seconds: number; instructions: number; mips: number; events: number; checkpoints: number; consoleBytes: number };
  /**
   * Alternating runs of the same length, each in a fresh worker, so both see the same machine load:
   * MIPS off and on per pair, and the share of each run's wall time spent inside Machine.run (filled
   * in by the page).
   */
  readonly pairs: { off: number; on: number; offShare: number; onShare: number }[];
  /** Median over the pairs of 1 − on/off (filled in by the page). */
  readonly overhead: number;
  /**
   * Median over the pairs of 1 − onShare/offShare: the time recording takes from the guest, measured
   * within each run, so it holds still when the machine's speed moves from run to run (filled in by the page).
   */
  readonly overheadByShare: number;
  readonly bytes: { events: number; pages: number; pageCount: number; estimate: number | null; perMinute: { events: number; pages: number; estimate: number | null } };
  readonly firstView: number;
  readonly seek: Latencies;
  readonly stepBack: Latencies;
  readonly stepBackWarm: Latencies;
}

export type TravelReply =
  | { readonly ok: true; readonly result: TravelResult }
  /** `dbName`: the database an 'on' run recorded into, for the page to delete once every run is done. */
  | { readonly ok: true; readonly mips: number; readonly share: number; readonly dbName?: string }
  | { readonly ok: false; readonly error: string };

interface WorkerScope {
  onmessage: ((e: MessageEvent<TravelRequest>) => void) | null;
  postMessage(message: TravelReply): void;
}

/** The busy guest (guests/busy): CPU-bound rounds, a console line per round, a 100 Hz timer interrupt. */
const BUSY: BootImageRef = { name: 'busy.elf', builtin: true };

const scope = self as unknown as WorkerScope;

/**
 * Wall time spent inside Machine.run, by every machine of this worker: the bench wraps the method
 * (two clock reads per slice of 250k instructions, the same in both runs of a pair).
 */
let msInRun = 0;
const bareRun = Machine.prototype.run;
Machine.prototype.run = function (this: Machine, budget: number) {
  const t = performance.now();
  try {
    return bareRun.call(this, budget);
  } finally {
    msInRun += performance.now() - t;
  }
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function fetchImage(ref: BootImageRef): Promise<Uint8Array> {
  const response = await fetch(`/guests/${ref.name}`);
  if (!response.ok) throw new Error(`GET /guests/${ref.name}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function latencies(samples: number[]): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

async function usage(): Promise<number | null> {
  return (await navigator.storage?.estimate?.())?.usage ?? null;
}

/** Records the guest for `seconds` through VmHost: recorded effects, checkpoints, IndexedDB, as in the app's worker. */
async function record(seconds: number): Promise<{ vmId: VmId; dbName: string; instructions: number; wall: number; share: number; consoleBytes: number; events: number }> {
  const dbName = `bench-travel-${Date.now()}`;
  const store = await IndexedDbEventStore.open(dbName);
  const host = new VmHost(store, { resolveImage: fetchImage, checkpoints: new IndexedDbCheckpointStore(store.database) });
  const vm = await host.createVm('busy', defaultVmConfig(BUSY));
  let consoleBytes = 0;
  await host.attachConsole(vm.vmId, (u) => (consoleBytes += u.bytes?.length ?? 0));
  const t0 = performance.now();
  const inRun0 = msInRun;
  await host.execute(vm.vmId, { type: 'StartVm' });
  await sleep(seconds * 1000);
  const summary = await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });
  const wall = (performance.now() - t0) / 1000;
  const share = (msInRun - inRun0) / 1000 / wall;
  host.dispose();
  return { vmId: vm.vmId, dbName, instructions: summary.state.icount, wall, share, consoleBytes, events: summary.state.version };
}

/** The same guest on a bare Machine, nothing recorded, in slices and yields like the runner's. */
async function runOff(seconds: number): Promise<{ instructions: number; wall: number; share: number }> {
  const machine = new Machine({ bios: await fetchImage(BUSY), biosName: BUSY.name, memoryMiB: 128 });
  const t0 = performance.now();
  const inRun0 = msInRun;
  let lastYield = t0;
  while (performance.now() - t0 < seconds * 1000) {
    machine.run(250_000);
    machine.drainOutput();
    if (performance.now() - lastYield >= 12) {
      await nextTurn();
      lastYield = performance.now();
    }
  }
  const wall = (performance.now() - t0) / 1000;
  return { instructions: machine.icount, wall, share: (msInRun - inRun0) / 1000 / wall };
}

async function run(request: TravelRequest): Promise<TravelResult> {
  const before = await usage();
  const rec = await record(request.seconds);
  const after = await usage();

  // A new host on the same database: what a reopened VM (a reload) finds, nothing in memory.
  const store = await IndexedDbEventStore.open(rec.dbName);
  const checkpoints = new IndexedDbCheckpointStore(store.database);
  const host = new VmHost(store, { resolveImage: fetchImage, checkpoints });
  const info = await store.getStreamInfo(rec.vmId);
  const pages = await checkpoints.pageStats();
  const checkpointCount = (await checkpoints.list(rec.vmId)).length;
  const head = rec.events;
  const headIcount = rec.instructions;

  let t = performance.now();
  await host.inspect(rec.vmId, { seq: 1 });
  const firstView = performance.now() - t;

  // Seeded, so every run seeks the same seqs of its recording.
  const random = seededRandom(2026);
  const seekTimes: number[] = [];
  for (let i = 0; i < request.seeks; i++) {
    const seq = 1 + Math.floor(random() * head);
    t = performance.now();
    await host.inspect(rec.vmId, { seq });
    seekTimes.push(performance.now() - t);
  }
  // One instruction back from a point just seeked to (the scrubber's ‹ instruction button).
  const stepTimes: number[] = [];
  const warmTimes: number[] = [];
  for (let i = 0; i < request.steps; i++) {
    const icount = 1 + Math.floor(random() * (headIcount - 1));
    await host.inspect(rec.vmId, { icount });
    t = performance.now();
    await host.inspect(rec.vmId, { icount: icount - 1 });
    stepTimes.push(performance.now() - t);
    // Stepping back again right there: the checkpoint it restored is in memory now.
    t = performance.now();
    await host.inspect(rec.vmId, { icount: icount - 2 });
    warmTimes.push(performance.now() - t);
  }
  host.dispose();

  const mipsOn = rec.instructions / rec.wall / 1e6;
  const minutes = rec.wall / 60;
  const estimate = before !== null && after !== null ? after - before : null;
  return {
    recording: { seconds: rec.wall, instructions: rec.instructions, mips: mipsOn, events: head, checkpoints: checkpointCount, consoleBytes: rec.consoleBytes },
    pairs: [],
    overhead: NaN,
    overheadByShare: NaN,
    bytes: {
      events: info?.bytes ?? 0,
      pages: pages.bytes,
      pageCount: pages.pages,
      estimate,
      perMinute: { events: (info?.bytes ?? 0) / minutes, pages: pages.bytes / minutes, estimate: estimate === null ? null : estimate / minutes },
    },
    firstView,
    seek: latencies(seekTimes),
    stepBack: latencies(stepTimes),
    stepBackWarm: latencies(warmTimes),
  };
}

/**
 * One run of an overhead pair, in MIPS. The database an 'on' run wrote is left for the page to
 * delete at the end: deleting it at once kept the browser busy during the next run (an 'off' run
 * after it measured at 240–290 MIPS against 420 otherwise).
 */
async function pairRun(request: TravelRequest): Promise<{ mips: number; share: number; dbName?: string }> {
  if (request.mode === 'off') {
    const off = await runOff(request.seconds);
    return { mips: off.instructions / off.wall / 1e6, share: off.share };
  }
  const on = await record(request.seconds);
  return { mips: on.instructions / on.wall / 1e6, share: on.share, dbName: on.dbName };
}

scope.onmessage = (e) => {
  const reply: Promise<TravelReply> =
    e.data.mode === 'travel' ? run(e.data).then((result) => ({ ok: true, result })) : pairRun(e.data).then((run) => ({ ok: true, ...run }));
  reply
    .then((message) => scope.postMessage(message))
    .catch((error: unknown) => scope.postMessage({ ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }));
};
