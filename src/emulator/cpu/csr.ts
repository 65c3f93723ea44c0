// Control and status registers: access rules, WARL masks and computed views (priv. spec 1.12, chapters 2-4).
import type { Cpu } from './Cpu.ts';
import { mtimeOf, setMtime } from './time.ts';

export const CSR = {
  sstatus: 0x100,
  sie: 0x104,
  stvec: 0x105,
  scounteren: 0x106,
  senvcfg: 0x10a,
  sscratch: 0x140,
  sepc: 0x141,
  scause: 0x142,
  stval: 0x143,
  sip: 0x144,
  satp: 0x180,
  mstatus: 0x300,
  misa: 0x301,
  medeleg: 0x302,
  mideleg: 0x303,
  mie: 0x304,
  mtvec: 0x305,
  mcounteren: 0x306,
  menvcfg: 0x30a,
  mcountinhibit: 0x320,
  mscratch: 0x340,
  mepc: 0x341,
  mcause: 0x342,
  mtval: 0x343,
  mip: 0x344,
  pmpcfg0: 0x3a0,
  pmpaddr0: 0x3b0,
  mcycle: 0xb00,
  minstret: 0xb02,
  cycle: 0xc00,
  time: 0xc01,
  instret: 0xc02,
  mvendorid: 0xf11,
  marchid: 0xf12,
  mimpid: 0xf13,
  mhartid: 0xf14,
  mconfigptr: 0xf15,
} as const;

/** misa: MXL=2 (RV64) with A, C, I, M, S, U. */
export const MISA_LO = (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);
export const MISA_HI = 0x80000000 | 0;

const MSTATUS_WRITABLE = 0x2 | 0x8 | 0x20 | 0x80 | 0x100 | 0x1800 | 0x20000 | 0x40000 | 0x80000 | 0x100000 | 0x200000 | 0x400000;
const SSTATUS_VISIBLE = 0x2 | 0x20 | 0x100 | 0x40000 | 0x80000;
/** UXL = SXL = 2 (64-bit), read-only. */
export const MSTATUS_HI = 0xa;
const MEDELEG_WRITABLE = 0xb3ff;
const S_INTERRUPTS = 0x222;
const MIE_WRITABLE = 0xaaa;
const PMP_ENTRIES = 16;

const TWO_32 = 4294967296;

/** Value read by the last successful csrRead. */
export const csrValue = { lo: 0, hi: 0 };

/** Whether the current privilege may access CSR `num` (and write it, when `write`). */
export function csrAllowed(cpu: Cpu, num: number, write: boolean): boolean {
  if (cpu.priv < ((num >>> 8) & 3)) return false;
  if (write && num >>> 10 === 3) return false;
  // Priv. spec 3.1.6.5: TVM traps S-mode accesses to satp.
  if (num === CSR.satp && cpu.priv === 1 && (cpu.csrLo[CSR.mstatus] & 0x100000) !== 0) return false;
  return true;
}

function counterEnabled(cpu: Cpu, index: number): boolean {
  if (cpu.priv === 3) return true;
  if (((cpu.csrLo[CSR.mcounteren] >>> index) & 1) === 0) return false;
  if (cpu.priv === 0 && ((cpu.csrLo[CSR.scounteren] >>> index) & 1) === 0) return false;
  return true;
}

function setNumber(value: number): boolean {
  csrValue.lo = value | 0;
  csrValue.hi = Math.floor(value / TWO_32) | 0;
  return true;
}

function stored(cpu: Cpu, num: number): boolean {
  csrValue.lo = cpu.csrLo[num];
  csrValue.hi = cpu.csrHi[num];
  return true;
}

/** Reads CSR `num` into csrValue; false when it does not exist here (illegal instruction). */
export function csrRead(cpu: Cpu, num: number): boolean {
  switch (num) {
    case CSR.sstatus:
      csrValue.lo = cpu.csrLo[CSR.mstatus] & SSTATUS_VISIBLE;
      csrValue.hi = 0x2;
      return true;
    case CSR.sie:
      csrValue.lo = cpu.csrLo[CSR.mie] & cpu.csrLo[CSR.mideleg];
      csrValue.hi = 0;
      return true;
    case CSR.sip:
      csrValue.lo = (cpu.csrLo[CSR.mip] | cpu.mipHw) & cpu.csrLo[CSR.mideleg];
      csrValue.hi = 0;
      return true;
    case CSR.mip:
      csrValue.lo = cpu.csrLo[CSR.mip] | cpu.mipHw;
      csrValue.hi = 0;
      return true;
    case CSR.misa:
      csrValue.lo = MISA_LO;
      csrValue.hi = MISA_HI;
      return true;
    case CSR.mvendorid:
    case CSR.marchid:
    case CSR.mimpid:
    case CSR.mhartid:
    case CSR.mconfigptr:
      return setNumber(0);
    case CSR.mcycle:
      return setNumber(cpu.icount - cpu.cycleOffset);
    case CSR.minstret:
      return setNumber(cpu.icount - cpu.instretOffset);
    case CSR.stvec:
    case CSR.scounteren:
    case CSR.senvcfg:
    case CSR.sscratch:
    case CSR.sepc:
    case CSR.scause:
    case CSR.stval:
    case CSR.satp:
    case CSR.mstatus:
    case CSR.medeleg:
    case CSR.mideleg:
    case CSR.mie:
    case CSR.mtvec:
    case CSR.mcounteren:
    case CSR.menvcfg:
    case CSR.mcountinhibit:
    case CSR.mscratch:
    case CSR.mepc:
    case CSR.mcause:
    case CSR.mtval:
      return stored(cpu, num);
    default:
      break;
  }
  if (num >= 0xc00 && num <= 0xc1f) {
    if (!counterEnabled(cpu, num & 0x1f)) return false;
    if (num === CSR.cycle) return setNumber(cpu.icount - cpu.cycleOffset);
    if (num === CSR.time) return setNumber(mtimeOf(cpu));
    if (num === CSR.instret) return setNumber(cpu.icount - cpu.instretOffset);
    return setNumber(0);
  }
  // mhpmcounter3..31 and mhpmevent3..31: present, hard-wired to zero.
  if ((num >= 0xb03 && num <= 0xb1f) || (num >= 0x323 && num <= 0x33f)) return setNumber(0);
  if (num >= CSR.pmpcfg0 && num <= 0x3af) {
    if ((num & 1) !== 0) return false; // RV64 has only the even pmpcfg registers.
    return stored(cpu, num);
  }
  if (num >= CSR.pmpaddr0 && num <= 0x3ef) return stored(cpu, num);
  return false;
}

/** Writes CSR `num` (already checked by csrAllowed and csrRead) with WARL rules applied. */
export function csrWrite(cpu: Cpu, num: number, lo: number, hi: number): void {
  const c = cpu.csrLo;
  switch (num) {
    case CSR.sstatus:
      c[CSR.mstatus] = (c[CSR.mstatus] & ~SSTATUS_VISIBLE) | (lo & SSTATUS_VISIBLE);
      cpu.flushTlb();
      cpu.requestExit();
      return;
    case CSR.mstatus: {
      let v = (c[CSR.mstatus] & ~MSTATUS_WRITABLE) | (lo & MSTATUS_WRITABLE);
      // MPP is WARL: the reserved encoding 2 keeps the previous value.
      if (((v >>> 11) & 3) === 2) v = (v & ~0x1800) | (c[CSR.mstatus] & 0x1800);
      c[CSR.mstatus] = v;
      cpu.flushTlb();
      cpu.requestExit();
      return;
    }
    case CSR.sie: {
      const mask = c[CSR.mideleg] & S_INTERRUPTS;
      c[CSR.mie] = (c[CSR.mie] & ~mask) | (lo & mask);
      cpu.requestExit();
      return;
    }
    case CSR.mie:
      c[CSR.mie] = lo & MIE_WRITABLE;
      cpu.requestExit();
      return;
    case CSR.sip: {
      const mask = c[CSR.mideleg] & 0x2;
      c[CSR.mip] = (c[CSR.mip] & ~mask) | (lo & mask);
      cpu.requestExit();
      return;
    }
    case CSR.mip:
      c[CSR.mip] = lo & S_INTERRUPTS;
      cpu.requestExit();
      return;
    case CSR.medeleg:
      c[num] = lo & MEDELEG_WRITABLE;
      return;
    case CSR.mideleg:
      c[num] = lo & S_INTERRUPTS;
      cpu.requestExit();
      return;
    case CSR.stvec:
    case CSR.mtvec:
      // Modes 2 and 3 are reserved; such a write selects direct mode.
      c[num] = (lo & 3) >= 2 ? lo & ~3 : lo;
      cpu.csrHi[num] = hi;
      return;
    case CSR.sepc:
    case CSR.mepc:
      c[num] = lo & ~1;
      cpu.csrHi[num] = hi;
      return;
    case CSR.sscratch:
    case CSR.scause:
    case CSR.stval:
    case CSR.mscratch:
    case CSR.mcause:
    case CSR.mtval:
      c[num] = lo;
      cpu.csrHi[num] = hi;
      return;
    case CSR.satp: {
      const mode = hi >>> 28;
      // Priv. spec 4.1.11: a write selecting an unsupported mode has no effect.
      if (mode !== 0 && mode !== 8) return;
      c[num] = lo;
      // ASIDLEN is 0: the ASID field reads as zero (the TLB is flushed on every satp write anyway).
      cpu.csrHi[num] = hi & (0xf0000fff | 0);
      cpu.flushTlb();
      return;
    }
    case CSR.scounteren:
    case CSR.mcounteren:
      c[num] = lo;
      return;
    case CSR.mcountinhibit:
      // Bit 1 would inhibit time, which has no such control (priv. spec 3.1.12).
      c[num] = lo & ~2;
      return;
    case CSR.senvcfg:
    case CSR.menvcfg:
      c[num] = lo & 1;
      return;
    case CSR.mcycle:
      cpu.cycleOffset = cpu.icount - (hi * TWO_32 + (lo >>> 0));
      return;
    case CSR.minstret:
      cpu.instretOffset = cpu.icount - (hi * TWO_32 + (lo >>> 0));
      return;
    default:
      break;
  }
  if (num >= CSR.pmpcfg0 && num <= 0x3af) {
    if (num <= 0x3a2) {
      c[num] = lo;
      cpu.csrHi[num] = hi;
    }
    return;
  }
  if (num >= CSR.pmpaddr0 && num < CSR.pmpaddr0 + PMP_ENTRIES) {
    c[num] = lo;
    cpu.csrHi[num] = hi & 0x3fffff;
  }
  // Remaining writable-looking CSRs (hpm counters and events) are hard-wired to zero.
}

/** Time CSR helper re-exported for the CLINT. */
export { mtimeOf, setMtime };
