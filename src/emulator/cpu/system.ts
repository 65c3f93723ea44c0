// SYSTEM opcode: ECALL, EBREAK, MRET, SRET, WFI, SFENCE.VMA and the Zicsr instructions.
import type { Cpu } from './Cpu.ts';
import { csrAllowed, csrRead, csrValue, csrWrite } from './csr.ts';

const TWO_32 = 4294967296;
const MSTATUS = 0x300;
const MEPC = 0x341;
const SEPC = 0x141;
const TVM = 1 << 20;
const TW = 1 << 21;
const TSR = 1 << 22;

/** Executes a SYSTEM instruction and returns the next pc. */
export function executeSystem(cpu: Cpu, inst: number, npc: number): number {
  const funct3 = (inst >> 12) & 7;
  const rd = (inst >> 7) & 31;
  const rs1 = (inst >> 15) & 31;
  if (funct3 === 0) return privileged(cpu, inst, npc, rd, rs1);
  if (funct3 === 4) return cpu.raise(2, cpu.inst);
  const num = inst >>> 20;
  const op = funct3 & 3;
  const immediate = funct3 >= 5;
  const writes = op === 1 || rs1 !== 0;
  if (!csrAllowed(cpu, num, writes) || !csrRead(cpu, num)) return cpu.raise(2, cpu.inst);
  const oldLo = csrValue.lo;
  const oldHi = csrValue.hi;
  if (writes) {
    const srcLo = immediate ? rs1 : cpu.xlo[rs1];
    const srcHi = immediate ? 0 : cpu.xhi[rs1];
    let lo: number;
    let hi: number;
    if (op === 1) {
      lo = srcLo;
      hi = srcHi;
    } else if (op === 2) {
      lo = oldLo | srcLo;
      hi = oldHi | srcHi;
    } else {
      lo = oldLo & ~srcLo;
      hi = oldHi & ~srcHi;
    }
    csrWrite(cpu, num, lo, hi);
  }
  if (rd !== 0) {
    cpu.xlo[rd] = oldLo;
    cpu.xhi[rd] = oldHi;
  }
  return npc;
}

function privileged(cpu: Cpu, inst: number, npc: number, rd: number, rs1: number): number {
  const mstatus = cpu.csrLo[MSTATUS];
  switch (inst) {
    case 0x00000073:
      return cpu.raise(cpu.priv === 3 ? 11 : cpu.priv === 1 ? 9 : 8, 0);
    case 0x00100073:
      return cpu.raise(3, cpu.pc);
    case 0x30200073: {
      if (cpu.priv !== 3) return cpu.raise(2, cpu.inst);
      const mpp = (mstatus >>> 11) & 3;
      let s = (mstatus & ~(0x8 | 0x1800)) | ((mstatus >>> 4) & 0x8) | 0x80;
      // Priv. spec 3.1.6.1: leaving M-mode clears MPRV.
      if (mpp !== 3) s &= ~(1 << 17);
      cpu.csrLo[MSTATUS] = s;
      cpu.priv = mpp;
      return returnFrom(cpu, MEPC);
    }
    case 0x10200073: {
      if (cpu.priv === 0 || (cpu.priv === 1 && (mstatus & TSR) !== 0)) return cpu.raise(2, cpu.inst);
      const spp = (mstatus >>> 8) & 1;
      const s = (mstatus & ~(0x2 | 0x100 | (1 << 17))) | ((mstatus >>> 4) & 0x2) | 0x20;
      cpu.csrLo[MSTATUS] = s;
      cpu.priv = spp;
      return returnFrom(cpu, SEPC);
    }
    case 0x10500073:
      if (cpu.priv === 0 || (cpu.priv === 1 && (mstatus & TW) !== 0)) return cpu.raise(2, cpu.inst);
      cpu.waiting = true;
      cpu.requestExit();
      return npc;
    default:
      break;
  }
  if (inst >>> 25 === 0x09 && rd === 0) {
    // SFENCE.VMA: the whole software TLB is dropped whatever rs1/rs2 select.
    if (cpu.priv === 0 || (cpu.priv === 1 && (mstatus & TVM) !== 0)) return cpu.raise(2, cpu.inst);
    cpu.flushTlb();
    return npc;
  }
  void rs1;
  return cpu.raise(2, cpu.inst);
}

function returnFrom(cpu: Cpu, epc: number): number {
  cpu.flushTlb();
  cpu.requestExit();
  return cpu.csrHi[epc] * TWO_32 + (cpu.csrLo[epc] >>> 0);
}
