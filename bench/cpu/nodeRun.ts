// One Node run of bench.elf in a fresh process, so each round starts with a cold JIT like the Chromium worker does.
// Prints the GuestRun as one JSON line.
// Usage: node --import tsx bench/cpu/nodeRun.ts <elf> <slice> [limit] [--interpret | --js-blocks] [--record]
import { readFileSync } from 'node:fs';
import { InMemoryEventStore } from '../../src/store/InMemoryEventStore.ts';
import { runRecorded } from './recorded.ts';
import { runGuest } from './runGuest.ts';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const [file, slice, limit] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (file === undefined || slice === undefined) {
  console.error('usage: node --import tsx bench/cpu/nodeRun.ts <elf> <slice> [limit] [--interpret | --js-blocks] [--record]');
  process.exit(2);
}
const translate = flags.includes('--interpret') ? false : flags.includes('--js-blocks') ? ('js' as const) : true;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const options = { slice: Number(slice), translate, ...(limit === undefined ? {} : { limit: Number(limit) }) };
const image = new Uint8Array(readFileSync(file));
if (flags.includes('--record')) {
  const c0 = cpuMs();
  const run = await runRecorded(image, new InMemoryEventStore(), translate !== false, () => performance.now());
  console.log(JSON.stringify({ ...run, cpuSeconds: (cpuMs() - c0) / 1000 }));
} else {
  console.log(JSON.stringify(runGuest(image, options, () => performance.now(), cpuMs)));
}
