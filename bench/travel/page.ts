// bench/travel page: runs the travel bench in a module worker (parameters from the query string) and publishes the result.
import type { TravelReply, TravelRequest, TravelResult } from './travelWorker.ts';

const params = new URLSearchParams(location.search);
const request: TravelRequest = {
  seconds: Number(params.get('seconds') ?? 180),
  offSeconds: Number(params.get('off') ?? 20),
  seeks: Number(params.get('seeks') ?? 200),
  steps: Number(params.get('steps') ?? 30),
};
const published = window as unknown as { benchResult?: TravelResult; benchError?: string };
const out = document.getElementById('out');
const worker = new Worker(new URL('./travelWorker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (e: MessageEvent<TravelReply>) => {
  worker.terminate();
  if (e.data.ok) {
    published.benchResult = e.data.result;
    if (out) out.textContent = JSON.stringify(e.data.result, null, 2);
  } else {
    published.benchError = e.data.error;
    if (out) out.textContent = e.data.error;
  }
};
worker.onerror = (e) => {
  published.benchError = `the bench worker failed to start or threw: ${e.message}`;
};
worker.postMessage(request);
