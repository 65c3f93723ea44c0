// Boots the built-in guest OS on our machine and under qemu-system-riscv64, runs each program and compares the consoles.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.ts';
import { readImage } from '../emulator/loaders/detectImage.ts';

interface ManifestProgram {
  readonly name: string;
  readonly command: string;
  readonly until: string;
}

interface ManifestImage {
  readonly name: string;
  readonly kind: 'os' | 'bare-metal' | 'os-program';
  readonly description: string;
  readonly file: string;
  readonly size: number;
  readonly sha256: string;
  readonly prompt?: string;
  readonly until?: string;
  readonly programs?: readonly ManifestProgram[];
}

const GUESTS = new URL('../../public/guests/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', GUESTS), 'utf8')) as {
  readonly images: readonly ManifestImage[];
};
const osImage = manifest.images.find((i) => i.kind === 'os');
if (osImage === undefined || osImage.programs === undefined || osImage.prompt === undefined) {
  throw new Error('public/guests/manifest.json has no OS image with a prompt and programs; run npm run build:guests');
}
const OS_PROGRAMS = osImage.programs;
const PROMPT = osImage.prompt;
const osBytes = new Uint8Array(readFileSync(new URL(osImage.file, GUESTS)));

const QEMU = 'qemu-system-riscv64';
const qemuInstalled = spawnSync(QEMU, ['--version'], { stdio: 'ignore' }).status === 0;
const QEMU_SKIP_NOTE = qemuInstalled ? '' : ` (skipped: ${QEMU} is not installed)`;

const BOOT_INSTRUCTION_LIMIT = 50_000_000;
const PROGRAM_INSTRUCTION_LIMIT = 200_000_000;
const SLICE = 1_000_000;

/** True once the program's last line is out and the shell has printed its prompt again. */
function programFinished(output: string, until: RegExp): boolean {
  const match = until.exec(output);
  return match !== null && output.endsWith(`\n${PROMPT}`) && output.length > match.index + match[0].length;
}

/** Runs until `done(output)` or the instruction limit; returns the console output and icount. */
function runMachine(machine: Machine, done: (output: string) => boolean, limit: number, output = '') {
  const decoder = new TextDecoder();
  const start = machine.icount;
  while (!done(output)) {
    if (machine.icount - start >= limit) {
      throw new Error(`no match within ${limit} instructions; console ends with: ${JSON.stringify(output.slice(-400))}`);
    }
    const result = machine.run(SLICE);
    output += decoder.decode(machine.drainOutput(), { stream: true });
    if (result.reason === 'poweroff' || result.reason === 'reboot' || result.reason === 'htif-exit') {
      throw new Error(`the guest stopped (${result.reason}); console ends with: ${JSON.stringify(output.slice(-400))}`);
    }
  }
  return output;
}

/** The console from reset until the prompt after `command` has finished, on our machine. */
function transcriptOnMachine(program: ManifestProgram): string {
  const machine = new Machine({ bios: osBytes, biosName: osImage!.file });
  const booted = runMachine(machine, (o) => o.endsWith(PROMPT), BOOT_INSTRUCTION_LIMIT);
  machine.sendInput(new TextEncoder().encode(`${program.command}\r`));
  const until = new RegExp(program.until);
  return runMachine(machine, (o) => programFinished(o, until), PROGRAM_INSTRUCTION_LIMIT, booted);
}

/** The same transcript under QEMU's virt board, typing into its serial console on stdio. */
function transcriptOnQemu(program: ManifestProgram): Promise<string> {
  const args = ['-machine', 'virt', '-m', '128M', '-smp', '1', '-display', 'none', '-monitor', 'none'];
  args.push('-serial', 'stdio', '-bios', new URL(osImage!.file, GUESTS).pathname);
  const qemu = spawn(QEMU, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const until = new RegExp(program.until);
  return new Promise<string>((resolve, reject) => {
    let output = '';
    let stderr = '';
    let typed = false;
    let transcript: string | undefined;
    const timer = setTimeout(() => {
      qemu.kill('SIGKILL');
      reject(new Error(`QEMU timed out; console ends with: ${JSON.stringify(output.slice(-400))}; stderr: ${stderr}`));
    }, 30_000);
    qemu.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('latin1')));
    qemu.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('latin1');
      if (!typed && output.endsWith(PROMPT)) {
        typed = true;
        qemu.stdin.write(`${program.command}\r`);
      } else if (typed && transcript === undefined && programFinished(output, until)) {
        transcript = output;
        qemu.stdin.write('poweroff\r');
      }
    });
    qemu.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    qemu.on('exit', () => {
      clearTimeout(timer);
      if (transcript === undefined) {
        reject(new Error(`QEMU exited early; console ends with: ${JSON.stringify(output.slice(-400))}; stderr: ${stderr}`));
      } else {
        resolve(Buffer.from(transcript, 'latin1').toString('utf8'));
      }
    });
  });
}

/** The program's own output: the text between the typed command's echo and the next prompt. */
function programOutput(transcript: string, program: ManifestProgram): string {
  const echo = `${PROMPT}${program.command}\r\n`;
  const start = transcript.lastIndexOf(echo);
  expect(start).toBeGreaterThanOrEqual(0);
  return transcript.slice(start + echo.length, transcript.length - PROMPT.length);
}

function lines(text: string): string[] {
  return text.split('\r\n').filter((l, i, all) => i < all.length - 1 || l !== '');
}

function symbolsOf(file: string): ReadonlyMap<string, bigint> {
  return readImage(new Uint8Array(readFileSync(new URL(file, GUESTS))), file).symbols;
}

/** What each program must print, checked independently of the manifest's `until` pattern. */
const EXPECTATIONS: Record<string, (out: string) => void> = {
  primes(out) {
    expect(out).toContain('primes:   25 below 100\r\n');
    expect(out).toContain('primes:  168 below 1000\r\n');
    expect(out).toContain('  283  293\r\n');
    expect(lines(out).at(-1)).toBe('primes: 1229 primes below 10000, the largest is 9973');
  },
  mandelbrot(out) {
    const rows = lines(out).slice(1, -1);
    expect(rows).toHaveLength(28);
    for (const row of rows) expect(row).toHaveLength(72);
    expect(rows[13]).toMatch(/@{20}/);
    expect(rows[0]).not.toContain('@');
    expect(lines(out).at(-1)).toMatch(/^mandelbrot: done, \d+ of 2016 cells inside, \d+ iterations in all$/);
  },
  life(out) {
    expect(out.startsWith('\x1b[2J\x1b[H')).toBe(true);
    expect(out.match(/generation +\d+, +\d+ alive/g)).toHaveLength(61);
    const frames = out.split('\x1b[H').slice(1);
    expect(frames).toHaveLength(61);
    expect(frames[0]).not.toBe(frames[1]);
    expect(lines(out).at(-1)).toMatch(/^life: 60 generations on a 48x18 torus, \d+ cells alive at the end$/);
  },
  sort(out) {
    const steps = lines(out).filter((l) => l.startsWith('step '));
    expect(steps).toHaveLength(15);
    const final = steps[14].replace(/[[\].]/g, ' ').trim().split(/ +/).slice(2).map(Number);
    expect(final).toHaveLength(16);
    expect(final).toEqual([...final].sort((a, b) => a - b));
    expect(lines(out).at(-1)).toMatch(/^sort: 16 values in order after \d+ moves, checksum [0-9a-f]{8}$/);
  },
  hog(out) {
    expect(out).toContain('hog:  512 pages ( 2048 KiB), 512 page faults served\r\n');
    expect(out).toContain('hog: refused after 512 pages (2048 KiB); 516 pages held in all, 0 damaged\r\n');
    expect(lines(out).at(-1)).toBe('hog: exiting returns every page to the kernel');
  },
  buggy(out) {
    expect(out).toContain('buggy: bonus of 1337 for zed (slot 8)\r\n');
    expect(out).not.toContain('never reached');
    const crash = /\[kernel\] buggy: load page fault at 0x0000000000000539 \(pc 0x([0-9a-f]{16})\), killed$/.exec(lines(out).at(-1) ?? '');
    expect(crash).not.toBeNull();
    // The walk-through in guests/README.md: the faulting load is in announce_leader.
    const symbols = symbolsOf('programs/buggy.elf');
    const pc = BigInt(`0x${crash![1]}`);
    expect(pc).toBeGreaterThanOrEqual(symbols.get('announce_leader')!);
    expect(pc).toBeLessThan(symbols.get('main')!);
  },
};

describe('built-in guest images', () => {
  it('lists every built image in the manifest with its real size and sha256', () => {
    expect(manifest.images.map((i) => i.name)).toEqual(expect.arrayContaining(['os', 'bench']));
    for (const image of manifest.images) {
      const bytes = readFileSync(new URL(image.file, GUESTS));
      expect(bytes.length, image.file).toBe(image.size);
      expect(createHash('sha256').update(bytes).digest('hex'), image.file).toBe(image.sha256);
    }
  });

  it('names an expectation for every program the OS offers', () => {
    expect(OS_PROGRAMS.map((p) => p.name).sort()).toEqual(Object.keys(EXPECTATIONS).sort());
  });

  it('reaches the OS prompt within 50 million instructions on our machine', () => {
    const machine = new Machine({ bios: osBytes });
    const output = runMachine(machine, (o) => o.endsWith(PROMPT), BOOT_INSTRUCTION_LIMIT);
    expect(output).toContain('VM Playground OS');
    expect(output).toContain('RAM: 128 MiB at 0x80000000\r\n');
    expect(machine.icount).toBeLessThanOrEqual(BOOT_INSTRUCTION_LIMIT);
  });

  it('finds the culprit of buggy where the README says: set_bonus stores over board.leader', () => {
    const symbols = symbolsOf('programs/buggy.elf');
    const setBonus = Number(symbols.get('set_bonus'));
    const leader = symbols.get('board')! + 64n;
    const machine = new Machine({ bios: osBytes });
    const booted = runMachine(machine, (o) => o.endsWith(PROMPT), BOOT_INSTRUCTION_LIMIT);
    machine.sendInput(new TextEncoder().encode('run buggy\r'));
    machine.breakpoints.add(setBonus);
    const targets: bigint[] = [];
    let output = booted;
    const decoder = new TextDecoder();
    while (!output.includes('killed')) {
      const result = machine.run(SLICE);
      output += decoder.decode(machine.drainOutput());
      if (result.reason === 'breakpoint') targets.push(machine.register(10) + machine.register(11) * 8n);
      expect(machine.icount).toBeLessThan(BOOT_INSTRUCTION_LIMIT + PROGRAM_INSTRUCTION_LIMIT);
    }
    // Three bonuses; only the third, for the unknown player, lands on board.leader.
    expect(targets).toHaveLength(3);
    expect(targets.slice(0, 2)).not.toContain(leader);
    expect(targets[2]).toBe(leader);
  });

  for (const program of OS_PROGRAMS) {
    let machineTranscript: string | undefined;
    const onMachine = () => (machineTranscript ??= transcriptOnMachine(program));

    it(`runs ${program.name} to its last line on our machine`, () => {
      EXPECTATIONS[program.name](programOutput(onMachine(), program));
    });

    it.skipIf(!qemuInstalled)(`prints the same console for ${program.name} under QEMU as on our machine${QEMU_SKIP_NOTE}`, async () => {
      const qemu = await transcriptOnQemu(program);
      EXPECTATIONS[program.name](programOutput(qemu, program));
      expect(onMachine()).toBe(qemu);
    });
  }

  it.skipIf(!qemuInstalled)(`runs the benchmark to its checksum and powers off under QEMU${QEMU_SKIP_NOTE}`, () => {
    const bench = manifest.images.find((i) => i.name === 'bench');
    expect(bench?.kind).toBe('bare-metal');
    const args = ['-machine', 'virt', '-m', '128M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio'];
    const run = spawnSync(QEMU, [...args, '-bios', new URL(bench!.file, GUESTS).pathname], {
      encoding: 'latin1',
      timeout: 30_000,
    });
    expect(run.status).toBe(0);
    const out = lines(run.stdout);
    expect(out.filter((l) => / rounds {2}checksum [0-9a-f]{16}$/.test(l))).toHaveLength(4);
    expect(out.at(-1)).toMatch(new RegExp(`^${bench!.until!}$`));
  });
});
