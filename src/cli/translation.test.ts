// Differential: the machine with block translation and the interpreter alone, in lockstep on every
// guest program, the conformance programs and the real firmware, reach identical state hashes at
// identical instruction counts (design.md's determinism contract holds with translation on).
import { readdirSync, readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BlockBackend } from '../emulator/cpu/blocks.ts';
import { Machine, type MachineConfig, type RunResult } from '../emulator/machine.ts';
import { FIRMWARE, FIRMWARE_MISSING, firmwarePresent } from './firmwarePaths.ts';

const GUESTS = new URL('../../public/guests/', import.meta.url);
const CONFORMANCE = new URL('../../guests/conformance/bin/', import.meta.url);

interface Step {
  /** Text that must have appeared in the console (counted from the previous step) before `send`. */
  readonly after: string;
  readonly send: string;
}

interface Lockstep {
  readonly icount: number;
  readonly reason: string;
  readonly output: string;
  readonly blocks: number;
  readonly hashes: number;
}

/** A small deterministic generator of slice lengths, so slices end at odd places inside blocks. */
function slices(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s >>> 8;
    // Mostly long slices, sometimes very short ones (1..16 instructions).
    return r % 5 === 0 ? 1 + (r % 16) : 1000 + (r % 400_000);
  };
}

/**
 * Runs two machines of the same configuration, one translating and one interpreting, slice by
 * slice; after every slice the run results, icount and pc must agree, and every few slices the
 * state hash. Input is typed into both at the same icount.
 */
let backend: BlockBackend = 'wasm';

function lockstep(
  config: MachineConfig,
  steps: readonly Step[],
  until: RegExp | undefined,
  maxInstructions: number,
  seed = 1,
  threshold?: number,
): Lockstep {
  const fast = new Machine({ ...config, translate: { threshold, backend } });
  expect(fast.cpu.blocks?.backend).toBe(backend);
  const slow = new Machine({ ...config, translate: false });
  const next = slices(seed);
  let output = '';
  let sinceStep = '';
  let stepIndex = 0;
  let hashes = 0;
  let slice = 0;
  let result: RunResult = { reason: 'budget', executed: 0 };
  while (fast.icount < maxInstructions) {
    const n = next();
    result = fast.run(n);
    const other = slow.run(n);
    expect(other, `run(${n}) at slice ${slice}`).toEqual(result);
    expect(slow.icount).toBe(fast.icount);
    expect(slow.pc).toBe(fast.pc);
    const out = Buffer.from(fast.drainOutput()).toString('latin1');
    expect(Buffer.from(slow.drainOutput()).toString('latin1')).toBe(out);
    output += out;
    sinceStep += out;
    if (++slice % 25 === 0) {
      expect(slow.stateHash(), `state hash at icount ${fast.icount}`).toBe(fast.stateHash());
      hashes++;
    }
    if (result.reason !== 'budget' && result.reason !== 'waiting-for-input') break;
    const step = steps[stepIndex];
    if (step !== undefined && sinceStep.includes(step.after)) {
      const bytes = new Uint8Array(Buffer.from(step.send, 'latin1'));
      fast.sendInput(bytes);
      slow.sendInput(bytes);
      stepIndex++;
      sinceStep = '';
    } else if (until !== undefined && stepIndex >= steps.length && until.test(output)) {
      break;
    } else if (result.reason === 'waiting-for-input') {
      throw new Error(`the guest waits for input that no step gives (console ends with ${JSON.stringify(output.slice(-80))})`);
    }
  }
  expect(slow.stateHash(), `final state hash at icount ${fast.icount}`).toBe(fast.stateHash());
  expect(stepIndex, 'every step was typed').toBe(steps.length);
  return { icount: fast.icount, reason: result.reason, output, blocks: fast.blocksCompiled, hashes: hashes + 1 };
}

interface Manifest {
  readonly images: readonly { kind: string; file: string; prompt?: string; programs?: readonly { command: string; until: string }[] }[];
}

const manifest = JSON.parse(readFileSync(new URL('manifest.json', GUESTS), 'utf8')) as Manifest;
const os = manifest.images.find((i) => i.kind === 'os')!;

// Both translators: WebAssembly (the default) and JavaScript (where a host has no WebAssembly).
describe.each(['wasm', 'js'] as const)('block translation into %s against the interpreter', (translator) => {
  beforeEach(() => {
    backend = translator;
  });

  it.each([undefined, 1])('runs the OS and every program in it identically (hot threshold %s)', (threshold) => {
    const prompt = os.prompt!;
    const programs = os.programs!;
    const steps = programs.map((p) => ({ after: prompt, send: `${p.command}\r` }));
    const last = new RegExp(programs[programs.length - 1].until);
    const run = lockstep({ bios: new Uint8Array(readFileSync(new URL(os.file, GUESTS))), biosName: os.file }, steps, last, 400_000_000, 1, threshold);
    for (const p of os.programs!) expect(run.output).toMatch(new RegExp(p.until));
    expect(run.blocks).toBeGreaterThan(20);
  });

  it('runs the CPU benchmark identically (first 60M instructions)', () => {
    const run = lockstep({ bios: new Uint8Array(readFileSync(new URL('bench.elf', GUESTS))), biosName: 'bench.elf' }, [], undefined, 60_000_000, 7);
    expect(run.icount).toBeGreaterThanOrEqual(60_000_000);
    expect(run.blocks).toBeGreaterThan(10);
  });

  const programs = readdirSync(CONFORMANCE).filter((f) => f.endsWith('.elf'));
  // Every block translated the first time it runs, so these short programs go through the translator.
  it.each(programs)('runs conformance program %s identically, every block translated', (file) => {
    const run = lockstep({ bios: new Uint8Array(readFileSync(new URL(file, CONFORMANCE))), biosName: file }, [], undefined, 50_000_000, file.length, 1);
    expect(['poweroff', 'htif-exit']).toContain(run.reason);
    expect(run.blocks).toBeGreaterThan(0);
  });
});

describe.skipIf(!firmwarePresent()).each(['wasm', 'js'] as const)(`block translation into %s on real firmware (${firmwarePresent() ? 'Debian opensbi and u-boot-qemu' : FIRMWARE_MISSING})`, (translator) => {
  beforeEach(() => {
    backend = translator;
  });

  it('boots OpenSBI + S-mode U-Boot and answers commands identically', () => {
    const steps = [
      { after: '=> ', send: 'version\r' },
      { after: '=> ', send: 'printenv\r' },
      { after: '=> ', send: 'md 0x80200000 8\r' },
    ];
    const config = { bios: readFileSync(FIRMWARE.fwJump), biosName: 'fw_jump.bin', kernel: readFileSync(FIRMWARE.ubootSmode), kernelName: 'u-boot.bin' };
    const run = lockstep(config, steps, /80200000:/, 400_000_000, 3, 1);
    expect(run.output).toContain('U-Boot 2023.01');
    expect(run.output).toContain('riscv64-linux-gnu-gcc');
    expect(run.blocks).toBeGreaterThan(20);
  });

  it('runs M-mode U-Boot to a clean poweroff identically', () => {
    const steps = [
      { after: '=> ', send: 'bdinfo\r' },
      { after: '=> ', send: 'poweroff\r' },
    ];
    const run = lockstep({ bios: readFileSync(FIRMWARE.ubootMmode), biosName: 'u-boot.bin' }, steps, undefined, 400_000_000, 5);
    expect(run.reason).toBe('poweroff');
  });
});
