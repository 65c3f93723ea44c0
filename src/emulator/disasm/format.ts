// Small formatting helpers shared by the 32-bit and compressed disassemblers.

const MASK64 = (1n << 64n) - 1n;

/** "mnemonic\toperands", or the bare mnemonic when there are no operands (objdump's layout). */
export function insn(mnemonic: string, ...operands: (string | number)[]): string {
  return operands.length === 0 ? mnemonic : `${mnemonic}\t${operands.join(',')}`;
}

/** A branch or jump target: pc + offset as 64-bit unsigned hex without 0x, as objdump prints it. */
export function target(pc: bigint, offset: number): string {
  return ((pc + BigInt(offset)) & MASK64).toString(16);
}

/** Hex with a 0x prefix, as objdump prints upper immediates and shift amounts. */
export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** Sign-extends the low `bits` bits of `value`. */
export function signExtend(value: number, bits: number): number {
  const shift = 32 - bits;
  return (value << shift) >> shift;
}

/** What objdump prints for an encoding it does not recognise. */
export function unknown(word: number, bytes: 2 | 4): string {
  return insn(`.${bytes}byte`, hex(bytes === 2 ? word & 0xffff : word >>> 0));
}
