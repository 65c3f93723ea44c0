// Address translation: bare mode and Sv39 (priv. spec 4.3/4.4), filling the hart's software TLB.
import { INVALID_TAG, tlbTag, type Cpu } from './cpu/Cpu.ts';

export const ACCESS_FETCH = 0;
export const ACCESS_LOAD = 1;
export const ACCESS_STORE = 2;

const CSR_SATP = 0x180;
const CSR_MSTATUS = 0x300;
const MSTATUS_MPRV = 1 << 17;
const MSTATUS_SUM = 1 << 18;
const MSTATUS_MXR = 1 << 19;

const PTE_V = 1;
const PTE_R = 2;
const PTE_W = 4;
const PTE_X = 8;
const PTE_U = 16;
const PTE_A = 64;
const PTE_D = 128;

const TWO_32 = 4294967296;
const SV39_HALF = 2 ** 38;
const PHYS_LIMIT = 2 ** 56;
const TLB_MASK = 1023;

const PAGE_FAULT = [12, 13, 15];
const ACCESS_FAULT = [1, 5, 7];

/**
 * Translates virtual address `va` for an access kind and returns the physical address, raising a
 * page fault or access fault in the guest when not allowed. RAM pages are entered in the TLB.
 */
export function translate(cpu: Cpu, va: number, access: number): number {
  const mstatus = cpu.csrLo[CSR_MSTATUS];
  let priv = cpu.priv;
  // Priv. spec 3.1.6.3: MPRV applies to loads and stores only, never to instruction fetch.
  if (access !== ACCESS_FETCH && priv === 3 && (mstatus & MSTATUS_MPRV) !== 0) priv = (mstatus >>> 11) & 3;
  let pa: number;
  if (priv === 3 || cpu.csrHi[CSR_SATP] >>> 28 !== 8) {
    if (va < 0 || va >= PHYS_LIMIT) return cpu.raise(ACCESS_FAULT[access], va);
    pa = va;
  } else {
    pa = walkSv39(cpu, va, access, priv, mstatus);
  }
  const ram = cpu.ram;
  if (pa >= ram.base && pa < ram.base + ram.size) {
    const vpn = tlbTag(va);
    const idx = vpn & TLB_MASK;
    const base = (pa - (pa % 4096)) - ram.base;
    if (vpn === INVALID_TAG) {
      if (access === ACCESS_STORE) ram.markWritten(base);
    } else if (access === ACCESS_FETCH) {
      cpu.fetchTag[idx] = vpn;
      cpu.fetchBase[idx] = base;
    } else if (access === ACCESS_LOAD) {
      cpu.loadTag[idx] = vpn;
      cpu.loadBase[idx] = base;
    } else {
      ram.markWritten(base);
      // Watched pages and code pages keep taking the slow path, which sees every write.
      if (ram.code[base >>> 12] === 0 && !cpu.hooks.watchedPages.has(Math.floor(pa / 4096))) {
        cpu.storeTag[idx] = vpn;
        cpu.storeBase[idx] = base;
      }
    }
  }
  return pa;
}

function walkSv39(cpu: Cpu, va: number, access: number, priv: number, mstatus: number): number {
  if (va < -SV39_HALF || va >= SV39_HALF) return cpu.raise(PAGE_FAULT[access], va);
  const va39 = va < 0 ? va + 2 * SV39_HALF : va;
  const vpn0 = Math.floor(va39 / 4096) & 511;
  const vpn1 = Math.floor(va39 / 0x20_0000) & 511;
  const vpn2 = Math.floor(va39 / 0x4000_0000) & 511;
  const satpLo = cpu.csrLo[CSR_SATP];
  const satpHi = cpu.csrHi[CSR_SATP];
  let table = ((satpHi & 0xfff) * TWO_32 + (satpLo >>> 0)) * 4096;
  const ram = cpu.ram;
  let level = 2;
  let lo: number;
  let ppn: number;
  let pteOff: number;
  for (;;) {
    const index = level === 2 ? vpn2 : level === 1 ? vpn1 : vpn0;
    const pteAddr = table + index * 8;
    if (pteAddr < ram.base || pteAddr + 8 > ram.base + ram.size) return cpu.raise(ACCESS_FAULT[access], va);
    pteOff = pteAddr - ram.base;
    lo = cpu.i32[pteOff >> 2];
    const hi = cpu.i32[(pteOff >> 2) + 1];
    if ((lo & PTE_V) === 0 || ((lo & PTE_R) === 0 && (lo & PTE_W) !== 0)) return cpu.raise(PAGE_FAULT[access], va);
    // Bits 63:54 are reserved (no Svnapot/Svpbmt here) and must be zero.
    if (hi >>> 22 !== 0) return cpu.raise(PAGE_FAULT[access], va);
    ppn = (hi & 0x3fffff) * 4194304 + (lo >>> 10);
    if ((lo & (PTE_R | PTE_X)) !== 0) break;
    if (level === 0) return cpu.raise(PAGE_FAULT[access], va);
    level--;
    table = ppn * 4096;
  }
  if ((lo & PTE_U) !== 0) {
    // Priv. spec 4.3.1: S-mode may touch U pages only with SUM, and never execute them.
    if (priv === 1 && (access === ACCESS_FETCH || (mstatus & MSTATUS_SUM) === 0)) return cpu.raise(PAGE_FAULT[access], va);
  } else if (priv === 0) {
    return cpu.raise(PAGE_FAULT[access], va);
  }
  let allowed: boolean;
  if (access === ACCESS_FETCH) allowed = (lo & PTE_X) !== 0;
  else if (access === ACCESS_LOAD) allowed = (lo & PTE_R) !== 0 || ((mstatus & MSTATUS_MXR) !== 0 && (lo & PTE_X) !== 0);
  else allowed = (lo & PTE_W) !== 0;
  if (!allowed) return cpu.raise(PAGE_FAULT[access], va);
  const span = level === 2 ? 262144 : level === 1 ? 512 : 1;
  if (ppn % span !== 0) return cpu.raise(PAGE_FAULT[access], va);
  // A and D are updated by the hardware walk, as QEMU does (priv. spec 4.3.1, Svadu behaviour).
  const need = access === ACCESS_STORE ? PTE_A | PTE_D : PTE_A;
  if ((lo & need) !== need) {
    cpu.i32[pteOff >> 2] = lo | need;
    ram.markWritten(pteOff);
    ram.wrote(pteOff, 4);
  }
  const pagePpn = level === 2 ? ppn + vpn1 * 512 + vpn0 : level === 1 ? ppn + vpn0 : ppn;
  return pagePpn * 4096 + (va39 % 4096);
}
