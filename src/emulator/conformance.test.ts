// Runs the conformance programs of guests/conformance on the Machine and compares their console output with QEMU's.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from './machine.ts';

const DIR = fileURLToPath(new URL('../../guests/conformance/', import.meta.url));
const BUDGET = 50_000_000;
const SLICE = 1_000_000;

const programs = readdirSync(DIR)
  .filter((f) => f.endsWith('.S'))
  .map((f) => f.slice(0, -2))
  .sort();

const qemu = spawnSync('qemu-system-riscv64', ['--version'], { encoding: 'utf8' });
const hasQemu = qemu.status === 0;

interface Outcome {
  readonly reason: string;
  readonly exitCode: number | undefined;
  readonly output: string;
}

function runOnMachine(elf: Uint8Array, name: string): Outcome {
  const machine = new Machine({ bios: elf, biosName: name });
  const chunks: number[] = [];
  let total = 0;
  for (;;) {
    const result = machine.run(SLICE);
    chunks.push(...machine.drainOutput());
    total += result.executed;
    if (result.reason !== 'budget' || total >= BUDGET) {
      return { reason: result.reason, exitCode: result.exitCode, output: Buffer.from(chunks).toString('latin1') };
    }
  }
}

function runOnQemu(elfPath: string): string {
  const run = spawnSync(
    'qemu-system-riscv64',
    ['-machine', 'virt', '-icount', 'shift=0', '-nographic', '-bios', elfPath, '-monitor', 'none', '-serial', 'stdio'],
    { encoding: 'latin1', timeout: 30_000, input: '' },
  );
  return run.stdout;
}

describe('conformance programs', () => {
  it('are all built', () => {
    expect(programs.length).toBeGreaterThan(0);
    for (const name of programs) expect(existsSync(join(DIR, 'bin', `${name}.elf`)), `${name}.elf (run guests/conformance/build.sh)`).toBe(true);
  });

  for (const name of programs) {
    const elfPath = join(DIR, 'bin', `${name}.elf`);
    const expectedPath = join(DIR, 'expected', `${name}.txt`);

    it(`${name} passes on this machine with the console output QEMU recorded`, () => {
      const outcome = runOnMachine(new Uint8Array(readFileSync(elfPath)), `${name}.elf`);
      expect(outcome.output).toBe(readFileSync(expectedPath, 'latin1'));
      expect(outcome.output.endsWith('PASS\n')).toBe(true);
      expect({ reason: outcome.reason, exitCode: outcome.exitCode }).toEqual({ reason: 'poweroff', exitCode: 0 });
    });

    const qemuTitle = hasQemu
      ? `${name} prints byte for byte what it prints on QEMU`
      : `${name} is not compared with a live QEMU run (skipped: qemu-system-riscv64 is not installed)`;
    it.skipIf(!hasQemu)(qemuTitle, () => {
      const ours = runOnMachine(new Uint8Array(readFileSync(elfPath)), `${name}.elf`).output;
      expect(ours).toBe(runOnQemu(elfPath));
    });
  }
});

describe('HTIF test binaries (tohost/fromhost; QEMU virt has no HTIF, so these run here only)', () => {
  const run = (name: string) => runOnMachine(new Uint8Array(readFileSync(join(DIR, 'bin', `${name}.elf`))), `${name}.elf`);

  it('a passing binary exits through tohost with code 0 after printing on the UART and the HTIF console', () => {
    expect(run('htif-pass')).toEqual({ reason: 'htif-exit', exitCode: 0, output: 'htif: uart\nh\n' });
  });

  it('a failing binary exits through tohost with its code', () => {
    expect(run('htif-exit7')).toEqual({ reason: 'htif-exit', exitCode: 7, output: 'htif: failing with 7\n' });
  });
});
