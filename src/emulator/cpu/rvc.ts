// The C extension: every 16-bit instruction expanded once into its 32-bit equivalent (unpriv. spec 16.8 tables).

function r(funct7: number, rs2: number, rs1: number, funct3: number, rd: number, opcode: number): number {
  return (funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
}
function i(imm: number, rs1: number, funct3: number, rd: number, opcode: number): number {
  return ((imm & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
}
function s(imm: number, rs2: number, rs1: number, funct3: number, opcode: number): number {
  return (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((imm & 0x1f) << 7) | opcode;
}
function b(imm: number, rs2: number, rs1: number, funct3: number): number {
  return (
    (((imm >> 12) & 1) << 31) |
    (((imm >> 5) & 0x3f) << 25) |
    (rs2 << 20) |
    (rs1 << 15) |
    (funct3 << 12) |
    (((imm >> 1) & 0xf) << 8) |
    (((imm >> 11) & 1) << 7) |
    0x63
  );
}
function j(imm: number, rd: number): number {
  return (
    (((imm >> 20) & 1) << 31) |
    (((imm >> 1) & 0x3ff) << 21) |
    (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) |
    (rd << 7) |
    0x6f
  );
}

function bit(v: number, n: number): number {
  return (v >> n) & 1;
}
function bits(v: number, hi: number, lo: number): number {
  return (v >> lo) & ((1 << (hi - lo + 1)) - 1);
}
function sext(v: number, width: number): number {
  const shift = 32 - width;
  return (v << shift) >> shift;
}

const OP_IMM = 0x13;
const OP_IMM_32 = 0x1b;
const OP = 0x33;
const OP_32 = 0x3b;
const LOAD = 0x03;
const STORE = 0x23;

/** The 32-bit instruction a 16-bit one stands for, or 0 (an illegal encoding) when reserved or unsupported. */
export function expandCompressed(c: number): number {
  const op = c & 3;
  const funct3 = c >> 13;
  const rdp = 8 + bits(c, 4, 2);
  const rs1p = 8 + bits(c, 9, 7);
  const rd = bits(c, 11, 7);
  const rs2 = bits(c, 6, 2);
  const imm6 = sext((bit(c, 12) << 5) | bits(c, 6, 2), 6);
  if (op === 0) {
    switch (funct3) {
      case 0: {
        const imm = (bits(c, 12, 11) << 4) | (bits(c, 10, 7) << 6) | (bit(c, 6) << 2) | (bit(c, 5) << 3);
        return imm === 0 ? 0 : i(imm, 2, 0, rdp, OP_IMM);
      }
      case 2:
        return i((bits(c, 12, 10) << 3) | (bit(c, 6) << 2) | (bit(c, 5) << 6), rs1p, 2, rdp, LOAD);
      case 3:
        return i((bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6), rs1p, 3, rdp, LOAD);
      case 6:
        return s((bits(c, 12, 10) << 3) | (bit(c, 6) << 2) | (bit(c, 5) << 6), rdp, rs1p, 2, STORE);
      case 7:
        return s((bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6), rdp, rs1p, 3, STORE);
      default:
        return 0; // C.FLD, C.FSD (no D extension) and the reserved slot.
    }
  }
  if (op === 1) {
    switch (funct3) {
      case 0:
        return i(imm6, rd, 0, rd, OP_IMM);
      case 1:
        return rd === 0 ? 0 : i(imm6, rd, 0, rd, OP_IMM_32);
      case 2:
        return i(imm6, 0, 0, rd, OP_IMM);
      case 3: {
        if (rd === 2) {
          const imm = sext(
            (bit(c, 12) << 9) | (bit(c, 6) << 4) | (bit(c, 5) << 6) | (bits(c, 4, 3) << 7) | (bit(c, 2) << 5),
            10,
          );
          return imm === 0 ? 0 : i(imm, 2, 0, 2, OP_IMM);
        }
        if (imm6 === 0) return 0;
        return ((imm6 << 12) & 0xfffff000) | (rd << 7) | 0x37;
      }
      case 4: {
        const funct2 = bits(c, 11, 10);
        const shamt = (bit(c, 12) << 5) | bits(c, 6, 2);
        if (funct2 === 0) return i(shamt, rs1p, 5, rs1p, OP_IMM);
        if (funct2 === 1) return i(shamt | 0x400, rs1p, 5, rs1p, OP_IMM);
        if (funct2 === 2) return i(imm6, rs1p, 7, rs1p, OP_IMM);
        const rs2p = rdp;
        const sub = bits(c, 6, 5);
        if (bit(c, 12) === 0) {
          if (sub === 0) return r(0x20, rs2p, rs1p, 0, rs1p, OP);
          if (sub === 1) return r(0, rs2p, rs1p, 4, rs1p, OP);
          if (sub === 2) return r(0, rs2p, rs1p, 6, rs1p, OP);
          return r(0, rs2p, rs1p, 7, rs1p, OP);
        }
        if (sub === 0) return r(0x20, rs2p, rs1p, 0, rs1p, OP_32);
        if (sub === 1) return r(0, rs2p, rs1p, 0, rs1p, OP_32);
        return 0;
      }
      case 5: {
        const imm = sext(
          (bit(c, 12) << 11) |
            (bit(c, 11) << 4) |
            (bits(c, 10, 9) << 8) |
            (bit(c, 8) << 10) |
            (bit(c, 7) << 6) |
            (bit(c, 6) << 7) |
            (bits(c, 5, 3) << 1) |
            (bit(c, 2) << 5),
          12,
        );
        return j(imm, 0);
      }
      default: {
        const imm = sext(
          (bit(c, 12) << 8) | (bits(c, 11, 10) << 3) | (bits(c, 6, 5) << 6) | (bits(c, 4, 3) << 1) | (bit(c, 2) << 5),
          9,
        );
        return b(imm, 0, rs1p, funct3 === 6 ? 0 : 1);
      }
    }
  }
  if (op === 2) {
    switch (funct3) {
      case 0:
        return i((bit(c, 12) << 5) | bits(c, 6, 2), rd, 1, rd, OP_IMM);
      case 2:
        return rd === 0 ? 0 : i((bit(c, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6), 2, 2, rd, LOAD);
      case 3:
        return rd === 0 ? 0 : i((bit(c, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6), 2, 3, rd, LOAD);
      case 4:
        if (bit(c, 12) === 0) {
          if (rs2 === 0) return rd === 0 ? 0 : i(0, rd, 0, 0, 0x67);
          return r(0, rs2, 0, 0, rd, OP);
        }
        if (rs2 === 0) return rd === 0 ? 0x00100073 : i(0, rd, 0, 1, 0x67);
        return r(0, rs2, rd, 0, rd, OP);
      case 6:
        return s((bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6), rs2, 2, 2, STORE);
      case 7:
        return s((bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6), rs2, 2, 3, STORE);
      default:
        return 0; // C.FLDSP, C.FSDSP.
    }
  }
  return 0;
}

/** Expansions of all 65536 parcels, computed once (entries for 32-bit parcels are unused). */
export const EXPANDED = new Int32Array(65536);
// Reserved encodings become 0x7f, a major opcode nothing implements: the interpreter's illegal-instruction case.
for (let c = 0; c < 65536; c++) if ((c & 3) !== 3) EXPANDED[c] = expandCompressed(c) || 0x7f;
