// Trap entry with medeleg/mideleg delegation, and the choice of the interrupt to take (priv. spec 3.1.9, 3.3.1).
import type { Cpu } from './Cpu.ts';

const MSTATUS = 0x300;
const MEDELEG = 0x302;
const MIDELEG = 0x303;
const MIE = 0x304;
const MTVEC = 0x305;
const MEPC = 0x341;
const MCAUSE = 0x342;
const MTVAL = 0x343;
const MIP = 0x344;
const STVEC = 0x105;
const SEPC = 0x141;
const SCAUSE = 0x142;
const STVAL = 0x143;

const TWO_32 = 4294967296;

/** Interrupt numbers in the order they are taken when several are pending (priv. spec 3.1.9). */
const PRIORITY = [11, 3, 7, 9, 1, 5];

function setPair(cpu: Cpu, csr: number, value: number): void {
  cpu.csrLo[csr] = value | 0;
  cpu.csrHi[csr] = Math.floor(value / TWO_32) | 0;
}

function vectorTarget(cpu: Cpu, tvec: number, cause: number, interrupt: boolean): number {
  const lo = cpu.csrLo[tvec];
  const base = cpu.csrHi[tvec] * TWO_32 + ((lo & ~3) >>> 0);
  return interrupt && (lo & 3) === 1 ? base + 4 * cause : base;
}

/** Enters the trap handler for `cause`; the current pc becomes xepc. */
export function takeTrap(cpu: Cpu, cause: number, interrupt: boolean, tval: number): void {
  const from = cpu.priv;
  const pc = cpu.pc;
  const delegated = from <= 1 && ((cpu.csrLo[interrupt ? MIDELEG : MEDELEG] >>> cause) & 1) !== 0;
  let mstatus = cpu.csrLo[MSTATUS];
  if (delegated) {
    cpu.csrLo[SCAUSE] = cause;
    cpu.csrHi[SCAUSE] = interrupt ? 0x80000000 | 0 : 0;
    setPair(cpu, SEPC, cpu.pc);
    setPair(cpu, STVAL, tval);
    // SPIE <- SIE, SIE <- 0, SPP <- previous privilege.
    mstatus = (mstatus & ~(0x2 | 0x20 | 0x100)) | ((mstatus & 0x2) << 4) | (from << 8);
    cpu.csrLo[MSTATUS] = mstatus;
    cpu.priv = 1;
    cpu.pc = vectorTarget(cpu, STVEC, cause, interrupt);
  } else {
    cpu.csrLo[MCAUSE] = cause;
    cpu.csrHi[MCAUSE] = interrupt ? 0x80000000 | 0 : 0;
    setPair(cpu, MEPC, cpu.pc);
    setPair(cpu, MTVAL, tval);
    // MPIE <- MIE, MIE <- 0, MPP <- previous privilege.
    mstatus = (mstatus & ~(0x8 | 0x80 | 0x1800)) | ((mstatus & 0x8) << 4) | (from << 11);
    cpu.csrLo[MSTATUS] = mstatus;
    cpu.priv = 3;
    cpu.pc = vectorTarget(cpu, MTVEC, cause, interrupt);
  }
  cpu.waiting = false;
  cpu.flushTlb();
  cpu.onTrap?.({ cause, interrupt, tval, pc, from, to: cpu.priv, icount: cpu.icount });
}

/** The pending and enabled interrupts, ignoring the global enables (what wakes WFI). */
export function pendingEnabled(cpu: Cpu): number {
  return (cpu.csrLo[MIP] | cpu.mipHw) & cpu.csrLo[MIE];
}

/** The interrupt the hart takes now, or -1 (priv. spec 3.1.6.1 global enables and delegation). */
export function interruptToTake(cpu: Cpu): number {
  const pending = pendingEnabled(cpu);
  if (pending === 0) return -1;
  const mideleg = cpu.csrLo[MIDELEG];
  const mstatus = cpu.csrLo[MSTATUS];
  const priv = cpu.priv;
  const mEnabled = priv < 3 || (mstatus & 0x8) !== 0;
  const sEnabled = priv < 1 || (priv === 1 && (mstatus & 0x2) !== 0);
  const m = mEnabled ? pending & ~mideleg : 0;
  const s = sEnabled ? pending & mideleg : 0;
  const chosen = m !== 0 ? m : s;
  if (chosen === 0) return -1;
  for (const irq of PRIORITY) if ((chosen >>> irq) & 1) return irq;
  return -1;
}
