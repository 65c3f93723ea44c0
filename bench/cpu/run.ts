// bench/cpu: bench.elf to poweroff on this project's Machine (Node, Chromium worker) beside QEMU on the same binary.
// Run with `npx tsx bench/cpu/run.ts [--quick] [--rounds N] [--slice N]`.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ChromiumRunner } from './chromiumRunner.ts';
import { QEMU, runQemu, writePoweroffImage, type QemuRun } from './qemuRun.ts';
import { DEFAULT_SLICE, EXPECTED_DONE_LINE, QUICK_LIMIT, type GuestRun } from './runGuest.ts';
import { FIRMWARE } from '../../src/cli/firmwarePaths.ts';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ELF = 'public/guests/bench.elf';
const QEMU_TIMEOUT_MS = 300_000;
/** QEMU runs take about a second, so each round repeats them to gather more samples cheaply. */
const QEMU_REPEATS = 3;
const USAGE = 'Usage: npx tsx bench/cpu/run.ts [--quick] [--rounds N] [--slice N]';

interface Options {
  readonly quick: boolean;
  readonly rounds: number;
  readonly slice: number;
}

function parseArgs(argv: readonly string[]): Options {
  let quick = false;
  let rounds: number | undefined;
  let slice = DEFAULT_SLICE;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a} needs a whole number ≥ 1, got '${argv[i]}'. ${USAGE}`);
      return n;
    };
    if (a === '--quick') quick = true;
    else if (a === '--rounds') rounds = value();
    else if (a === '--slice') slice = value();
    else throw new Error(`unknown option '${a}'. ${USAGE}`);
  }
  return { quick, rounds: rounds ?? (quick ? 1 : 5), slice };
}

/**
 * How the machine runs: translating hot blocks (into WebAssembly, the default, or into JavaScript
 * for comparison) or interpreting, recording every effect or bare.
 */
interface Mode {
  readonly translate: boolean | 'js';
  readonly record: boolean;
}

const MODES: readonly Mode[] = [
  { translate: false, record: false },
  { translate: true, record: false },
  { translate: 'js', record: false },
  { translate: true, record: true },
];

const modeName = (m: Mode): string =>
  `${m.translate === 'js' ? 'translated into JavaScript' : m.translate ? 'translated' : 'interpreter'}, recording ${m.record ? 'on' : 'off'}`;

/** One Node run in a fresh process (cold JIT, like a fresh Chromium worker). */
function runNode(slice: number, limit: number | undefined, mode: Mode): Promise<GuestRun> {
  const args = [
    '--import',
    'tsx',
    'bench/cpu/nodeRun.ts',
    ELF,
    String(slice),
    ...(limit === undefined ? [] : [String(limit)]),
    ...(mode.translate === 'js' ? ['--js-blocks'] : mode.translate ? [] : ['--interpret']),
    ...(mode.record ? ['--record'] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as GuestRun);
    });
  });
}

/** Throws unless a full run powered off cleanly right after printing the expected checksum line. */
function checkGuestRun(where: string, run: GuestRun, quick: boolean): void {
  if (quick) return;
  if (run.reason !== 'poweroff' || run.exitCode !== 0) throw new Error(`${where}: stopped with ${run.reason} (exit code ${run.exitCode}), expected a clean poweroff`);
  const lastLine = run.consoleTail.trimEnd().split('\n').at(-1)?.trimEnd();
  if (lastLine !== EXPECTED_DONE_LINE) throw new Error(`${where}: console ends with '${lastLine}', expected '${EXPECTED_DONE_LINE}'`);
}

function checkQemuRun(where: string, run: QemuRun): void {
  if (run.exitStatus !== 0) throw new Error(`${where}: ${QEMU} exited with ${run.exitStatus}${run.stderr ? `: ${run.stderr}` : ''}`);
  if (!run.consoleTail.includes(EXPECTED_DONE_LINE)) throw new Error(`${where}: console tail lacks '${EXPECTED_DONE_LINE}': ${run.consoleTail}`);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function firstLineOf(cmd: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return undefined;
  }
}

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(', ');

interface Sample {
  readonly seconds: number;
  readonly cpuSeconds?: number;
}

interface Row {
  readonly configuration: string;
  readonly runs: number;
  /** Median wall seconds; `best` is the fastest run, the one least disturbed by other load. */
  readonly seconds: number;
  readonly best: number;
  /** Median CPU seconds, when every run reported them. */
  readonly cpuSeconds: number | undefined;
  readonly samples: readonly Sample[];
}

function row(configuration: string, samples: readonly Sample[]): Row {
  const wall = samples.map((s) => s.seconds);
  const cpu = samples.map((s) => s.cpuSeconds);
  const allCpu = cpu.every((c) => c !== undefined) ? (cpu as number[]) : undefined;
  return { configuration, runs: samples.length, seconds: median(wall), best: Math.min(...wall), cpuSeconds: allCpu && median(allCpu), samples };
}

const options = parseArgs(process.argv.slice(2));
const limit = options.quick ? QUICK_LIMIT : undefined;
const qemuVersion = options.quick ? undefined : firstLineOf(QEMU, ['--version']);
const loadBefore = load();
const qemuNote = options.quick
  ? `quick: stop after ${QUICK_LIMIT.toLocaleString('en')} instructions, QEMU skipped (it cannot stop early)`
  : qemuVersion === undefined
    ? `${QEMU} not found, QEMU skipped (Debian: apt-get install qemu-system-misc)`
    : `QEMU ×${QEMU_REPEATS} per round`;
console.log(`bench/cpu: ${ELF}, ${options.rounds} round(s), slices of ${options.slice.toLocaleString('en')} instructions, ${qemuNote}`);
console.log(`load average before: ${loadBefore}`);

const nodeRuns: GuestRun[][] = MODES.map(() => []);
const chromiumRuns: { run: GuestRun; rendererCpuSeconds: number | undefined }[][] = MODES.map(() => []);
/** OpenSBI + S-mode U-Boot from reset to the `=> ` prompt in a Chromium worker: [interpreter, translated]. */
const ubootRuns: GuestRun[][] = [[], []];
const haveFirmware = existsSync(FIRMWARE.fwJump) && existsSync(FIRMWARE.ubootSmode);
const served = (file: string): string => `/${relative(ROOT, file)}`;
const qemuRuns: QemuRun[] = [];
const qemuIcountRuns: QemuRun[] = [];
const qemuStartupRuns: QemuRun[] = [];
const poweroffImage = qemuVersion === undefined ? '' : writePoweroffImage(`${ROOT}bench/results`);
const chromium = await ChromiumRunner.start(ROOT);
const browser = chromium.version;
let instructionsSeen: number | undefined;
const sameCount = (where: string, n: number): void => {
  instructionsSeen ??= n;
  if (n !== instructionsSeen) throw new Error(`${where} ran ${n} instructions, another run ${instructionsSeen}: the machine is not deterministic`);
};
try {
  // Configurations interleaved round by round, so a load change on the shared machine hits all of them alike.
  for (let round = 1; round <= options.rounds; round++) {
    for (const [i, mode] of MODES.entries()) {
      // Recorded runs go to the end of the program: the runtime has no instruction limit.
      if (mode.record && limit !== undefined) continue;
      const n = await runNode(options.slice, limit, mode);
      checkGuestRun(`Node (${modeName(mode)}) round ${round}`, n, options.quick);
      sameCount(`Node (${modeName(mode)})`, n.instructions);
      nodeRuns[i].push(n);
      console.log(`round ${round}: Node, ${modeName(mode)}: ${n.instructions} instructions in ${n.seconds.toFixed(2)} s (CPU ${n.cpuSeconds?.toFixed(2)} s)`);
      const c = await chromium.run({ slice: options.slice, ...mode, ...(limit === undefined ? {} : { limit }) });
      checkGuestRun(`Chromium (${modeName(mode)}) round ${round}`, c.run, options.quick);
      sameCount(`Chromium (${modeName(mode)})`, c.run.instructions);
      chromiumRuns[i].push(c);
      console.log(
        `round ${round}: Chromium, ${modeName(mode)}: ${c.run.instructions} instructions in ${c.run.seconds.toFixed(2)} s (renderer CPU ${c.rendererCpuSeconds?.toFixed(2)} s)`,
      );
    }
    if (haveFirmware) {
      for (const translate of [false, true]) {
        const u = await chromium.run({
          slice: 1_000_000,
          translate,
          images: { bios: served(FIRMWARE.fwJump), kernel: served(FIRMWARE.ubootSmode) },
          until: '=> ',
        });
        if (u.run.reason !== 'until') throw new Error(`U-Boot did not reach its prompt in Chromium: ${u.run.reason}: ${u.run.consoleTail}`);
        ubootRuns[translate ? 1 : 0].push(u.run);
        console.log(`round ${round}: Chromium, U-Boot to its prompt, ${translate ? 'translated' : 'interpreter'}: ${u.run.instructions} instructions in ${u.run.seconds.toFixed(2)} s`);
      }
    }
    if (qemuVersion === undefined) continue;
    for (let rep = 0; rep < QEMU_REPEATS; rep++) {
      const q = await runQemu(ELF, [], QEMU_TIMEOUT_MS);
      checkQemuRun(`QEMU round ${round}`, q);
      qemuRuns.push(q);
      const qi = await runQemu(ELF, ['-icount', 'shift=0'], QEMU_TIMEOUT_MS);
      checkQemuRun(`QEMU -icount round ${round}`, qi);
      qemuIcountRuns.push(qi);
      const qs = await runQemu(poweroffImage, [], QEMU_TIMEOUT_MS);
      if (qs.exitStatus !== 0) throw new Error(`QEMU start-up probe (${poweroffImage}) exited with ${qs.exitStatus}${qs.stderr ? `: ${qs.stderr}` : ''}`);
      qemuStartupRuns.push(qs);
      console.log(`round ${round}: QEMU ${q.seconds.toFixed(2)} s, -icount shift=0 ${qi.seconds.toFixed(2)} s, start-up alone ${qs.seconds.toFixed(2)} s`);
    }
  }
} finally {
  await chromium.dispose();
}
const loadAfter = load();

const instructions = instructionsSeen ?? 0;
const rows: Row[] = [];
for (const [i, mode] of MODES.entries()) {
  if (nodeRuns[i].length > 0) rows.push(row(`Node, ${modeName(mode)}`, nodeRuns[i]));
}
for (const [i, mode] of MODES.entries()) {
  if (chromiumRuns[i].length > 0) {
    rows.push(row(`Chromium worker, ${modeName(mode)}${mode.record ? ' (IndexedDB)' : ''}`, chromiumRuns[i].map((c) => ({ seconds: c.run.seconds, cpuSeconds: c.rendererCpuSeconds }))));
  }
}
const bySelf = rows.length;
const withQemu = qemuRuns.length > 0;
if (withQemu) rows.push(row('QEMU TCG default', qemuRuns), row('QEMU TCG -icount shift=0', qemuIcountRuns));
const mips = (seconds: number | undefined): number | undefined => (seconds === undefined ? undefined : instructions / seconds / 1e6);
const fmt = (x: number | undefined, digits = 1): string => (x === undefined ? 'n/a' : x.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(3)}×`);
const qemuRow = rows[bySelf];
const qemuIcountRow = rows[bySelf + 1];
const qemuMips = withQemu ? mips(qemuRow.seconds) : undefined;
const qemuIcountMips = withQemu ? mips(qemuIcountRow.seconds) : undefined;

console.log('');
console.log('| configuration | instructions | runs | seconds (median) | MIPS (median) | MIPS (best run) | MIPS (by CPU time) | vs QEMU default | vs QEMU -icount shift=0 |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const m = mips(r.seconds);
  console.log(`| ${r.configuration} | ${instructions.toLocaleString('en')} | ${r.runs} | ${r.seconds.toFixed(2)} | ${fmt(m)} | ${fmt(mips(r.best))} | ${fmt(mips(r.cpuSeconds))} | ${ratio(m, qemuMips)} | ${ratio(m, qemuIcountMips)} |`);
}
console.log('');
console.log('Ratios: this machine ÷ QEMU, median wall-clock MIPS.');
if (withQemu) {
  const byCpu = (r: Row): string => `${ratio(mips(r.cpuSeconds), mips(qemuRow.cpuSeconds))} of QEMU default, ${ratio(mips(r.cpuSeconds), mips(qemuIcountRow.cpuSeconds))} of -icount`;
  console.log(`By CPU time instead: ${rows.slice(0, bySelf).map((r) => `${r.configuration} ${byCpu(r)}`).join('; ')}.`);
}
const startup = withQemu ? median(qemuStartupRuns.map((r) => r.seconds)) : undefined;
if (startup !== undefined) {
  console.log(`QEMU seconds are process wall time, start-up and exit included; those alone (an image that powers off at once) take ${startup.toFixed(2)} s.`);
  console.log(`Without them: QEMU default ${fmt(mips(qemuRow.seconds - startup), 0)} MIPS, -icount shift=0 ${fmt(mips(qemuIcountRow.seconds - startup), 0)} MIPS.`);
  console.log("QEMU's instruction count is the one this machine counts on the same binary to poweroff (same program, same instruction stream); QEMU does not report it.");
}
console.log("Recording off: time inside Machine.run() only, in slices; machine construction is excluded.");
console.log('Recording on: the app runtime (VmHost, machine runner, event store) from StartVm to the stop at poweroff.');
console.log('CPU time: Node process (JIT and GC threads included); busiest Chromium renderer (page and worker); QEMU process via bash `times`.');
const find = (name: string): Row | undefined => rows.find((r) => r.configuration.startsWith(name));
const chromiumInterp = find('Chromium worker, interpreter');
const chromiumTranslated = find('Chromium worker, translated, recording off');
const chromiumRecorded = find('Chromium worker, translated, recording on');
const chromiumJs = find('Chromium worker, translated into JavaScript');
const nodeTranslated = find('Node, translated, recording off');
const nodeJs = find('Node, translated into JavaScript');
const m = (r: Row | undefined): number => mips(r?.seconds) ?? 0;
console.log(
  `Target (issue 3): ≥ 80 MIPS in Chromium for the interpreter: ${m(chromiumInterp) >= 80 ? 'met' : 'not met'} ` +
    `(median ${m(chromiumInterp).toFixed(1)} MIPS, best run ${fmt(mips(chromiumInterp?.best))}).`,
);
console.log(
  `Target (issue 7): ≥ 250 MIPS in Chromium with recording on, and ≥ 3× the interpreter: ` +
    `${m(chromiumRecorded).toFixed(1)} MIPS (${m(chromiumRecorded) >= 250 ? 'met' : 'not met'}), ` +
    `translated ÷ interpreter in Chromium ${ratio(m(chromiumTranslated), m(chromiumInterp))} recording off, ${ratio(m(chromiumRecorded), m(chromiumInterp))} recording on.`,
);
console.log(
  `Translators side by side, recording off: WebAssembly ÷ JavaScript ${ratio(m(chromiumTranslated), m(chromiumJs))} in Chromium, ${ratio(m(nodeTranslated), m(nodeJs))} in Node.`,
);

if (ubootRuns[0].length > 0) {
  const seconds = (runs: readonly GuestRun[]) => median(runs.map((r) => r.seconds));
  console.log(
    `U-Boot (OpenSBI fw_jump + S-mode U-Boot) from reset to its prompt in a Chromium worker, ${ubootRuns[0][0].instructions.toLocaleString('en')} instructions: ` +
      `interpreter ${seconds(ubootRuns[0]).toFixed(2)} s, translated ${seconds(ubootRuns[1]).toFixed(2)} s (medians of ${ubootRuns[0].length}; target ≤ 2 s: ${seconds(ubootRuns[1]) <= 2 ? 'met' : 'not met'}).`,
  );
} else {
  console.log('U-Boot boot time: firmware not fetched (npm run fetch-firmware), not measured.');
}

const machine = {
  nproc: cpus().length,
  cpuModel: /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown',
  loadBefore,
  loadAfter,
  node: process.version,
  chromium: browser,
  qemu: qemuVersion ?? 'skipped',
};
console.log(`Machine: ${machine.nproc} CPUs, ${machine.cpuModel}; load average before ${loadBefore}, after ${loadAfter}; Node ${machine.node}; Chromium ${machine.chromium}; ${machine.qemu}`);

mkdirSync(`${ROOT}bench/results`, { recursive: true });
writeFileSync(
  `${ROOT}bench/results/cpu.json`,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      command: `npx tsx bench/cpu/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
      options,
      instructions,
      machine,
      rows: rows.map((r) => ({ ...r, mips: mips(r.seconds), bestMips: mips(r.best), cpuMips: mips(r.cpuSeconds) })),
      qemuStartupSeconds: startup ?? null,
      runs: { modes: MODES, uboot: ubootRuns, node: nodeRuns, chromium: chromiumRuns, qemu: qemuRuns, qemuIcount: qemuIcountRuns, qemuStartup: qemuStartupRuns },
    },
    null,
    2,
  ),
);
console.log('Wrote bench/results/cpu.json');
