// Module worker of the bench/cpu page: fetches bench.elf, runs it on the Machine and posts the GuestRun back.
import { runGuest, type GuestRunOptions } from './runGuest.ts';

export interface CpuWorkerRequest {
  readonly url: string;
  readonly options: GuestRunOptions;
}

export type CpuWorkerReply = { readonly ok: true; readonly run: ReturnType<typeof runGuest> } | { readonly ok: false; readonly error: string };

/** The part of DedicatedWorkerGlobalScope used here (this folder is type-checked with the DOM library). */
interface WorkerScope {
  onmessage: ((e: MessageEvent<CpuWorkerRequest>) => void) | null;
  postMessage(message: CpuWorkerReply): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { url, options } = e.data;
  fetch(url)
    .then(async (response) => {
      if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
      const image = new Uint8Array(await response.arrayBuffer());
      scope.postMessage({ ok: true, run: runGuest(image, options, () => performance.now()) });
    })
    .catch((error: unknown) => scope.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) }));
};
