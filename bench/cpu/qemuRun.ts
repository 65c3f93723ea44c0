// Runs an image in qemu-system-riscv64 (virt board, TCG) to poweroff and times the whole process.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const QEMU = 'qemu-system-riscv64';

export interface QemuRun {
  readonly args: readonly string[];
  /** Wall time from spawn to exit, start-up and shutdown included. */
  readonly seconds: number;
  /** User + system CPU seconds of the QEMU process (all its threads), from bash's `times`. */
  readonly cpuSeconds: number | undefined;
  readonly exitStatus: number | null;
  readonly consoleTail: string;
  /** What QEMU wrote to stderr (its error messages), without the CPU times. */
  readonly stderr: string;
}

const TAIL_CHARS = 400;

// bash runs QEMU and then reports its children's CPU times; its own start costs a few milliseconds of wall time.
const WRAPPER = `${QEMU} "$@"; status=$?; times >&2; exit $status`;
const TIMES = /\d+m[\d.]+s \d+m[\d.]+s\n(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/;

/** Spawns QEMU with `-bios image` plus `extra` and resolves when it exits (the guest powers off). */
export function runQemu(image: string, extra: readonly string[], timeoutMs: number): Promise<QemuRun> {
  const args = ['-machine', 'virt', '-nographic', '-bios', image, ...extra];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('bash', ['-c', WRAPPER, 'bench-cpu', ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out = (out + s).slice(-TAIL_CHARS)));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    // The wrapper leads its own process group, so a timeout ends QEMU too.
    const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start bash to run ${QEMU}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - t0) / 1000;
      clearTimeout(timer);
      if (signal !== null) reject(new Error(`${QEMU} ${args.join(' ')} was stopped by ${signal} after ${seconds.toFixed(1)} s${err ? `: ${err.trim()}` : ''}`));
      else {
        // `times` prints the shell's own user/system times, then its children's (QEMU's).
        const t = TIMES.exec(err);
        const cpuSeconds = t === null ? undefined : Number(t[1]) * 60 + Number(t[2]) + Number(t[3]) * 60 + Number(t[4]);
        const stderr = (t === null ? err : err.slice(0, t.index)).trim();
        resolve({ args, seconds, cpuSeconds, exitStatus: code, consoleTail: out, stderr });
      }
    });
  });
}

/**
 * Writes a five-instruction raw image that powers the virt board off at once (SiFive test device, 0x5555 at
 * 0x10_0000) into `dir` and returns its path: timing it gives QEMU's fixed start-up and shutdown cost.
 */
export function writePoweroffImage(dir: string): string {
  const words = [
    0x001002b7, // lui  t0, 0x100
    0x00005337, // lui  t1, 0x5
    0x55530313, // addi t1, t1, 0x555
    0x0062a023, // sw   t1, 0(t0)
    0x0000006f, // j    .
  ];
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'poweroff.bin');
  writeFileSync(file, bytes);
  return file;
}
