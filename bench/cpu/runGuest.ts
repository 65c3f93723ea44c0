// Runs a bare-metal guest on this project's Machine to poweroff in timed slices; shared by Node and the Chromium worker.
import { Machine, type StopReason } from '../../src/emulator/machine.ts';

/** The last console line of a complete bench.elf run (guests/bench prints it just before powering off). */
export const EXPECTED_DONE_LINE = 'bench: done, checksum 7bc10f97d8a97306';

/** Instructions per `run()` call: large enough that the loop around it costs nothing measurable. */
export const DEFAULT_SLICE = 10_000_000;

/** Instruction budget of `--quick` runs (the full program is about 394M instructions). */
export const QUICK_LIMIT = 50_000_000;

export interface GuestRunOptions {
  /** Instructions per `Machine.run` call. */
  readonly slice: number;
  /** Stop after this many instructions even without poweroff (quick mode); undefined runs to the end. */
  readonly limit?: number;
  /** Translate hot blocks (the machine's default: into WebAssembly; 'js': into JavaScript) or interpret only. */
  readonly translate?: boolean | 'js';
  /** Run through the app's runtime with every effect recorded in an event store (bench/cpu/recorded.ts). */
  readonly record?: boolean;
  /** Other images than bench.elf: URLs of firmware and payload (the Chromium page fetches them). */
  readonly images?: { readonly bios: string; readonly kernel?: string };
  /** Stop as soon as the console shows this text (a firmware prompt), reason 'until'. */
  readonly until?: string;
}

export interface GuestRun {
  readonly instructions: number;
  /** Wall time spent inside `run()` only (machine construction excluded). */
  readonly seconds: number;
  /** CPU time of the same span when the host can tell (Node: the whole process, JIT and GC threads included). */
  readonly cpuSeconds?: number;
  readonly setupSeconds: number;
  readonly reason: StopReason | 'until';
  readonly exitCode?: number;
  /** The last few hundred bytes the guest wrote to the UART. */
  readonly consoleTail: string;
}

const TAIL_BYTES = 400;

/** Runs `image` from reset until poweroff (or `limit`), timing with `now` and, if given, `cpuNow` (both in milliseconds). */
export function runGuest(image: Uint8Array, options: GuestRunOptions, now: () => number, cpuNow?: () => number, kernel?: Uint8Array): GuestRun {
  const t0 = now();
  const machine = new Machine({ bios: image, biosName: options.images?.bios ?? 'bench.elf', translate: options.translate === 'js' ? { backend: 'js' } : (options.translate ?? true), ...(kernel ? { kernel } : {}) });
  const t1 = now();
  const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
  const decoder = new TextDecoder();
  let tail = '';
  let reason: StopReason | 'until' = 'budget';
  let exitCode: number | undefined;
  const c2 = cpuNow?.() ?? 0;
  const t2 = now();
  while (machine.icount < limit) {
    const result = machine.run(Math.min(options.slice, limit - machine.icount));
    reason = result.reason;
    exitCode = result.exitCode;
    const out = machine.drainOutput();
    if (out.length > 0) tail = (tail + decoder.decode(out)).slice(-TAIL_BYTES);
    if (options.until !== undefined && tail.includes(options.until)) {
      reason = 'until';
      break;
    }
    if (reason !== 'budget') break;
  }
  const t3 = now();
  const c3 = cpuNow?.() ?? 0;
  return {
    instructions: machine.icount,
    seconds: (t3 - t2) / 1000,
    ...(cpuNow === undefined ? {} : { cpuSeconds: (c3 - c2) / 1000 }),
    setupSeconds: (t1 - t0) / 1000,
    reason,
    ...(exitCode === undefined ? {} : { exitCode }),
    consoleTail: tail,
  };
}
