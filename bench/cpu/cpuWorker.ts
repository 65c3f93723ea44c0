// Module worker of the bench/cpu page: fetches bench.elf, runs it on the Machine and posts the GuestRun back.
import { IndexedDbEventStore } from '../../src/store/IndexedDbEventStore.ts';
import { runRecorded } from './recorded.ts';
import { runGuest, type GuestRun, type GuestRunOptions } from './runGuest.ts';

export interface CpuWorkerRequest {
  readonly url: string;
  readonly options: GuestRunOptions;
}

export type CpuWorkerReply = { readonly ok: true; readonly run: GuestRun } | { readonly ok: false; readonly error: string };

/** A recorded run into a database of its own, deleted afterwards. */
async function recordInIndexedDb(image: Uint8Array, options: GuestRunOptions): Promise<GuestRun> {
  const name = `bench-cpu-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const store = await IndexedDbEventStore.open(name);
  try {
    return await runRecorded(image, store, options.translate !== false, () => performance.now());
  } finally {
    store.dispose();
    indexedDB.deleteDatabase(name);
  }
}

/** The part of DedicatedWorkerGlobalScope used here (this folder is type-checked with the DOM library). */
interface WorkerScope {
  onmessage: ((e: MessageEvent<CpuWorkerRequest>) => void) | null;
  postMessage(message: CpuWorkerReply): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { url, options } = e.data;
  const get = async (u: string): Promise<Uint8Array> => {
    const response = await fetch(u);
    if (!response.ok) throw new Error(`GET ${u}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  Promise.resolve()
    .then(async () => {
      const image = await get(options.images?.bios ?? url);
      const kernel = options.images?.kernel === undefined ? undefined : await get(options.images.kernel);
      const run = options.record === true ? await recordInIndexedDb(image, options) : runGuest(image, options, () => performance.now(), undefined, kernel);
      scope.postMessage({ ok: true, run });
    })
    .catch((error: unknown) => scope.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) }));
};
