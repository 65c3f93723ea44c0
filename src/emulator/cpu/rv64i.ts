// The interpreter loop: fetch through the TLB, expand compressed parcels, dispatch RV64I inline.
//
// Hot path: registers are (hi, lo) int32 pairs, dispatch is one flat switch, and the loop runs until
// cpu.stopAt so that interrupts, timers and device effects are only observed between instructions
// at counts the machine chose (a block translator can honour the same boundaries).
import { Cpu, TRAP_TAKEN, TLB_SIZE } from './Cpu.ts';
import { EXPANDED } from './rvc.ts';
import { executeM, executeMW } from './rv64m.ts';
import { executeAmo } from './rv64a.ts';
import { executeSystem } from './system.ts';
import { translate, ACCESS_FETCH } from '../mmu.ts';

const TLB_MASK = TLB_SIZE - 1;
const TWO_32 = 4294967296;

function fetchMiss(cpu: Cpu, pc: number): number {
  const pa = translate(cpu, pc, ACCESS_FETCH);
  const ram = cpu.ram;
  if (pa < ram.base || pa >= ram.base + ram.size) return cpu.raise(1, pc);
  return pa - ram.base;
}

/** Runs instructions until cpu.icount reaches cpu.stopAt. Guest faults become traps, never host exceptions. */
export function execute(cpu: Cpu): void {
  const xlo = cpu.xlo;
  const xhi = cpu.xhi;
  const u16 = cpu.u16;
  const fetchTag = cpu.fetchTag;
  const fetchBase = cpu.fetchBase;
  for (;;) {
    try {
      while (cpu.icount < cpu.stopAt) {
        const pc = cpu.pc;
        const vpn = Math.floor(pc / 4096);
        const idx = vpn & TLB_MASK;
        const off = fetchTag[idx] === vpn ? fetchBase[idx] + (pc - vpn * 4096) : fetchMiss(cpu, pc);
        const parcel = u16[off >> 1];
        let inst: number;
        let npc: number;
        if ((parcel & 3) !== 3) {
          cpu.inst = parcel;
          inst = EXPANDED[parcel];
          npc = pc + 2;
        } else {
          inst = (pc & 0xfff) !== 0xffe ? parcel | (u16[(off >> 1) + 1] << 16) : parcel | (cpu.fetch16(pc + 2) << 16);
          cpu.inst = inst;
          npc = pc + 4;
        }
        const rd = (inst >> 7) & 31;
        const rs1 = (inst >> 15) & 31;
        const funct3 = (inst >> 12) & 7;
        switch (inst & 0x7f) {
          case 0x13: {
            // OP-IMM
            const imm = inst >> 20;
            const alo = xlo[rs1];
            const ahi = xhi[rs1];
            switch (funct3) {
              case 0: {
                const sum = (alo >>> 0) + (imm >>> 0);
                xlo[rd] = sum | 0;
                xhi[rd] = (ahi + (imm >> 31) + (sum > 0xffffffff ? 1 : 0)) | 0;
                break;
              }
              case 1:
                if (inst >>> 26 !== 0) cpu.raise(2, cpu.inst);
                shiftLeft(xlo, xhi, rd, alo, ahi, imm & 63);
                break;
              case 2: {
                const ih = imm >> 31;
                xlo[rd] = ahi < ih || (ahi === ih && alo >>> 0 < imm >>> 0) ? 1 : 0;
                xhi[rd] = 0;
                break;
              }
              case 3: {
                const ih = imm >> 31;
                xlo[rd] = ahi >>> 0 < ih >>> 0 || (ahi === ih && alo >>> 0 < imm >>> 0) ? 1 : 0;
                xhi[rd] = 0;
                break;
              }
              case 4:
                xlo[rd] = alo ^ imm;
                xhi[rd] = ahi ^ (imm >> 31);
                break;
              case 5: {
                const f6 = inst >>> 26;
                if (f6 === 0) shiftRightLogical(xlo, xhi, rd, alo, ahi, imm & 63);
                else if (f6 === 0x10) shiftRightArith(xlo, xhi, rd, alo, ahi, imm & 63);
                else cpu.raise(2, cpu.inst);
                break;
              }
              case 6:
                xlo[rd] = alo | imm;
                xhi[rd] = ahi | (imm >> 31);
                break;
              default:
                xlo[rd] = alo & imm;
                xhi[rd] = ahi & (imm >> 31);
                break;
            }
            break;
          }
          case 0x33: {
            // OP
            const rs2 = (inst >> 20) & 31;
            const funct7 = inst >>> 25;
            const alo = xlo[rs1];
            const ahi = xhi[rs1];
            const blo = xlo[rs2];
            const bhi = xhi[rs2];
            if (funct7 === 1) {
              executeM(cpu, funct3, rd, ahi, alo, bhi, blo);
              break;
            }
            if (funct7 !== 0 && !(funct7 === 0x20 && (funct3 === 0 || funct3 === 5))) cpu.raise(2, cpu.inst);
            switch (funct3) {
              case 0:
                if (funct7 === 0) {
                  const sum = (alo >>> 0) + (blo >>> 0);
                  xlo[rd] = sum | 0;
                  xhi[rd] = (ahi + bhi + (sum > 0xffffffff ? 1 : 0)) | 0;
                } else {
                  const borrow = alo >>> 0 < blo >>> 0 ? 1 : 0;
                  xlo[rd] = (alo - blo) | 0;
                  xhi[rd] = (ahi - bhi - borrow) | 0;
                }
                break;
              case 1:
                shiftLeft(xlo, xhi, rd, alo, ahi, blo & 63);
                break;
              case 2:
                xlo[rd] = ahi < bhi || (ahi === bhi && alo >>> 0 < blo >>> 0) ? 1 : 0;
                xhi[rd] = 0;
                break;
              case 3:
                xlo[rd] = ahi >>> 0 < bhi >>> 0 || (ahi === bhi && alo >>> 0 < blo >>> 0) ? 1 : 0;
                xhi[rd] = 0;
                break;
              case 4:
                xlo[rd] = alo ^ blo;
                xhi[rd] = ahi ^ bhi;
                break;
              case 5:
                if (funct7 === 0) shiftRightLogical(xlo, xhi, rd, alo, ahi, blo & 63);
                else shiftRightArith(xlo, xhi, rd, alo, ahi, blo & 63);
                break;
              case 6:
                xlo[rd] = alo | blo;
                xhi[rd] = ahi | bhi;
                break;
              default:
                xlo[rd] = alo & blo;
                xhi[rd] = ahi & bhi;
                break;
            }
            break;
          }
          case 0x03: {
            // LOAD
            cpu.load(xhi[rs1] * TWO_32 + (xlo[rs1] >>> 0) + (inst >> 20), funct3, rd);
            break;
          }
          case 0x23: {
            // STORE
            const rs2 = (inst >> 20) & 31;
            const imm = ((inst >> 25) << 5) | ((inst >> 7) & 31);
            cpu.store(xhi[rs1] * TWO_32 + (xlo[rs1] >>> 0) + imm, funct3, xhi[rs2], xlo[rs2]);
            break;
          }
          case 0x63: {
            // BRANCH
            const rs2 = (inst >> 20) & 31;
            const ahi = xhi[rs1];
            const bhi = xhi[rs2];
            const alo = xlo[rs1];
            const blo = xlo[rs2];
            let taken: boolean;
            switch (funct3) {
              case 0:
                taken = alo === blo && ahi === bhi;
                break;
              case 1:
                taken = alo !== blo || ahi !== bhi;
                break;
              case 4:
                taken = ahi < bhi || (ahi === bhi && alo >>> 0 < blo >>> 0);
                break;
              case 5:
                taken = !(ahi < bhi || (ahi === bhi && alo >>> 0 < blo >>> 0));
                break;
              case 6:
                taken = ahi >>> 0 < bhi >>> 0 || (ahi === bhi && alo >>> 0 < blo >>> 0);
                break;
              case 7:
                taken = !(ahi >>> 0 < bhi >>> 0 || (ahi === bhi && alo >>> 0 < blo >>> 0));
                break;
              default:
                return cpu.raise(2, cpu.inst);
            }
            if (taken) {
              npc =
                pc +
                (((inst >> 31) << 12) | (((inst >> 7) & 1) << 11) | (((inst >> 25) & 0x3f) << 5) | (((inst >> 8) & 0xf) << 1));
            }
            break;
          }
          case 0x37:
            // LUI
            xlo[rd] = inst & 0xfffff000;
            xhi[rd] = inst >> 31;
            break;
          case 0x17: {
            // AUIPC
            const v = pc + (inst & 0xfffff000);
            xlo[rd] = v | 0;
            xhi[rd] = Math.floor(v / TWO_32) | 0;
            break;
          }
          case 0x6f: {
            // JAL
            const imm =
              ((inst >> 31) << 20) | (inst & 0xff000) | (((inst >> 20) & 1) << 11) | (((inst >> 21) & 0x3ff) << 1);
            xlo[rd] = npc | 0;
            xhi[rd] = Math.floor(npc / TWO_32) | 0;
            npc = pc + imm;
            break;
          }
          case 0x67: {
            // JALR
            if (funct3 !== 0) cpu.raise(2, cpu.inst);
            const imm = inst >> 20;
            const sum = (xlo[rs1] >>> 0) + (imm >>> 0);
            const hi = (xhi[rs1] + (imm >> 31) + (sum > 0xffffffff ? 1 : 0)) | 0;
            const target = hi * TWO_32 + ((sum & ~1) >>> 0);
            xlo[rd] = npc | 0;
            xhi[rd] = Math.floor(npc / TWO_32) | 0;
            npc = target;
            break;
          }
          case 0x1b: {
            // OP-IMM-32
            const imm = inst >> 20;
            const a = xlo[rs1];
            let v: number;
            if (funct3 === 0) v = (a + imm) | 0;
            else if (funct3 === 1 && inst >>> 25 === 0) v = a << (imm & 31);
            else if (funct3 === 5 && inst >>> 25 === 0) v = a >>> (imm & 31);
            else if (funct3 === 5 && inst >>> 25 === 0x20) v = a >> (imm & 31);
            else return cpu.raise(2, cpu.inst);
            xlo[rd] = v;
            xhi[rd] = v >> 31;
            break;
          }
          case 0x3b: {
            // OP-32
            const rs2 = (inst >> 20) & 31;
            const funct7 = inst >>> 25;
            const a = xlo[rs1];
            const b = xlo[rs2];
            let v: number;
            if (funct7 === 1) {
              executeMW(cpu, funct3, rd, a, b);
              break;
            } else if (funct7 === 0 && funct3 === 0) v = (a + b) | 0;
            else if (funct7 === 0x20 && funct3 === 0) v = (a - b) | 0;
            else if (funct7 === 0 && funct3 === 1) v = a << (b & 31);
            else if (funct7 === 0 && funct3 === 5) v = a >>> (b & 31);
            else if (funct7 === 0x20 && funct3 === 5) v = a >> (b & 31);
            else return cpu.raise(2, cpu.inst);
            xlo[rd] = v | 0;
            xhi[rd] = v >> 31;
            break;
          }
          case 0x0f:
            // MISC-MEM: FENCE and FENCE.I are no-ops for one in-order hart without a decode cache.
            if (funct3 > 1) cpu.raise(2, cpu.inst);
            break;
          case 0x2f:
            executeAmo(cpu, inst, rd, rs1, funct3);
            break;
          case 0x73:
            npc = executeSystem(cpu, inst, npc);
            break;
          default:
            cpu.raise(2, cpu.inst);
        }
        xlo[0] = 0;
        xhi[0] = 0;
        cpu.pc = npc;
        cpu.icount++;
      }
      return;
    } catch (e) {
      if (e !== TRAP_TAKEN) throw e;
      xlo[0] = 0;
      xhi[0] = 0;
      cpu.icount++;
    }
  }
}

function shiftLeft(xlo: Int32Array, xhi: Int32Array, rd: number, lo: number, hi: number, sh: number): void {
  if (sh === 0) {
    xlo[rd] = lo;
    xhi[rd] = hi;
  } else if (sh < 32) {
    xhi[rd] = (hi << sh) | (lo >>> (32 - sh));
    xlo[rd] = lo << sh;
  } else {
    xhi[rd] = lo << (sh - 32);
    xlo[rd] = 0;
  }
}

function shiftRightLogical(xlo: Int32Array, xhi: Int32Array, rd: number, lo: number, hi: number, sh: number): void {
  if (sh === 0) {
    xlo[rd] = lo;
    xhi[rd] = hi;
  } else if (sh < 32) {
    xlo[rd] = (lo >>> sh) | (hi << (32 - sh));
    xhi[rd] = hi >>> sh;
  } else {
    xlo[rd] = hi >>> (sh - 32);
    xhi[rd] = 0;
  }
}

function shiftRightArith(xlo: Int32Array, xhi: Int32Array, rd: number, lo: number, hi: number, sh: number): void {
  if (sh === 0) {
    xlo[rd] = lo;
    xhi[rd] = hi;
  } else if (sh < 32) {
    xlo[rd] = (lo >>> sh) | (hi << (32 - sh));
    xhi[rd] = hi >> sh;
  } else {
    xlo[rd] = hi >> (sh - 32);
    xhi[rd] = hi >> 31;
  }
}
