// The A extension: LR/SC with a single reservation and the AMOs, .W and .D (unpriv. spec chapter 8).
import type { Cpu } from './Cpu.ts';
import { translate, ACCESS_LOAD, ACCESS_STORE } from '../mmu.ts';

const TWO_32 = 4294967296;

function lessSigned(ahi: number, alo: number, bhi: number, blo: number): boolean {
  return ahi < bhi || (ahi === bhi && alo >>> 0 < blo >>> 0);
}
function lessUnsigned(ahi: number, alo: number, bhi: number, blo: number): boolean {
  return ahi >>> 0 < bhi >>> 0 || (ahi === bhi && alo >>> 0 < blo >>> 0);
}

export function executeAmo(cpu: Cpu, inst: number, rd: number, rs1: number, funct3: number): void {
  if (funct3 !== 2 && funct3 !== 3) cpu.raise(2, cpu.inst);
  const size = funct3 === 2 ? 4 : 8;
  const funct5 = inst >>> 27;
  const rs2 = (inst >> 20) & 31;
  const va = cpu.xhi[rs1] * TWO_32 + (cpu.xlo[rs1] >>> 0);
  const misaligned = (va & (size - 1)) !== 0;
  let oldLo: number;
  let oldHi: number;
  if (funct5 === 2) {
    // LR
    if (rs2 !== 0) cpu.raise(2, cpu.inst);
    if (misaligned) cpu.raise(4, va);
    const pa = translate(cpu, va, ACCESS_LOAD);
    oldLo = cpu.readPhys(pa, 4, va);
    oldHi = size === 8 ? cpu.readPhys(pa + 4, 4, va) : oldLo >> 31;
    cpu.reservation = va;
    writeRd(cpu, rd, oldLo, oldHi);
    return;
  }
  if (misaligned) cpu.raise(6, va);
  const bLo = cpu.xlo[rs2];
  const bHi = cpu.xhi[rs2];
  if (funct5 === 3) {
    // SC: succeeds only on the reserved address; the reservation ends either way.
    const ok = cpu.reservation === va;
    cpu.reservation = -1;
    if (ok) {
      const pa = translate(cpu, va, ACCESS_STORE);
      cpu.writePhys(pa, 4, bLo, va);
      if (size === 8) cpu.writePhys(pa + 4, 4, bHi, va);
    }
    writeRd(cpu, rd, ok ? 0 : 1, 0);
    return;
  }
  const pa = translate(cpu, va, ACCESS_STORE);
  oldLo = cpu.readPhys(pa, 4, va);
  oldHi = size === 8 ? cpu.readPhys(pa + 4, 4, va) : oldLo >> 31;
  const bh = size === 8 ? bHi : bLo >> 31;
  let nLo: number;
  let nHi: number;
  switch (funct5) {
    case 0x01:
      nLo = bLo;
      nHi = bh;
      break;
    case 0x00: {
      const sum = (oldLo >>> 0) + (bLo >>> 0);
      nLo = sum | 0;
      nHi = (oldHi + bh + (sum > 0xffffffff ? 1 : 0)) | 0;
      break;
    }
    case 0x04:
      nLo = oldLo ^ bLo;
      nHi = oldHi ^ bh;
      break;
    case 0x0c:
      nLo = oldLo & bLo;
      nHi = oldHi & bh;
      break;
    case 0x08:
      nLo = oldLo | bLo;
      nHi = oldHi | bh;
      break;
    case 0x10:
    case 0x14:
    case 0x18:
    case 0x1c: {
      const signed = funct5 === 0x10 || funct5 === 0x14;
      let oh = oldHi;
      let ol = oldLo;
      let nh = bh;
      let nl = bLo;
      if (size === 4 && !signed) {
        // Word forms compare the 32-bit values.
        oh = 0;
        nh = 0;
        ol = oldLo;
        nl = bLo;
      }
      const less = signed ? lessSigned(oh, ol, nh, nl) : lessUnsigned(oh, ol, nh, nl);
      const takeOld = funct5 === 0x10 || funct5 === 0x18 ? less : !less;
      nLo = takeOld ? oldLo : bLo;
      nHi = takeOld ? oldHi : bh;
      break;
    }
    default:
      return cpu.raise(2, cpu.inst);
  }
  cpu.writePhys(pa, 4, nLo, va);
  if (size === 8) cpu.writePhys(pa + 4, 4, nHi, va);
  writeRd(cpu, rd, oldLo, oldHi);
}

function writeRd(cpu: Cpu, rd: number, lo: number, hi: number): void {
  if (rd === 0) return;
  cpu.xlo[rd] = lo | 0;
  cpu.xhi[rd] = hi | 0;
}
