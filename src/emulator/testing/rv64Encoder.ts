// A tiny RV64 instruction encoder for tests: builds instruction words from fields (unpriv. spec chapter 2 formats).

export const R = (opcode: number, funct3: number, funct7: number, rd: number, rs1: number, rs2: number): number =>
  ((funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode) >>> 0;
export const I = (opcode: number, funct3: number, rd: number, rs1: number, imm: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode) >>> 0;
export const S = (opcode: number, funct3: number, rs1: number, rs2: number, imm: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((imm & 0x1f) << 7) | opcode) >>> 0;
export const B = (funct3: number, rs1: number, rs2: number, imm: number): number =>
  ((((imm >> 12) & 1) << 31) |
    (((imm >> 5) & 0x3f) << 25) |
    (rs2 << 20) |
    (rs1 << 15) |
    (funct3 << 12) |
    (((imm >> 1) & 0xf) << 8) |
    (((imm >> 11) & 1) << 7) |
    0x63) >>>
  0;
export const U = (opcode: number, rd: number, imm20: number): number => (((imm20 & 0xfffff) << 12) | (rd << 7) | opcode) >>> 0;
export const J = (rd: number, imm: number): number =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) >>>
  0;

export const addi = (rd: number, rs1: number, imm: number) => I(0x13, 0, rd, rs1, imm);
export const slli = (rd: number, rs1: number, sh: number) => I(0x13, 1, rd, rs1, sh);
export const srli = (rd: number, rs1: number, sh: number) => I(0x13, 5, rd, rs1, sh);
export const srai = (rd: number, rs1: number, sh: number) => I(0x13, 5, rd, rs1, 0x400 | sh);
export const add = (rd: number, rs1: number, rs2: number) => R(0x33, 0, 0, rd, rs1, rs2);
export const sub = (rd: number, rs1: number, rs2: number) => R(0x33, 0, 0x20, rd, rs1, rs2);
export const lui = (rd: number, imm20: number) => U(0x37, rd, imm20);
export const auipc = (rd: number, imm20: number) => U(0x17, rd, imm20);
export const jal = (rd: number, imm: number) => J(rd, imm);
export const jalr = (rd: number, rs1: number, imm: number) => I(0x67, 0, rd, rs1, imm);
export const ld = (rd: number, rs1: number, imm: number) => I(0x03, 3, rd, rs1, imm);
export const lw = (rd: number, rs1: number, imm: number) => I(0x03, 2, rd, rs1, imm);
export const lb = (rd: number, rs1: number, imm: number) => I(0x03, 0, rd, rs1, imm);
export const lbu = (rd: number, rs1: number, imm: number) => I(0x03, 4, rd, rs1, imm);
export const sd = (rs1: number, rs2: number, imm: number) => S(0x23, 3, rs1, rs2, imm);
export const sw = (rs1: number, rs2: number, imm: number) => S(0x23, 2, rs1, rs2, imm);
export const sb = (rs1: number, rs2: number, imm: number) => S(0x23, 0, rs1, rs2, imm);
export const beq = (rs1: number, rs2: number, imm: number) => B(0, rs1, rs2, imm);
export const bne = (rs1: number, rs2: number, imm: number) => B(1, rs1, rs2, imm);
export const csrrw = (rd: number, csr: number, rs1: number) => I(0x73, 1, rd, rs1, csr);
export const csrrs = (rd: number, csr: number, rs1: number) => I(0x73, 2, rd, rs1, csr);
export const csrrc = (rd: number, csr: number, rs1: number) => I(0x73, 3, rd, rs1, csr);
export const csrrwi = (rd: number, csr: number, uimm: number) => I(0x73, 5, rd, uimm, csr);
export const ECALL = 0x00000073;
export const EBREAK = 0x00100073;
export const MRET = 0x30200073;
export const SRET = 0x10200073;
export const WFI = 0x10500073;
export const SFENCE_VMA = 0x12000073;
export const NOP = 0x00000013;

/** Loads a 64-bit constant into rd with lui/addi/slli steps (clobbers nothing else). */
export function li(rd: number, value: bigint): number[] {
  const v = BigInt.asIntN(64, value);
  if (v >= -2048n && v < 2048n) return [addi(rd, 0, Number(v))];
  if (v >= -(2n ** 31n) && v < 2n ** 31n) {
    const n = Number(v);
    const lo = (n << 20) >> 20;
    const hi = ((n - lo) >>> 12) & 0xfffff;
    return lo === 0 ? [lui(rd, hi)] : [lui(rd, hi), I(0x1b, 0, rd, rd, lo)];
  }
  // Upper part first, then shift in 11 bits at a time.
  const low = Number(BigInt.asIntN(12, v));
  const rest = (v - BigInt(low)) >> 12n;
  return [...li(rd, rest), slli(rd, rd, 12), ...(low === 0 ? [] : [addi(rd, rd, low)])];
}

/** Little-endian bytes of instruction words (32-bit) and/or 16-bit parcels given as {c: number}. */
export function program(items: ReadonlyArray<number | { c: number }>): Uint8Array {
  const bytes: number[] = [];
  for (const item of items) {
    if (typeof item === 'number') bytes.push(item & 0xff, (item >>> 8) & 0xff, (item >>> 16) & 0xff, (item >>> 24) & 0xff);
    else bytes.push(item.c & 0xff, (item.c >>> 8) & 0xff);
  }
  return Uint8Array.from(bytes);
}

/** Places code fragments at byte offsets (multiples of 4), filling gaps with NOPs. */
export function layout(fragments: Record<number, readonly number[]>): number[] {
  const words: number[] = [];
  for (const [offset, code] of Object.entries(fragments)) {
    const start = Number(offset) / 4;
    while (words.length < start + code.length) words.push(NOP);
    code.forEach((w, i) => (words[start + i] = w));
  }
  return words;
}
