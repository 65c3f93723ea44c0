// Checks the disassembler against GNU objdump's output for every instruction form, every CSR and random encodings.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { disassemble, disassembleBytes, instructionLength } from './disassemble.ts';

interface Expected {
  readonly pc: bigint;
  readonly word: number;
  readonly text: string;
  readonly raw: string;
}

/** objdump annotates some lines with `<symbol>` and `# address` comments that depend on context, not on the word. */
function withoutAnnotations(text: string): string {
  return text.replace(/ # .*$/, '').replace(/ <[^>]*>/g, '');
}

const fixture: Expected[] = readFileSync(new URL('./fixture/objdump.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const [address, encoding, ...text] = line.split('\t');
    return { pc: BigInt(`0x${address}`), word: Number.parseInt(encoding, 16), text: withoutAnnotations(text.join('\t')), raw: line };
  });

describe('disassemble', () => {
  it('has a fixture covering thousands of encodings', () => {
    expect(fixture.length).toBeGreaterThan(5000);
  });

  it('prints every fixture encoding exactly as objdump does', () => {
    const mismatches = fixture
      .map((e) => ({ e, actual: disassemble(e.word, e.pc) }))
      .filter(({ e, actual }) => actual !== e.text)
      .map(({ e, actual }) => `${e.raw}  ->  ${JSON.stringify(actual)}`);
    expect(mismatches.slice(0, 40), `${mismatches.length} mismatches`).toEqual([]);
  });

  it('prints branch targets relative to the pc it is given', () => {
    // beqz a0,-0x44
    expect(disassemble(0xfa050ee3, 0x8000_0010n)).toBe('beqz\ta0,7fffffcc');
    expect(disassemble(0xfa050ee3, 0x1000n)).toBe('beqz\ta0,fbc');
  });

  it('wraps targets below address zero to 64-bit hex', () => {
    expect(disassemble(0xffdff06f, 0n)).toBe('j\tfffffffffffffffc');
  });

  it('ignores the upper half of the word for a compressed instruction', () => {
    expect(disassemble(0xdead_8082, 0n)).toBe('ret');
  });
});

describe('instructionLength', () => {
  it('tells 16-, 32-, 48- and 64-bit encodings apart', () => {
    expect(instructionLength(0x8082)).toBe(2);
    expect(instructionLength(0x0513)).toBe(4);
    expect(instructionLength(0x001f)).toBe(6);
    expect(instructionLength(0x003f)).toBe(8);
    expect(instructionLength(0x007f)).toBe(10);
    expect(instructionLength(0x707f)).toBe(0);
  });

  it('agrees with the fixture on every encoding objdump decoded', () => {
    const wrong = fixture.filter((e) => instructionLength(e.word & 0xffff) !== (e.raw.split('\t')[1].length === 4 ? 2 : 4));
    expect(wrong.map((e) => e.raw)).toEqual([]);
  });
});

const OBJDUMP = 'riscv64-unknown-elf-objdump';
const hasObjdump = spawnSync(OBJDUMP, ['--version']).status === 0;
const conformanceBin = fileURLToPath(new URL('../../../guests/conformance/bin/', import.meta.url));

describe('disassemble on compiled programs', () => {
  it.skipIf(!hasObjdump)(
    hasObjdump
      ? 'prints the code of every conformance program as objdump does'
      : `is compared with objdump on the conformance programs (skipped: ${OBJDUMP} is not installed)`,
    () => {
      const elves = readdirSync(conformanceBin).filter((f) => f.endsWith('.elf'));
      expect(elves.length).toBeGreaterThan(0);
      const mismatches: string[] = [];
      let compared = 0;
      for (const elf of elves) {
        const dump = execFileSync(OBJDUMP, ['-d', '-z', join(conformanceBin, elf)], { encoding: 'utf8' });
        for (const line of dump.split('\n')) {
          const m = /^\s*([0-9a-f]+):\t([0-9a-f]+) *\t(.*)$/.exec(line);
          if (!m) continue;
          const expected = withoutAnnotations(m[3]);
          // Data inside .text (a `.word` directive, zero alignment padding) is marked by mapping symbols,
          // which a one-word disassembler cannot see; objdump prints it as data, not as an instruction.
          if (/^\.(word|short|byte|dword)\t/.test(expected) || /^\.[24]byte\t0x0$/.test(expected)) continue;
          compared++;
          const actual = disassemble(Number.parseInt(m[2], 16), BigInt(`0x${m[1]}`));
          if (actual !== expected) mismatches.push(`${elf} ${m[1]} ${m[2]}: objdump ${JSON.stringify(expected)}, ours ${JSON.stringify(actual)}`);
        }
      }
      expect(compared).toBeGreaterThan(1000);
      expect(mismatches.slice(0, 20), `${mismatches.length} mismatches`).toEqual([]);
    },
  );
});

describe('disassembleBytes', () => {
  it('walks mixed 16- and 32-bit instructions at their addresses', () => {
    // c.li a0,5 ; addi a0,a0,1 ; c.jr ra
    const bytes = new Uint8Array([0x15, 0x45, 0x13, 0x05, 0x15, 0x00, 0x82, 0x80]);
    expect(disassembleBytes(bytes, 0x8000_0000n)).toEqual([
      { address: 0x8000_0000n, length: 2, bits: 0x4515, text: 'li\ta0,5' },
      { address: 0x8000_0002n, length: 4, bits: 0x00150513, text: 'add\ta0,a0,1' },
      { address: 0x8000_0006n, length: 2, bits: 0x8082, text: 'ret' },
    ]);
  });

  it('lists a cut-off 32-bit instruction and longer encodings 16 bits at a time', () => {
    expect(disassembleBytes(new Uint8Array([0x13, 0x05]), 0n).map((i) => i.text)).toEqual(['.2byte\t0x513']);
    expect(disassembleBytes(new Uint8Array([0x1f, 0x00, 0x00, 0x00]), 0n).map((i) => i.text)).toEqual(['.2byte\t0x1f', 'unimp']);
  });

  it('agrees with the fixture when the fixture words are laid out in memory', () => {
    // The random 16-bit encodings of the fixture are contiguous: rebuild the longest such run and list it again.
    const halves = fixture.filter((e) => e.raw.split('\t')[1].length === 4);
    let run: Expected[] = [];
    let current: Expected[] = [];
    for (const e of halves) {
      if (current.length > 0 && e.pc !== current[current.length - 1].pc + 2n) current = [];
      current.push(e);
      if (current.length > run.length) run = current;
    }
    expect(run.length).toBeGreaterThan(1000);
    const bytes = new Uint8Array(run.length * 2);
    run.forEach((e, i) => bytes.set([e.word & 0xff, e.word >>> 8], i * 2));
    const listed = disassembleBytes(bytes, run[0].pc);
    expect(listed.map((i) => i.text)).toEqual(run.map((e) => e.text));
  });
});
