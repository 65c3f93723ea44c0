// Disassembly of 16-bit RVC encodings (Unpriv. spec ch. 16, RV64) as objdump prints them: expanded forms, HINTs as c.*.
import { hex, insn, signExtend, target, unknown } from './format.ts';
import { reg } from './registers.ts';

/** Register x8..x15 named by a 3-bit compressed register field. */
function creg(bits: number): string {
  return reg(8 + (bits & 7));
}

/** Disassembles a 16-bit instruction (low two bits not 11) at `pc`. */
export function disassembleCompressed(half: number, pc: bigint): string {
  const h = half & 0xffff;
  if (h === 0) return 'unimp';
  const quadrant = h & 3;
  const funct3 = h >>> 13;
  switch (quadrant) {
    case 0:
      return quadrant0(h, funct3);
    case 1:
      return quadrant1(h, funct3, pc);
    case 2:
      return quadrant2(h, funct3);
    default:
      return unknown(h, 2);
  }
}

const bit = (h: number, n: number) => (h >>> n) & 1;

function quadrant0(h: number, funct3: number): string {
  const rdp = creg(h >>> 2);
  const rs1p = creg(h >>> 7);
  // c.lw/c.sw offset: uimm[5:3] = h[12:10], uimm[2] = h[6], uimm[6] = h[5]
  const offW = (((h >>> 10) & 7) << 3) | (bit(h, 6) << 2) | (bit(h, 5) << 6);
  // c.ld/c.sd offset: uimm[5:3] = h[12:10], uimm[7:6] = h[6:5]
  const offD = (((h >>> 10) & 7) << 3) | (((h >>> 5) & 3) << 6);
  switch (funct3) {
    case 0: {
      const nzuimm = (((h >>> 11) & 3) << 4) | (((h >>> 7) & 15) << 6) | (bit(h, 6) << 2) | (bit(h, 5) << 3);
      return nzuimm === 0 ? unknown(h, 2) : insn('add', rdp, 'sp', nzuimm);
    }
    case 2:
      return insn('lw', rdp, `${offW}(${rs1p})`);
    case 3:
      return insn('ld', rdp, `${offD}(${rs1p})`);
    case 6:
      return insn('sw', rdp, `${offW}(${rs1p})`);
    case 7:
      return insn('sd', rdp, `${offD}(${rs1p})`);
    default:
      // 1 c.fld, 5 c.fsd (D is not implemented), 4 reserved
      return unknown(h, 2);
  }
}

function quadrant1(h: number, funct3: number, pc: bigint): string {
  const rd = (h >>> 7) & 31;
  const imm6 = signExtend((bit(h, 12) << 5) | ((h >>> 2) & 31), 6);
  switch (funct3) {
    case 0:
      if (rd === 0) return imm6 === 0 ? 'nop' : insn('c.nop', imm6);
      return insn('add', reg(rd), reg(rd), imm6);
    case 1:
      if (rd === 0) return unknown(h, 2);
      return imm6 === 0 ? insn('sext.w', reg(rd), reg(rd)) : insn('addw', reg(rd), reg(rd), imm6);
    case 2:
      return rd === 0 ? insn('c.li', 'zero', imm6) : insn('li', reg(rd), imm6);
    case 3: {
      if (rd === 2) {
        const imm = signExtend(
          (bit(h, 12) << 9) | (bit(h, 6) << 4) | (bit(h, 5) << 6) | (((h >>> 3) & 3) << 7) | (bit(h, 2) << 5),
          10,
        );
        return imm === 0 ? unknown(h, 2) : insn('add', 'sp', 'sp', imm);
      }
      if (imm6 === 0) return unknown(h, 2);
      const upper = hex(imm6 & 0xfffff);
      return rd === 0 ? insn('c.lui', 'zero', upper) : insn('lui', reg(rd), upper);
    }
    case 4:
      return arithmetic(h);
    case 5: {
      const imm = signExtend(
        (bit(h, 12) << 11) | (bit(h, 11) << 4) | (((h >>> 9) & 3) << 8) | (bit(h, 8) << 10) | (bit(h, 7) << 6) |
          (bit(h, 6) << 7) | (((h >>> 3) & 7) << 1) | (bit(h, 2) << 5),
        12,
      );
      return insn('j', target(pc, imm));
    }
    default: {
      const imm = signExtend(
        (bit(h, 12) << 8) | (((h >>> 10) & 3) << 3) | (((h >>> 5) & 3) << 6) | (((h >>> 3) & 3) << 1) | (bit(h, 2) << 5),
        9,
      );
      return insn(funct3 === 6 ? 'beqz' : 'bnez', creg(h >>> 7), target(pc, imm));
    }
  }
}

function arithmetic(h: number): string {
  const rd = creg(h >>> 7);
  const rs2 = creg(h >>> 2);
  const shamt = (bit(h, 12) << 5) | ((h >>> 2) & 31);
  switch ((h >>> 10) & 3) {
    case 0:
      return shamt === 0 ? insn('c.srli64', rd) : insn('srl', rd, rd, hex(shamt));
    case 1:
      return shamt === 0 ? insn('c.srai64', rd) : insn('sra', rd, rd, hex(shamt));
    case 2:
      return insn('and', rd, rd, signExtend(shamt, 6));
    default: {
      const funct2 = (h >>> 5) & 3;
      if (bit(h, 12) === 0) return insn(['sub', 'xor', 'or', 'and'][funct2], rd, rd, rs2);
      if (funct2 === 0) return insn('subw', rd, rd, rs2);
      if (funct2 === 1) return insn('addw', rd, rd, rs2);
      return unknown(h, 2);
    }
  }
}

function quadrant2(h: number, funct3: number): string {
  const rd = (h >>> 7) & 31;
  const rs2 = (h >>> 2) & 31;
  switch (funct3) {
    case 0: {
      const shamt = (bit(h, 12) << 5) | rs2;
      if (rd === 0) return insn('c.slli', 'zero', hex(shamt));
      return shamt === 0 ? insn('c.slli64', reg(rd)) : insn('sll', reg(rd), reg(rd), hex(shamt));
    }
    case 2: {
      const off = (bit(h, 12) << 5) | (((h >>> 4) & 7) << 2) | (((h >>> 2) & 3) << 6);
      return rd === 0 ? unknown(h, 2) : insn('lw', reg(rd), `${off}(sp)`);
    }
    case 3: {
      const off = (bit(h, 12) << 5) | (((h >>> 5) & 3) << 3) | (((h >>> 2) & 7) << 6);
      return rd === 0 ? unknown(h, 2) : insn('ld', reg(rd), `${off}(sp)`);
    }
    case 4:
      if (bit(h, 12) === 0) {
        if (rs2 === 0) {
          if (rd === 0) return unknown(h, 2);
          return rd === 1 ? 'ret' : insn('jr', reg(rd));
        }
        return rd === 0 ? insn('c.mv', 'zero', reg(rs2)) : insn('mv', reg(rd), reg(rs2));
      }
      if (rs2 === 0) return rd === 0 ? 'ebreak' : insn('jalr', reg(rd));
      return rd === 0 ? insn('c.add', 'zero', reg(rs2)) : insn('add', reg(rd), reg(rd), reg(rs2));
    case 6: {
      const off = (((h >>> 9) & 15) << 2) | (((h >>> 7) & 3) << 6);
      return insn('sw', reg(rs2), `${off}(sp)`);
    }
    case 7: {
      const off = (((h >>> 10) & 7) << 3) | (((h >>> 7) & 7) << 6);
      return insn('sd', reg(rs2), `${off}(sp)`);
    }
    default:
      // 1 c.fldsp, 5 c.fsdsp (D is not implemented)
      return unknown(h, 2);
  }
}
