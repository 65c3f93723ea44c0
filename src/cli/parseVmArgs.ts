// Command-line arguments of `npm run vm` (design.md §10), parsed into a typed request or a usage error.

export interface ExpectSend {
  readonly expect: RegExp;
  readonly send: string;
}

export interface VmArgs {
  readonly bios: string;
  readonly kernel?: string;
  readonly memoryMiB?: number;
  readonly maxInstructions?: number;
  readonly script: readonly ExpectSend[];
  readonly until?: RegExp;
  readonly stats: boolean;
  readonly help: boolean;
  /** --record FILE: run through the runtime and write the recording there. */
  readonly record?: string;
  /** --replay FILE: read a recording (with --print-state, and --seek SEQ). */
  readonly replay?: string;
  readonly seek?: number;
  readonly printState?: boolean;
  /** --verify FILE: re-execute a recording and check its effects. */
  readonly verify?: string;
  /** --interpret: run without block translation (the same states at the same icounts, slower). */
  readonly interpret?: boolean;
}

/** A problem with the command line; the CLI prints it with the usage and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: npm run vm -- [IMAGE] [--bios FILE] [--kernel FILE] [--memory MIB]
                     [--max-instructions N] [--expect REGEX --send TEXT]...
                     [--until REGEX] [--stats] [--interpret] [--record FILE]
       npm run vm -- --replay FILE [--seek SEQ] --print-state [--interpret]
       npm run vm -- --verify FILE [--interpret]

Runs a RISC-V RV64 guest headless on the QEMU virt-compatible board.

  IMAGE, --bios FILE     ELF or raw binary (told apart by its magic) loaded at 0x80000000
                         and started there with a0 = hart id, a1 = device tree address
  --kernel FILE          raw payload at 0x80200000 (like QEMU's -kernel beside -bios)
  --memory MIB           RAM size (default 128)
  --max-instructions N   stop after N instructions (exit status 3)
  --expect REGEX         wait until the console output matches REGEX, then ...
                         (a $ that is not at the end of REGEX stands for itself: '$ ' is a prompt)
  --send TEXT            ... type TEXT (escapes: \\r \\n \\t \\\\ \\xNN)
  --until REGEX          stop when the console output matches REGEX (exit status 0)
  --stats                print {"instructions":…,"seconds":…,"mips":…} on stderr at the end
  --interpret            interpret every instruction instead of translating hot blocks into
                         JavaScript: the same states at the same instruction counts, slower
  --record FILE          run through the same runtime as the app (expect/send scripted, no
                         stdin) and write the recording: a file the app imports
  --replay FILE          read a recording (exported by the app or made with --record) ...
  --seek SEQ             ... go to just after event SEQ (default: the last) ...
  --print-state          ... and print the machine there as JSON (pc, registers, CSRs, hash)
  --verify FILE          re-execute a recording and check every recorded effect
                         (exit 0 when equal, 1 with the first diverging seq)
  --help                 this text

Console output goes to stdout; stdin feeds the UART when it is a terminal (raw mode,
Ctrl-A x quits) or a pipe.

Exit status: 0 when --until matched, the guest powered off cleanly or an HTIF test
passed; 1 when the guest reported a failure (code on stderr); 2 for bad arguments or an
unreadable image; 3 when --max-instructions ran out first (or the guest waits for
input that cannot come).`;

/** Turns the escapes of a --send TEXT into the characters they stand for. */
export function unescapeText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const n = text[++i];
    switch (n) {
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case '\\':
        out += '\\';
        break;
      case 'x': {
        const hex = text.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new UsageError(`--send: \\x must be followed by two hex digits in ${JSON.stringify(text)}`);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 2;
        break;
      }
      default:
        out += '\\' + n;
    }
  }
  return out;
}

/**
 * A `$` anywhere but at the end of a pattern can never match in a console regex, so it is taken as
 * the character: `--expect '$ '` waits for a shell prompt, as a person writing it means.
 */
export function literalDollars(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      out += c + (source[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c === '$' && !inClass && i < source.length - 1 && source[i + 1] !== '|' && source[i + 1] !== ')' ? '\\$' : c;
  }
  return out;
}

function regex(flag: string, source: string): RegExp {
  try {
    return new RegExp(literalDollars(source));
  } catch (e) {
    throw new UsageError(`${flag}: ${JSON.stringify(source)} is not a valid regular expression (${(e as Error).message})`);
  }
}

function positiveInteger(flag: string, value: string, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`${flag} takes a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

export function parseVmArgs(argv: readonly string[]): VmArgs {
  let bios: string | undefined;
  let kernel: string | undefined;
  let memoryMiB: number | undefined;
  let maxInstructions: number | undefined;
  let until: RegExp | undefined;
  let stats = false;
  let help = false;
  let record: string | undefined;
  let replay: string | undefined;
  let seek: number | undefined;
  let printState = false;
  let verify: string | undefined;
  let interpret = false;
  const script: ExpectSend[] = [];
  let pendingExpect: RegExp | undefined;
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--record':
        record = value(i++, a);
        break;
      case '--replay':
        replay = value(i++, a);
        break;
      case '--seek':
        seek = positiveInteger(a, value(i++, a), Number.MAX_SAFE_INTEGER);
        break;
      case '--print-state':
        printState = true;
        break;
      case '--verify':
        verify = value(i++, a);
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      case '--bios':
        if (bios !== undefined) throw new UsageError('give the firmware once: either IMAGE or --bios FILE');
        bios = value(i++, a);
        break;
      case '--kernel':
        kernel = value(i++, a);
        break;
      case '--memory':
        memoryMiB = positiveInteger(a, value(i++, a), 2048);
        break;
      case '--max-instructions':
        maxInstructions = positiveInteger(a, value(i++, a), Number.MAX_SAFE_INTEGER);
        break;
      case '--expect':
        if (pendingExpect !== undefined) throw new UsageError('each --expect needs its --send before the next --expect');
        pendingExpect = regex(a, value(i++, a));
        break;
      case '--send':
        if (pendingExpect === undefined) throw new UsageError('--send must follow an --expect');
        script.push({ expect: pendingExpect, send: unescapeText(value(i++, a)) });
        pendingExpect = undefined;
        break;
      case '--until':
        until = regex(a, value(i++, a));
        break;
      case '--stats':
        stats = true;
        break;
      case '--interpret':
        interpret = true;
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        if (bios !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(a)}: the image is already ${JSON.stringify(bios)}`);
        bios = a;
    }
  }
  if (pendingExpect !== undefined) throw new UsageError('the last --expect has no --send');
  const mode = interpret ? { interpret } : {};
  if (help) return { bios: bios ?? '', script, stats, help };
  if (verify !== undefined || replay !== undefined) {
    if (bios !== undefined || record !== undefined) throw new UsageError('--replay and --verify read a recording; they take no image and no --record');
    if (replay !== undefined && !printState) throw new UsageError('--replay needs --print-state (what to do at the point it seeks to)');
    if (seek !== undefined && replay === undefined) throw new UsageError('--seek goes with --replay FILE');
    return { bios: '', script, stats, help, ...mode, ...(verify !== undefined ? { verify } : {}), ...(replay !== undefined ? { replay, printState } : {}), ...(seek !== undefined ? { seek } : {}) };
  }
  if (seek !== undefined || printState) throw new UsageError('--seek and --print-state go with --replay FILE');
  if (bios === undefined) throw new UsageError('no image: give IMAGE or --bios FILE');
  return { bios, kernel, memoryMiB, maxInstructions, script, until, stats, help, ...mode, ...(record !== undefined ? { record } : {}) };
}
