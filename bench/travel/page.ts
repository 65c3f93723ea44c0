// bench/travel page: runs the travel bench in a module worker (parameters from the query string),
// then the recording-overhead pairs, each run in a fresh worker, and publishes the result.
import type { TravelReply, TravelRequest, TravelResult } from './travelWorker.ts';

const params = new URLSearchParams(location.search);
const seconds = Number(params.get('seconds') ?? 180);
const offSeconds = Number(params.get('off') ?? 20);
const seeks = Number(params.get('seeks') ?? 200);
const steps = Number(params.get('steps') ?? 30);
const published = window as unknown as { benchResult?: TravelResult; benchError?: string };
const out = document.getElementById('out');

/** One request to a worker of its own, terminated afterwards. */
function inWorker(request: TravelRequest): Promise<TravelReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./travelWorker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<TravelReply>) => {
      worker.terminate();
      resolve(e.data);
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`the bench worker failed to start or threw: ${e.message}`));
    };
    worker.postMessage(request);
  });
}

/** Databases the 'on' runs recorded into, deleted once every run is done (see pairRun in travelWorker.ts). */
const recorded: string[] = [];

async function pairRun(mode: 'off' | 'on'): Promise<number> {
  const reply = await inWorker({ mode, seconds: offSeconds, seeks: 0, steps: 0 });
  if (!reply.ok) throw new Error(reply.error);
  if (!('mips' in reply)) throw new Error(`the ${mode} run answered without a speed`);
  if (reply.dbName) recorded.push(reply.dbName);
  return reply.mips;
}

async function main(): Promise<TravelResult> {
  const reply = await inWorker({ mode: 'travel', seconds, seeks, steps });
  if (!reply.ok) throw new Error(reply.error);
  if (!('result' in reply)) throw new Error('the travel run answered without a result');
  const pairs: { off: number; on: number }[] = [];
  // The browser goes on writing the recording's database for a moment after it: let it.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  for (let i = 0; i < 3; i++) pairs.push({ off: await pairRun('off'), on: await pairRun('on') });
  for (const name of recorded) indexedDB.deleteDatabase(name);
  const overheads = pairs.map((p) => 1 - p.on / p.off).sort((a, b) => a - b);
  return { ...reply.result, pairs, overhead: overheads[1] };
}

main().then(
  (result) => {
    published.benchResult = result;
    if (out) out.textContent = JSON.stringify(result, null, 2);
  },
  (error: unknown) => {
    published.benchError = error instanceof Error ? error.message : String(error);
    if (out) out.textContent = published.benchError;
  },
);
