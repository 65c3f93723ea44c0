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
