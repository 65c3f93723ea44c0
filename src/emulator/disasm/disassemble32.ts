// Disassembly of 32-bit RV64IMA + Zicsr + Zifencei + privileged encodings in GNU objdump's syntax (Unpriv. spec ch. 2, 5, 7, 8, 9, 11; Priv. spec 3.3).
import { csrName } from './csrNames.ts';
import { hex, insn, signExtend, target, unknown } from './format.ts';
import { reg } from './registers.ts';

const LOADS = ['lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu', undefined];
const STORES = ['sb', 'sh', 'sw', 'sd', undefined, undefined, undefined, undefined];
const OP_NAMES = ['add', 'sll', 'slt', 'sltu', 'xor', 'srl', 'or', 'and'];
const MULDIV = ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'];
const MULDIV_W: (string | undefined)[] = ['mulw', undefined, undefined, undefined, 'divw', 'divuw', 'remw', 'remuw'];
const AMO: Record<number, string> = {
  0b00000: 'amoadd', 0b00001: 'amoswap', 0b00010: 'lr', 0b00011: 'sc', 0b00100: 'amoxor', 0b01100: 'amoand',
  0b01000: 'amoor', 0b10000: 'amomin', 0b10100: 'amomax', 0b11000: 'amominu', 0b11100: 'amomaxu',
};
const BRANCHES = ['beq', 'bne', undefined, undefined, 'blt', 'bge', 'bltu', 'bgeu'];

/** Exact SYSTEM encodings with no operands. */
const SYSTEM_WORDS: Record<number, string> = {
  0x00000073: 'ecall', 0x00100073: 'ebreak', 0x00200073: 'uret', 0x10200073: 'sret', 0x30200073: 'mret',
  0x7b200073: 'dret', 0x10500073: 'wfi', 0xc0001073: 'unimp',
};

function fenceSet(bits: number): string {
  const s = (bits & 8 ? 'i' : '') + (bits & 4 ? 'o' : '') + (bits & 2 ? 'r' : '') + (bits & 1 ? 'w' : '');
  return s === '' ? 'unknown' : s;
}

/** Disassembles a 32-bit instruction word (low two bits 11) at `pc`. */
export function disassemble32(word: number, pc: bigint): string {
  const w = word >>> 0;
  const opcode = w & 0x7f;
  const rd = (w >>> 7) & 31;
  const funct3 = (w >>> 12) & 7;
  const rs1 = (w >>> 15) & 31;
  const rs2 = (w >>> 20) & 31;
  const funct7 = w >>> 25;
  const immI = w >> 20;
  const immS = ((w >> 25) << 5) | ((w >>> 7) & 31);
  const bad = () => unknown(w, 4);

  switch (opcode) {
    case 0x37:
      return insn('lui', reg(rd), hex(w >>> 12));
    case 0x17:
      return insn('auipc', reg(rd), hex(w >>> 12));
    case 0x6f: {
      const imm = signExtend(((w >>> 31) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1), 21);
      if (rd === 0) return insn('j', target(pc, imm));
      if (rd === 1) return insn('jal', target(pc, imm));
      return insn('jal', reg(rd), target(pc, imm));
    }
    case 0x67: {
      if (funct3 !== 0) return bad();
      if (rd === 0 && rs1 === 1 && immI === 0) return 'ret';
      const address = immI === 0 ? reg(rs1) : `${immI}(${reg(rs1)})`;
      if (rd === 0) return insn('jr', address);
      if (rd === 1) return insn('jalr', address);
      return insn('jalr', reg(rd), address);
    }
    case 0x63: {
      const name = BRANCHES[funct3];
      if (!name) return bad();
      const imm = signExtend(((w >>> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1), 13);
      const t = target(pc, imm);
      if (rs2 === 0 && (name === 'beq' || name === 'bne' || name === 'blt' || name === 'bge')) {
        return insn(`${name === 'blt' ? 'bltz' : name === 'bge' ? 'bgez' : `${name}z`}`, reg(rs1), t);
      }
      if (rs1 === 0 && name === 'blt') return insn('bgtz', reg(rs2), t);
      if (rs1 === 0 && name === 'bge') return insn('blez', reg(rs2), t);
      return insn(name, reg(rs1), reg(rs2), t);
    }
    case 0x03: {
      const name = LOADS[funct3];
      return name ? insn(name, reg(rd), `${immI}(${reg(rs1)})`) : bad();
    }
    case 0x23: {
      const name = STORES[funct3];
      return name ? insn(name, reg(rs2), `${immS}(${reg(rs1)})`) : bad();
    }
    case 0x13:
      return opImm(w, rd, funct3, rs1, immI);
    case 0x1b:
      return opImm32(w, rd, funct3, rs1, immI);
    case 0x33:
      return op(w, rd, funct3, rs1, rs2, funct7);
    case 0x3b:
      return op32(w, rd, funct3, rs1, rs2, funct7);
    case 0x2f:
      return amo(w, rd, funct3, rs1, rs2);
    case 0x0f:
      return miscMem(w, funct3);
    case 0x73:
      return system(w, rd, funct3, rs1, rs2, funct7);
    default:
      return bad();
  }
}

function opImm(w: number, rd: number, funct3: number, rs1: number, imm: number): string {
  const shamt = (w >>> 20) & 63;
  const funct6 = w >>> 26;
  switch (funct3) {
    case 0:
      if (rd === 0 && rs1 === 0 && imm === 0) return 'nop';
      if (rs1 === 0) return insn('li', reg(rd), imm);
      if (imm === 0) return insn('mv', reg(rd), reg(rs1));
      return insn('add', reg(rd), reg(rs1), imm);
    case 1:
      return funct6 === 0 ? insn('sll', reg(rd), reg(rs1), hex(shamt)) : unknown(w, 4);
    case 2:
      return insn('slti', reg(rd), reg(rs1), imm);
    case 3:
      return imm === 1 ? insn('seqz', reg(rd), reg(rs1)) : insn('sltiu', reg(rd), reg(rs1), imm);
    case 4:
      return imm === -1 ? insn('not', reg(rd), reg(rs1)) : insn('xor', reg(rd), reg(rs1), imm);
    case 5:
      if (funct6 === 0) return insn('srl', reg(rd), reg(rs1), hex(shamt));
      if (funct6 === 0x10) return insn('sra', reg(rd), reg(rs1), hex(shamt));
      return unknown(w, 4);
    case 6:
      return insn('or', reg(rd), reg(rs1), imm);
    default:
      return imm === 0xff ? insn('zext.b', reg(rd), reg(rs1)) : insn('and', reg(rd), reg(rs1), imm);
  }
}

function opImm32(w: number, rd: number, funct3: number, rs1: number, imm: number): string {
  const shamt = (w >>> 20) & 31;
  const funct7 = w >>> 25;
  if (funct3 === 0) return imm === 0 ? insn('sext.w', reg(rd), reg(rs1)) : insn('addw', reg(rd), reg(rs1), imm);
  if (funct3 === 1 && funct7 === 0) return insn('sllw', reg(rd), reg(rs1), hex(shamt));
  if (funct3 === 5 && funct7 === 0) return insn('srlw', reg(rd), reg(rs1), hex(shamt));
  if (funct3 === 5 && funct7 === 0x20) return insn('sraw', reg(rd), reg(rs1), hex(shamt));
  return unknown(w, 4);
}

function op(w: number, rd: number, funct3: number, rs1: number, rs2: number, funct7: number): string {
  if (funct7 === 1) return insn(MULDIV[funct3], reg(rd), reg(rs1), reg(rs2));
  if (funct7 === 0x20) {
    if (funct3 === 0) return rs1 === 0 ? insn('neg', reg(rd), reg(rs2)) : insn('sub', reg(rd), reg(rs1), reg(rs2));
    if (funct3 === 5) return insn('sra', reg(rd), reg(rs1), reg(rs2));
    return unknown(w, 4);
  }
  if (funct7 !== 0) return unknown(w, 4);
  if (funct3 === 2 && rs2 === 0) return insn('sltz', reg(rd), reg(rs1));
  if (funct3 === 2 && rs1 === 0) return insn('sgtz', reg(rd), reg(rs2));
  if (funct3 === 3 && rs1 === 0) return insn('snez', reg(rd), reg(rs2));
  return insn(OP_NAMES[funct3], reg(rd), reg(rs1), reg(rs2));
}

function op32(w: number, rd: number, funct3: number, rs1: number, rs2: number, funct7: number): string {
  if (funct7 === 1) {
    const name = MULDIV_W[funct3];
    return name ? insn(name, reg(rd), reg(rs1), reg(rs2)) : unknown(w, 4);
  }
  if (funct7 === 0 && (funct3 === 0 || funct3 === 1 || funct3 === 5)) {
    return insn(['addw', 'sllw', '', '', '', 'srlw'][funct3], reg(rd), reg(rs1), reg(rs2));
  }
  if (funct7 === 0x20 && funct3 === 0) return rs1 === 0 ? insn('negw', reg(rd), reg(rs2)) : insn('subw', reg(rd), reg(rs1), reg(rs2));
  if (funct7 === 0x20 && funct3 === 5) return insn('sraw', reg(rd), reg(rs1), reg(rs2));
  return unknown(w, 4);
}

function amo(w: number, rd: number, funct3: number, rs1: number, rs2: number): string {
  const funct5 = w >>> 27;
  const name = AMO[funct5];
  if (!name || (funct3 !== 2 && funct3 !== 3)) return unknown(w, 4);
  const ordering = ['', '.rl', '.aq', '.aqrl'][(w >>> 25) & 3];
  const mnemonic = `${name}.${funct3 === 2 ? 'w' : 'd'}${ordering}`;
  if (name === 'lr') return rs2 === 0 ? insn(mnemonic, reg(rd), `(${reg(rs1)})`) : unknown(w, 4);
  return insn(mnemonic, reg(rd), reg(rs2), `(${reg(rs1)})`);
}

// objdump only decodes the canonical encodings (rd, rs1 and unused immediate bits zero); FENCE's fm must be 0 except for FENCE.TSO.
function miscMem(w: number, funct3: number): string {
  if (w === 0x0000100f) return 'fence.i';
  if (w === 0x8330000f) return 'fence.tso';
  if (funct3 !== 0 || (w & 0xf00f8f80) !== 0) return unknown(w, 4);
  const pred = (w >>> 24) & 15;
  const succ = (w >>> 20) & 15;
  if (pred === 15 && succ === 15) return 'fence';
  return insn('fence', fenceSet(pred), fenceSet(succ));
}

function system(w: number, rd: number, funct3: number, rs1: number, rs2: number, funct7: number): string {
  const fixed = SYSTEM_WORDS[w];
  if (fixed) return fixed;
  const csr = w >>> 20;
  switch (funct3) {
    case 0:
      if (funct7 === 0x09 && rd === 0) {
        if (rs1 === 0 && rs2 === 0) return 'sfence.vma';
        return rs2 === 0 ? insn('sfence.vma', reg(rs1)) : insn('sfence.vma', reg(rs1), reg(rs2));
      }
      return unknown(w, 4);
    case 1:
      return rd === 0 ? insn('csrw', csrName(csr), reg(rs1)) : insn('csrrw', reg(rd), csrName(csr), reg(rs1));
    case 2:
      if (rs1 === 0) {
        const counter = ['rdcycle', 'rdtime', 'rdinstret'][csr - 0xc00];
        return counter && csr >= 0xc00 ? insn(counter, reg(rd)) : insn('csrr', reg(rd), csrName(csr));
      }
      return rd === 0 ? insn('csrs', csrName(csr), reg(rs1)) : insn('csrrs', reg(rd), csrName(csr), reg(rs1));
    case 3:
      return rd === 0 ? insn('csrc', csrName(csr), reg(rs1)) : insn('csrrc', reg(rd), csrName(csr), reg(rs1));
    case 5:
      return rd === 0 ? insn('csrw', csrName(csr), rs1) : insn('csrrw', reg(rd), csrName(csr), rs1);
    case 6:
      return rd === 0 ? insn('csrs', csrName(csr), rs1) : insn('csrrs', reg(rd), csrName(csr), rs1);
    case 7:
      return rd === 0 ? insn('csrc', csrName(csr), rs1) : insn('csrrc', reg(rd), csrName(csr), rs1);
    default:
      return unknown(w, 4);
  }
}
