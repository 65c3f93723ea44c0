// bench/store: IndexedDB event store throughput in Chromium. Run with `npm run bench:store`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { runBenchPage } from '../chromiumPage.ts';
import type { StoreBenchResult } from './storeBench.ts';

const { result, browser } = await runBenchPage<StoreBenchResult>('/bench/store/index.html');
console.log(`bench/store in Chromium ${browser}`);
console.log('\nappend 100k events (10k for batches of 1)');
console.log('| batch size | events | ms | events/s |');
console.log('|---:|---:|---:|---:|');
for (const a of result.append) console.log(`| ${a.batch} | ${a.events} | ${a.ms.toFixed(0)} | ${Math.round(a.eventsPerSecond).toLocaleString('en')} |`);
console.log('\nread back (stream of 100k events)');
console.log('| read | events | ms |');
console.log('|---|---:|---:|');
for (const r of result.read) console.log(`| ${r.what} | ${r.events} | ${r.ms.toFixed(1)} |`);
const estimate = result.bytesPerEvent.storageEstimate;
console.log(`\nbytes per event: ${result.bytesPerEvent.metadata.toFixed(0)} (stream metadata, JSON size)` +
  (estimate === null ? '' : `, ${estimate.toFixed(0)} (navigator.storage.estimate delta)`));
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/store.json', JSON.stringify({ browser, ...result }, null, 2));
