// Disassembler entry points: one instruction (32-bit or compressed) in GNU objdump's syntax, and instruction lengths.
import { disassemble32 } from './disassemble32.ts';
import { disassembleCompressed } from './disassembleCompressed.ts';

/**
 * The length in bytes of the instruction whose first 16 bits are `low16` (Unpriv. spec 1.5):
 * 2 for compressed, 4 for 32-bit, and 6, 8 or more for the longer encodings, which this machine
 * does not implement (they are illegal instructions here), or 0 for the reserved >= 192-bit space.
 */
export function instructionLength(low16: number): number {
  if ((low16 & 0b11) !== 0b11) return 2;
  if ((low16 & 0b11100) !== 0b11100) return 4;
  if ((low16 & 0b111111) === 0b011111) return 6;
  if ((low16 & 0b1111111) === 0b0111111) return 8;
  const nnn = (low16 >>> 12) & 7;
  return nnn === 7 ? 0 : 10 + 2 * nnn;
}

/**
 * Disassembles the instruction at `pc` whose bits are `word` (a compressed instruction uses the low
 * 16 bits; the upper bits are ignored). Output is objdump's: mnemonic, a tab, comma-separated
 * operands, default aliases, branch targets as absolute hex; unknown encodings as `.2byte`/`.4byte`.
 */
export function disassemble(word: number, pc: bigint): string {
  return (word & 3) === 3 ? disassemble32(word, pc) : disassembleCompressed(word, pc);
}

/** One decoded instruction of a listing. */
export interface DisassembledInstruction {
  readonly address: bigint;
  /** 2 or 4 for instructions this machine decodes; other lengths are listed as one `.2byte` unit. */
  readonly length: number;
  /** The instruction bits (the low 16 for a compressed one). */
  readonly bits: number;
  readonly text: string;
}

/**
 * Disassembles consecutive instructions from `bytes`, whose first byte is at `address`, as objdump
 * lists them. A trailing fragment too short for its instruction is listed as `.2byte`; encodings
 * longer than 32 bits (not implemented here) are listed 16 bits at a time.
 */
export function disassembleBytes(bytes: Uint8Array, address: bigint): DisassembledInstruction[] {
  const out: DisassembledInstruction[] = [];
  let offset = 0;
  while (offset + 2 <= bytes.length) {
    const low = bytes[offset] | (bytes[offset + 1] << 8);
    const length = instructionLength(low);
    const pc = address + BigInt(offset);
    if (length === 4 && offset + 4 <= bytes.length) {
      const word = (low | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
      out.push({ address: pc, length: 4, bits: word, text: disassemble(word, pc) });
      offset += 4;
    } else if (length === 2) {
      out.push({ address: pc, length: 2, bits: low, text: disassemble(low, pc) });
      offset += 2;
    } else {
      out.push({ address: pc, length: 2, bits: low, text: `.2byte\t0x${low.toString(16)}` });
      offset += 2;
    }
  }
  return out;
}
