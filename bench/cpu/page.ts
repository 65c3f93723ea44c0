// bench/cpu page: runs bench.elf in a fresh module worker when asked (or at once with ?run) and publishes the result.
import type { CpuWorkerReply, CpuWorkerRequest } from './cpuWorker.ts';
import { DEFAULT_SLICE, type GuestRun, type GuestRunOptions } from './runGuest.ts';

/** What one run on the page yields. */
export interface CpuPageResult {
  readonly run: GuestRun;
  readonly userAgent: string;
}

/** The page's handle for the driver (bench/cpu/chromiumRunner.ts): one worker run per call. */
export type StartBench = (options: GuestRunOptions) => Promise<CpuPageResult>;

const out = document.getElementById('out');

const startBench: StartBench = (options) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./cpuWorker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<CpuWorkerReply>) => {
      worker.terminate();
      if (e.data.ok) resolve({ run: e.data.run, userAgent: navigator.userAgent });
      else reject(new Error(e.data.error));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`the bench worker failed to start or threw: ${e.message}`));
    };
    const request: CpuWorkerRequest = { url: '/guests/bench.elf', options };
    worker.postMessage(request);
  });

const published = window as unknown as { startBench?: StartBench; benchResult?: CpuPageResult; benchError?: string };
published.startBench = startBench;

// Opened by hand (`npm run dev`, then /bench/cpu/index.html?run[&limit=N][&slice=N]): run once and show the result.
const params = new URLSearchParams(location.search);
if (params.has('run')) {
  const limit = params.get('limit');
  if (out) out.textContent = 'running…';
  startBench({ slice: Number(params.get('slice') ?? DEFAULT_SLICE), ...(limit === null ? {} : { limit: Number(limit) }) }).then(
    (result) => {
      published.benchResult = result;
      if (out) out.textContent = `${(result.run.instructions / result.run.seconds / 1e6).toFixed(1)} MIPS\n${JSON.stringify(result.run, null, 2)}`;
    },
    (error: unknown) => {
      published.benchError = String(error);
      if (out) out.textContent = String(error);
    },
  );
} else if (out) {
  out.textContent = 'ready: add ?run to the address to run bench.elf once';
}
