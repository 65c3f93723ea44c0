// The M extension: multiply and divide on (hi, lo) register pairs (unpriv. spec chapter 13).
import type { Cpu } from './Cpu.ts';
import { div64, mul64, mulh64, mulhsu64, mulhu64, result } from './int64.ts';

/**
 * MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU selected by funct3, on registers rs1 and rs2.
 * Register numbers, not values, cross the call: an int32 argument outside the engine's small-integer
 * range (31 bits in Chromium) is boxed into a heap number on every call that is not inlined.
 */
export function executeM(cpu: Cpu, funct3: number, rd: number, rs1: number, rs2: number): void {
  const ahi = cpu.xhi[rs1];
  const alo = cpu.xlo[rs1];
  const bhi = cpu.xhi[rs2];
  const blo = cpu.xlo[rs2];
  switch (funct3) {
    case 0:
      mul64(ahi, alo, bhi, blo);
      break;
    case 1:
      mulh64(ahi, alo, bhi, blo);
      break;
    case 2:
      mulhsu64(ahi, alo, bhi, blo);
      break;
    case 3:
      mulhu64(ahi, alo, bhi, blo);
      break;
    case 4:
      div64(ahi, alo, bhi, blo, true, false);
      break;
    case 5:
      div64(ahi, alo, bhi, blo, false, false);
      break;
    case 6:
      div64(ahi, alo, bhi, blo, true, true);
      break;
    default:
      div64(ahi, alo, bhi, blo, false, true);
      break;
  }
  cpu.xlo[rd] = result.lo;
  cpu.xhi[rd] = result.hi;
}

/** MULW, DIVW, DIVUW, REMW, REMUW: 32-bit operations whose result is sign-extended. */
export function executeMW(cpu: Cpu, funct3: number, rd: number, rs1: number, rs2: number): void {
  const a = cpu.xlo[rs1];
  const b = cpu.xlo[rs2];
  let v: number;
  switch (funct3) {
    case 0:
      v = Math.imul(a, b);
      break;
    case 4:
      if (b === 0) v = -1;
      else if (a === -2147483648 && b === -1) v = a;
      else v = (a / b) | 0;
      break;
    case 5:
      v = b === 0 ? -1 : Math.floor((a >>> 0) / (b >>> 0)) | 0;
      break;
    case 6:
      if (b === 0) v = a;
      else if (a === -2147483648 && b === -1) v = 0;
      else v = a % b | 0;
      break;
    case 7:
      v = b === 0 ? a : (a >>> 0) % (b >>> 0) | 0;
      break;
    default:
      return cpu.raise(2, cpu.inst);
  }
  cpu.xlo[rd] = v;
  cpu.xhi[rd] = v >> 31;
}
