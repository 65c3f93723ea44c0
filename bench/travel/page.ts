// bench/travel page: runs the recording-overhead pairs, each run in a fresh worker, then the travel
// bench in a module worker (parameters from the query string), and publishes the result.
import type { TravelReply, TravelRequest, TravelResult } from './travelWorker.ts';

const params = new URLSearchParams(location.search);
const seconds = Number(params.get('seconds') ?? 180);
const offSeconds = Number(params.get('off') ?? 20);
const seeks = Number(params.get('seeks') ?? 200);
const steps = Number(params.get('steps') ?? 30);
const pairCount = Number(params.get('pairs') ?? 5);
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

async function pairRun(mode: 'off' | 'on'): Promise<{ mips: number; share: number }> {
  const reply = await inWorker({ mode, seconds: offSeconds, seeks: 0, steps: 0 });
  if (!reply.ok) throw new Error(reply.error);
  if (!('mips' in reply)) throw new Error(`the ${mode} run answered without a speed`);
  if (reply.dbName) recorded.push(reply.dbName);
  return { mips: reply.mips, share: reply.share };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The pairs come first, in a browser that has written nothing yet: run after the 3-minute recording,
 * they ran while the browser was still at work on its database (at 4289398 the first pair measured
 * 28 % and the next two 14 % and 9 %). Every other pair runs 'on' first, so a drift in the machine's
 * speed over the pairs does not favour one side.
 */
async function main(): Promise<TravelResult> {
  const pairs: TravelResult['pairs'] = [];
  for (let i = 0; i < pairCount; i++) {
    let off, on;
    if (i % 2 === 0) {
      off = await pairRun('off');
      on = await pairRun('on');
    } else {
      on = await pairRun('on');
      off = await pairRun('off');
    }
    pairs.push({ off: off.mips, on: on.mips, offShare: off.share, onShare: on.share });
  }
  const reply = await inWorker({ mode: 'travel', seconds, seeks, steps });
  if (!reply.ok) throw new Error(reply.error);
  if (!('result' in reply)) throw new Error('the travel run answered without a result');
  for (const name of recorded) indexedDB.deleteDatabase(name);
  return {
    ...reply.result,
    pairs,
    overhead: median(pairs.map((p) => 1 - p.on / p.off)),
    overheadByShare: median(pairs.map((p) => 1 - p.onShare / p.offShare)),
  };
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
