// Drives a Machine like `expect` over a serial line: runs slices, matches console output, types input.
import type { Machine } from '../emulator/machine.ts';
import type { ExpectSend } from './parseVmArgs.ts';

export interface HeadlessOptions {
  readonly script: readonly ExpectSend[];
  readonly until?: RegExp;
  readonly maxInstructions?: number;
  /** Instructions per slice; output is matched between slices. */
  readonly sliceInstructions?: number;
  readonly onOutput?: (bytes: Uint8Array) => void;
}

/** Why the session ended and the CLI exit status that goes with it (design.md §10). */
export interface HeadlessOutcome {
  readonly status: 0 | 1 | 3;
  readonly reason: 'until' | 'poweroff' | 'reboot' | 'htif-pass' | 'htif-fail' | 'guest-fail' | 'max-instructions' | 'input-exhausted';
  readonly message: string;
}

const DEFAULT_SLICE = 1_000_000;
const KEEP_TEXT = 1 << 20;

export class HeadlessSession {
  /** Console text not yet consumed by a match. */
  private text = '';
  private step = 0;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly encoder = new TextEncoder();
  /** True after a slice ended because the guest waits for input. */
  waitingForInput = false;
  /** Instructions executed by this session. */
  executed = 0;

  constructor(
    readonly machine: Machine,
    private readonly options: HeadlessOptions,
  ) {}

  /** Delivers input bytes to the guest now. */
  type(bytes: Uint8Array): void {
    this.machine.sendInput(bytes);
  }

  /** Runs one slice; returns an outcome when the session is over. */
  runSlice(): HeadlessOutcome | undefined {
    const { machine, options } = this;
    let budget = options.sliceInstructions ?? DEFAULT_SLICE;
    if (options.maxInstructions !== undefined) budget = Math.min(budget, options.maxInstructions - this.executed);
    const result = machine.run(budget);
    this.executed += result.executed;
    this.waitingForInput = result.reason === 'waiting-for-input';
    const out = machine.drainOutput();
    if (out.length > 0) {
      options.onOutput?.(out);
      this.text += this.decoder.decode(out, { stream: true });
      if (this.text.length > KEEP_TEXT) this.text = this.text.slice(this.text.length - KEEP_TEXT);
    }
    const matched = this.match();
    if (matched !== undefined) return matched;
    switch (result.reason) {
      case 'budget':
      case 'waiting-for-input':
      case 'breakpoint':
      case 'watchpoint':
        break;
      case 'poweroff':
        if (result.exitCode === 0 || result.exitCode === undefined) return { status: 0, reason: 'poweroff', message: 'the guest powered off' };
        return { status: 1, reason: 'guest-fail', message: `the guest reported failure with code ${result.exitCode}` };
      case 'reboot':
        return { status: 0, reason: 'reboot', message: 'the guest asked for a reboot; stopping' };
      case 'htif-exit':
        if (result.exitCode === 0) return { status: 0, reason: 'htif-pass', message: 'HTIF test passed' };
        return { status: 1, reason: 'htif-fail', message: `HTIF test failed with code ${result.exitCode}` };
      default: {
        const unreachable: never = result.reason;
        throw new Error(`unknown stop reason ${String(unreachable)}`);
      }
    }
    if (options.maxInstructions !== undefined && this.executed >= options.maxInstructions) {
      return { status: 3, reason: 'max-instructions', message: `--max-instructions ${options.maxInstructions} ran out` };
    }
    return undefined;
  }

  /** Sends the next scripted text for each --expect that matched; reports a --until match. */
  private match(): HeadlessOutcome | undefined {
    const { script, until } = this.options;
    while (this.step < script.length) {
      const m = script[this.step].expect.exec(this.text);
      if (m === null) return undefined;
      this.text = this.text.slice(m.index + m[0].length);
      this.machine.sendInput(this.encoder.encode(script[this.step].send));
      this.step++;
    }
    if (until !== undefined && until.test(this.text)) return { status: 0, reason: 'until', message: `--until ${until.source} matched` };
    return undefined;
  }

  /** True when every --expect has been answered. */
  get scriptDone(): boolean {
    return this.step >= this.options.script.length;
  }
}
