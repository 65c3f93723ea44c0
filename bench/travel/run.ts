// bench/travel: records a busy guest for 3 minutes in a Chromium worker, then seek and step-back latency, recording overhead, bytes stored.
// Run with `npx tsx bench/travel/run.ts [seconds]` (default 180).
import { execSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { runBenchPage } from '../chromiumPage.ts';
import type { Latencies, TravelResult } from './travelWorker.ts';

const seconds = Number(process.argv[2] ?? 180);
const started = new Date();
const { result, browser } = await runBenchPage<TravelResult>(`/bench/travel/index.html?seconds=${seconds}&off=20`, (seconds + 600) * 1000);
const commit = execSync('git rev-parse --short HEAD').toString().trim();
const ms = (x: number) => x.toFixed(1);
const row = (what: string, l: Latencies) => `| ${what} | ${l.count} | ${ms(l.p50)} | ${ms(l.p95)} | ${ms(l.max)} |`;
const kib = (x: number) => `${(x / 1024).toFixed(0)} KiB`;

console.log(`bench/travel in Chromium ${browser}, commit ${commit}, ${started.toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg()[0].toFixed(1)}`);
const r = result.recording;
console.log(`\nrecorded ${r.seconds.toFixed(0)} s: ${r.instructions.toLocaleString('en')} instructions (${r.mips.toFixed(1)} MIPS), ${r.events} events, ${r.checkpoints} checkpoints, ${r.consoleBytes} console bytes`);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
console.log(`overhead pairs (MIPS off / on): ${result.pairs.map((p) => `${p.off.toFixed(1)} / ${p.on.toFixed(1)}`).join(', ')}; median overhead ${pct(result.overhead)}`);
console.log(`time inside Machine.run (off / on): ${result.pairs.map((p) => `${pct(p.offShare)} / ${pct(p.onShare)}`).join(', ')}; median overhead by share ${pct(result.overheadByShare)}`);
console.log('\n| operation | samples | p50 ms | p95 ms | max ms |');
console.log('|---|---:|---:|---:|---:|');
console.log(row('seek to a random seq', result.seek));
console.log(row('one instruction back (after a seek there)', result.stepBack));
console.log(row('one more instruction back', result.stepBackWarm));
console.log(`\nfirst view after opening (reads the stream): ${ms(result.firstView)} ms`);
const b = result.bytes;
console.log(`stored: events ${kib(b.events)} (${kib(b.perMinute.events)}/min), checkpoint pages ${kib(b.pages)} in ${b.pageCount} pages (${kib(b.perMinute.pages)}/min)` +
  (b.estimate === null || b.perMinute.estimate === null ? '' : `, storage estimate ${kib(b.estimate)} (${kib(b.perMinute.estimate)}/min)`));
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/travel.json', JSON.stringify({ browser, commit, date: started.toISOString(), ...result }, null, 2));
