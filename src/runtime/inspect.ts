// What a person sees of a machine at one point: registers, CSRs, code around pc, memory, devices.
import { toHex, type Hex } from '../domain/index.ts';
import { mtimeOf } from '../emulator/cpu/time.ts';
import { disassemble, instructionLength } from '../emulator/disasm/disassemble.ts';
import type { Machine } from '../emulator/machine.ts';

export const ABI_NAMES = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
] as const;

/** CSRs the inspector shows, by number. */
const KEY_CSRS: readonly [string, number][] = [
  ['mstatus', 0x300], ['mie', 0x304], ['mip', 0x344], ['mtvec', 0x305], ['mepc', 0x341], ['mcause', 0x342],
  ['mtval', 0x343], ['medeleg', 0x302], ['mideleg', 0x303], ['satp', 0x180], ['stvec', 0x105], ['sepc', 0x141],
  ['scause', 0x142], ['stval', 0x143],
];

export interface CodeLine {
  readonly address: Hex;
  readonly bytes: string;
  readonly text: string;
  readonly current: boolean;
}

export interface MachineView {
  readonly icount: number;
  readonly pc: Hex;
  readonly privilege: 'M' | 'S' | 'U';
  /** x0..x31 as 16-digit hex. */
  readonly registers: readonly string[];
  readonly csrs: readonly { name: string; value: string }[];
  /** Instructions from pc on (virtual addresses, translated like the hart would). */
  readonly code: readonly CodeLine[];
  readonly devices: {
    readonly mtime: number;
    readonly mtimecmp: string;
    readonly uartPendingInput: number;
  };
  readonly stateHash: string;
  /** 128 bytes of physical memory from the requested address, as hex pairs; null outside RAM. */
  readonly memory: { readonly address: Hex; readonly bytes: string | null } | null;
}

const hex64 = (v: bigint): string => BigInt.asUintN(64, v).toString(16).padStart(16, '0');
const PRIV = { 0: 'U', 1: 'S', 3: 'M' } as const;

/**
 * Translates a virtual address the way the hart would fetch it (Sv39 when satp says so and the
 * hart is below M-mode), reading page tables without touching A/D bits. undefined when unmapped.
 */
export function debugTranslate(machine: Machine, vaddr: number): number | undefined {
  const satp = machine.csr(0x180) ?? 0n;
  if (machine.privilege === 3 || satp >> 60n !== 8n) return vaddr;
  let table = Number(satp & 0xfff_ffff_ffffn) * 4096;
  const va = BigInt.asUintN(64, BigInt(vaddr));
  for (let level = 2; level >= 0; level--) {
    const vpn = Number((va >> BigInt(12 + 9 * level)) & 0x1ffn);
    const bytes = machine.readPhysical(table + vpn * 8, 8);
    const pte = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if ((pte & 1n) === 0n) return undefined;
    const ppn = (pte >> 10n) & 0xfff_ffff_ffffn;
    if ((pte & 0xan) !== 0n) {
      const pageSize = 1n << BigInt(12 + 9 * level);
      return Number(ppn * 4096n + (va & (pageSize - 1n)));
    }
    table = Number(ppn) * 4096;
  }
  return undefined;
}

function readCode(machine: Machine, vaddr: number, length: number): Uint8Array | undefined {
  const pa = debugTranslate(machine, vaddr);
  if (pa === undefined) return undefined;
  try {
    return machine.readPhysical(pa, length);
  } catch {
    return undefined;
  }
}

/** Disassembles `count` instructions from `pc` on. */
export function codeAt(machine: Machine, pc: number, count: number): CodeLine[] {
  const out: CodeLine[] = [];
  let at = pc;
  for (let i = 0; i < count; i++) {
    const low = readCode(machine, at, 2);
    if (!low) break;
    const half = low[0] | (low[1] << 8);
    const length = instructionLength(half) || 2;
    const bytes = length === 4 ? readCode(machine, at, 4) : low;
    if (!bytes) break;
    const word = length === 4 ? (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0 : half;
    out.push({
      address: toHex(at),
      bytes: word.toString(16).padStart(length * 2, '0'),
      text: disassemble(word, BigInt.asUintN(64, BigInt(at))),
      current: at === pc,
    });
    at += length;
  }
  return out;
}

const MEMORY_WINDOW = 128;

export function viewOf(machine: Machine, icount: number, memoryAt?: number): MachineView {
  const registers = Array.from({ length: 32 }, (_, i) => hex64(machine.register(i)));
  return {
    icount,
    pc: toHex(machine.pc),
    privilege: PRIV[machine.privilege as 0 | 1 | 3] ?? 'M',
    registers,
    csrs: KEY_CSRS.map(([name, num]) => ({ name, value: hex64(machine.csr(num) ?? 0n) })),
    code: codeAt(machine, machine.pc, 12),
    devices: {
      mtime: mtimeOf(machine.cpu),
      mtimecmp: hex64(BigInt(machine.clint.mtimecmpHi >>> 0) * 4294967296n + BigInt(machine.clint.mtimecmpLo >>> 0)),
      uartPendingInput: machine.uart.rxCount,
    },
    stateHash: machine.stateHash(),
    memory: memoryAt === undefined ? null : { address: toHex(memoryAt), bytes: memoryHex(machine, memoryAt) },
  };
}

function memoryHex(machine: Machine, pa: number): string | null {
  try {
    return Array.from(machine.readPhysical(pa, MEMORY_WINDOW), (b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    return null;
  }
}
