// `npm run vm -- …`: runs a guest headless with the console on stdin/stdout (design.md §10).
import { readFileSync, fstatSync } from 'node:fs';
import { Machine } from '../emulator/machine.ts';
import { TIMEBASE_HZ } from '../emulator/layout.ts';
import { ImageFormatError } from '../emulator/loaders/ImageFormatError.ts';
import { HeadlessSession, type HeadlessOutcome } from './HeadlessSession.ts';
import { parseVmArgs, USAGE, UsageError, type VmArgs } from './parseVmArgs.ts';
import { printState, record, verifyFile } from './recording.ts';
import { setTranslation } from '../runtime/replay.ts';
import { VmError } from '../domain/index.ts';

/** --record, --replay and --verify go through the runtime; their errors exit 2 with the message. */
async function recordingCommand(args: VmArgs): Promise<number> {
  const write = (text: string) => void process.stdout.write(text);
  setTranslation(args.interpret !== true);
  try {
    if (args.verify !== undefined) return await verifyFile(args.verify, write);
    if (args.replay !== undefined) return await printState(args.replay, args.seek, write);
    const bios = { name: args.bios, bytes: readImageFile(args.bios, 'image') };
    const kernel = args.kernel === undefined ? undefined : { name: args.kernel, bytes: readImageFile(args.kernel, 'kernel') };
    return await record({ file: args.record!, bios, ...(kernel ? { kernel } : {}), ...(args.memoryMiB ? { memoryMiB: args.memoryMiB } : {}), script: args.script, ...(args.until ? { until: args.until } : {}) }, write);
  } catch (e) {
    if (e instanceof VmError) fail(`${e.message}${e.hint ? ` ${e.hint}` : ''}`);
    throw e;
  }
}

const CTRL_A = 0x01;

function fail(message: string): never {
  process.stderr.write(`vm: ${message}\n`);
  process.exit(2);
}

function readImageFile(path: string, role: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    return fail(`cannot read ${role} ${JSON.stringify(path)}: ${why}`);
  }
}

function stdinFeeds(): boolean {
  if (process.stdin.isTTY) return true;
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  let args: VmArgs;
  try {
    args = parseVmArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) fail(`${e.message}\n\n${USAGE}`);
    throw e;
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (args.verify !== undefined || args.replay !== undefined || args.record !== undefined) {
    process.exitCode = await recordingCommand(args);
    return;
  }
  const bios = readImageFile(args.bios, 'image');
  const kernel = args.kernel === undefined ? undefined : readImageFile(args.kernel, 'kernel');
  let machine: Machine;
  try {
    machine = new Machine({ bios, biosName: args.bios, kernel, kernelName: args.kernel, memoryMiB: args.memoryMiB, translate: args.interpret !== true });
  } catch (e) {
    if (e instanceof ImageFormatError || e instanceof RangeError) fail(e.message);
    throw e;
  }

  const session = new HeadlessSession(machine, {
    script: args.script,
    until: args.until,
    maxInstructions: args.maxInstructions,
    onOutput: (bytes) => process.stdout.write(bytes),
  });

  let inputOpen = false;
  let wake: (() => void) | undefined;
  let quit = false;
  if (stdinFeeds()) {
    inputOpen = true;
    const tty = process.stdin.isTTY === true;
    if (tty) process.stdin.setRawMode(true);
    let sawCtrlA = false;
    process.stdin.on('data', (chunk: Buffer) => {
      let bytes = new Uint8Array(chunk);
      if (tty) {
        // Ctrl-A x quits, as in QEMU's -nographic console; Ctrl-A Ctrl-A sends one Ctrl-A.
        const kept: number[] = [];
        for (const b of bytes) {
          if (sawCtrlA) {
            sawCtrlA = false;
            if (b === 0x78 || b === 0x58) quit = true;
            else kept.push(b);
          } else if (b === CTRL_A) sawCtrlA = true;
          else kept.push(b);
        }
        bytes = Uint8Array.from(kept);
      }
      if (bytes.length > 0) session.type(bytes);
      wake?.();
    });
    process.stdin.on('end', () => {
      inputOpen = false;
      wake?.();
    });
  }

  // On a terminal, virtual time is paced to wall time (so a person can hit a key during U-Boot's
  // countdown); results never depend on pacing, only how long they take to arrive.
  const pace = process.stdin.isTTY === true;
  const virtualMs = (): number => (Number(machine.csr(0xc01) ?? 0n) / TIMEBASE_HZ) * 1000;

  const started = performance.now();
  let outcome: HeadlessOutcome | undefined;
  while (outcome === undefined && !quit) {
    outcome = session.runSlice();
    if (outcome !== undefined) break;
    if (session.waitingForInput) {
      if (!inputOpen) {
        outcome = { status: 3, reason: 'input-exhausted', message: 'the guest waits for input and none can come' };
        break;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    } else {
      const ahead = pace ? virtualMs() - (performance.now() - started) : 0;
      // Let stdin events in between slices; on a terminal, wait while the guest is ahead of the clock.
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (ahead > 5) setTimeout(resolve, Math.min(ahead, 100));
        else setImmediate(resolve);
      });
      wake = undefined;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  process.stdin.pause();
  process.stdin.destroy();
  if (args.stats) {
    const mips = seconds > 0 ? session.executed / seconds / 1e6 : 0;
    process.stderr.write(
      JSON.stringify({ instructions: session.executed, seconds: Number(seconds.toFixed(3)), mips: Number(mips.toFixed(2)) }) + '\n',
    );
  }
  if (outcome === undefined) {
    process.stderr.write('\nvm: quit from the console\n');
    process.exitCode = 0;
    return;
  }
  if (outcome.status !== 0 || outcome.reason === 'reboot') process.stderr.write(`\nvm: ${outcome.message}\n`);
  process.exitCode = outcome.status;
}

main().catch((e: unknown) => {
  process.stderr.write(`vm: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(70);
});
