// bench/cpu page: starts the module worker, hands it the run options from the query string and publishes its result.
import type { CpuWorkerReply, CpuWorkerRequest } from './cpuWorker.ts';
import { DEFAULT_SLICE, type GuestRun } from './runGuest.ts';

/** What `window.benchResult` holds when the page is done. */
export interface CpuPageResult {
  readonly run: GuestRun;
  readonly userAgent: string;
}

const params = new URLSearchParams(location.search);
const limit = params.get('limit');
const request: CpuWorkerRequest = {
  url: '/guests/bench.elf',
  options: { slice: Number(params.get('slice') ?? DEFAULT_SLICE), ...(limit === null ? {} : { limit: Number(limit) }) },
};
const out = document.getElementById('out');
const published = window as unknown as { benchResult?: CpuPageResult; benchError?: string };

const worker = new Worker(new URL('./cpuWorker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (e: MessageEvent<CpuWorkerReply>) => {
  worker.terminate();
  if (e.data.ok) {
    published.benchResult = { run: e.data.run, userAgent: navigator.userAgent };
    if (out) out.textContent = JSON.stringify(e.data.run, null, 2);
  } else {
    published.benchError = e.data.error;
    if (out) out.textContent = e.data.error;
  }
};
worker.onerror = (e) => {
  published.benchError = `worker failed to start or threw: ${e.message}`;
};
worker.postMessage(request);
