// One Node run of bench.elf in a fresh process, so each round starts with a cold JIT like the Chromium worker does.
// Prints the GuestRun as one JSON line. Usage: node --import tsx bench/cpu/nodeRun.ts <elf> <slice> [limit]
import { readFileSync } from 'node:fs';
import { runGuest } from './runGuest.ts';

const [file, slice, limit] = process.argv.slice(2);
if (file === undefined || slice === undefined) {
  console.error('usage: node --import tsx bench/cpu/nodeRun.ts <elf> <slice> [limit]');
  process.exit(2);
}
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const options = { slice: Number(slice), ...(limit === undefined ? {} : { limit: Number(limit) }) };
const run = runGuest(readFileSync(file), options, () => performance.now(), cpuMs);
console.log(JSON.stringify(run));
