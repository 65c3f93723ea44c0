// The board: one RV64 hart, RAM and QEMU virt's devices, run in slices that stop at well-defined points.
import { Bus } from './bus.ts';
import { Cpu, PRIV_M, type TrapInfo } from './cpu/Cpu.ts';
import { csrRead, csrValue, MSTATUS_HI } from './cpu/csr.ts';
import { execute } from './cpu/rv64i.ts';
import { instructionsUntil, mtimeOf } from './cpu/time.ts';
import { interruptToTake, pendingEnabled, takeTrap } from './cpu/trap.ts';
import { BOOT_ROM_BASE, BOOT_ROM_SIZE, BootRom, FW_DYNAMIC_INFO_OFFSET } from './devices/bootRom.ts';
import { Clint } from './devices/clint.ts';
import { Plic } from './devices/plic.ts';
import { TestDevice, type FinisherOutcome } from './devices/testDevice.ts';
import { Uart } from './devices/uart.ts';
import { buildDeviceTree } from './dtb.ts';
import {
  BOOT_HART_ID,
  CLINT_BASE,
  CLINT_SIZE,
  DEFAULT_MEMORY_MIB,
  KERNEL_BASE,
  PLIC_BASE,
  PLIC_CONTEXT_M,
  PLIC_CONTEXT_S,
  PLIC_SIZE,
  RAM_BASE,
  TEST_BASE,
  TEST_SIZE,
  UART0_BASE,
  UART0_IRQ,
  UART0_SIZE,
  fdtLoadAddress,
} from './layout.ts';
import { ImageFormatError } from './loaders/ImageFormatError.ts';
import { readImage, type LoadableImage } from './loaders/detectImage.ts';
import { Ram } from './ram.ts';
import { BlockCache, type BlockBackend, type CompiledBlock } from './cpu/blocks.ts';
import { StateHasher, combineDigest } from './stateHash.ts';

export interface MachineConfig {
  /** RAM size in MiB (default 128). */
  readonly memoryMiB?: number;
  /** Firmware or bare-metal program: ELF64 or raw binary at 0x8000_0000. */
  readonly bios: Uint8Array;
  readonly biosName?: string;
  /** Optional payload: raw binary at 0x8020_0000 (or an ELF at its own addresses). */
  readonly kernel?: Uint8Array;
  readonly kernelName?: string;
  /** Kernel command line for /chosen/bootargs. */
  readonly bootargs?: string;
  /**
   * Translate hot blocks (cpu/blocks.ts; default true) into WebAssembly, or into JavaScript with
   * backend 'js' (the default where the host has no WebAssembly), optionally after a given number
   * of arrivals at a block. Either way the machine goes through the same states at the same
   * instruction counts; false runs the interpreter only.
   */
  readonly translate?: boolean | { readonly threshold?: number; readonly backend?: BlockBackend };
  /**
   * What RAM lives in: 'wasm' (the default where the host has WebAssembly), one WebAssembly memory
   * that translated WebAssembly blocks address; 'array', a plain buffer, as on a host without
   * WebAssembly (blocks are then translated into JavaScript).
   */
  readonly ram?: 'wasm' | 'array';
}

/** Everything needed to put a machine of the same configuration back into a state (design.md §8 checkpoints). */
export interface MachineSnapshot {
  readonly memoryBytes: number;
  /** Hart: registers, pc, privilege, counters and CSR storage. */
  readonly cpu: {
    readonly xlo: Int32Array;
    readonly xhi: Int32Array;
    /** The CSR storage that is not zero, as [index, lo, hi] triples in index order. */
    readonly csrs: Int32Array;
    /** [pc, priv, icount, waiting, timeOffset, cycleOffset, instretOffset, reservation] */
    readonly scalars: readonly number[];
  };
  readonly clint: readonly number[];
  readonly plic: readonly number[];
  readonly uart: readonly number[];
  readonly halted: { readonly reason: StopReason; readonly exitCode?: number } | undefined;
  /** Copies of every page ever written, by page index from the start of RAM (others are zero). */
  readonly pages: ReadonlyMap<number, Uint8Array>;
}

export type StopReason = 'budget' | 'poweroff' | 'reboot' | 'htif-exit' | 'breakpoint' | 'watchpoint' | 'waiting-for-input';

export interface RunResult {
  readonly reason: StopReason;
  /** Instructions executed by this call (trapping ones included). */
  readonly executed: number;
  /** For poweroff (0 = pass, else the failure code) and htif-exit (the test's code). */
  readonly exitCode?: number;
}

const MIP_MSIP = 1 << 3;
const MIP_MTIP = 1 << 7;
const MIP_SEIP = 1 << 9;
const MIP_MEIP = 1 << 11;
const MIE_MTIE = 1 << 7;
const TWO_32 = 4294967296;
const MAX_SAFE_DEADLINE = 2 ** 53;
/**
 * Instructions per call of the interpreter loop at most. Long calls leave the engine running the
 * loop in on-stack-replaced code, which in Chromium boxed a heap number every few instructions
 * (bench.elf with calls of 10M instructions: about 800 MB allocated per 150M instructions; with
 * calls of 20k: 74 MB, and 27 % faster). Ending a call early changes nothing a guest can see:
 * anything that can make an interrupt pending already ends the call.
 */
const EXECUTE_CHUNK = 65536;

function exhaustive(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}

export class Machine {
  readonly cpu: Cpu;
  readonly ram: Ram;
  readonly bus: Bus;
  readonly clint: Clint;
  readonly plic: Plic;
  readonly uart: Uart;
  /** Physical address of the device tree passed in a1. */
  readonly dtbAddress: number;
  readonly entry: number;
  /** HTIF tohost address when the image defines it. */
  readonly tohost: number | undefined;
  readonly breakpoints = new Set<number>();
  /** Physical pages whose stores take the slow path: the HTIF page and watched pages. */
  private readonly watchedPages = new Set<number>();
  /** Write watchpoints: physical address → length in bytes. */
  private readonly watchpoints = new Map<number, number>();
  /** The last store that hit a watchpoint: its physical address and the writing instruction's icount. */
  watchHit: { readonly pa: number; readonly icount: number } | undefined;

  private output: number[] = [];
  private halted: { reason: StopReason; exitCode?: number } | undefined;
  private breakpointResumeAt = -1;
  private readonly hasher: StateHasher;

  constructor(config: MachineConfig) {
    const memoryMiB = config.memoryMiB ?? DEFAULT_MEMORY_MIB;
    if (!Number.isInteger(memoryMiB) || memoryMiB < 1 || memoryMiB > 2048) {
      throw new RangeError(`memory must be a whole number of MiB between 1 and 2048, got ${memoryMiB}`);
    }
    this.ram = new Ram(RAM_BASE, memoryMiB * 1024 * 1024, config.ram);
    this.dirtyWords = new Uint32Array(this.ram.dirty.buffer, this.ram.dirty.byteOffset, this.ram.dirty.length >>> 2);
    this.bus = new Bus(this.ram);
    const bios = readImage(config.bios, config.biosName ?? 'bios');
    const tohost = bios.symbols.get('tohost');
    this.tohost = tohost === undefined ? undefined : Number(tohost);
    if (this.tohost !== undefined) this.watchedPages.add(Math.floor(this.tohost / 4096));
    this.cpu = new Cpu(this.bus, {
      watchedPages: this.watchedPages,
      afterUncachedStore: (pa, size) => {
        this.htifStore(pa);
        this.checkWatchpoints(pa, size);
      },
    });
    const translate = config.translate ?? true;
    if (translate !== false) this.cpu.blocks = translate === true ? new BlockCache(this.cpu) : new BlockCache(this.cpu, translate.threshold, translate.backend);
    this.clint = new Clint(this.cpu);
    this.plic = new Plic();
    this.uart = new Uart((b) => this.output.push(b));
    const nextStage = config.kernel === undefined ? 0 : KERNEL_BASE;
    this.bus.map(BOOT_ROM_BASE, BOOT_ROM_SIZE, new BootRom(nextStage, BOOT_HART_ID));
    this.bus.map(TEST_BASE, TEST_SIZE, new TestDevice((o) => this.finish(o)));
    this.bus.map(CLINT_BASE, CLINT_SIZE, this.clint);
    this.bus.map(PLIC_BASE, PLIC_SIZE, this.plic);
    this.bus.map(UART0_BASE, UART0_SIZE, this.uart);
    this.hasher = new StateHasher(this.ram);

    const loaded = [{ name: config.biosName ?? 'bios', image: bios }];
    if (config.kernel !== undefined) {
      const name = config.kernelName ?? 'kernel';
      loaded.push({ name, image: readImage(config.kernel, name, KERNEL_BASE) });
    }
    for (const { name, image } of loaded) this.load(image, name);
    const dtb = buildDeviceTree({ memoryBytes: this.ram.size, bootargs: config.bootargs });
    this.dtbAddress = fdtLoadAddress(this.ram.size, dtb.length);
    // QEMU's placement (2 MiB below the top of RAM) lands on the images in a small machine.
    for (const { name, image } of loaded) {
      for (const seg of image.segments) {
        if (seg.paddr < this.dtbAddress + dtb.length && this.dtbAddress < seg.paddr + Math.max(seg.memsz, 1)) {
          let enough = memoryMiB + 1;
          while (enough < 2048 && fdtLoadAddress(enough * 1048576, dtb.length) < seg.paddr + seg.memsz) enough++;
          throw new RangeError(
            `a ${memoryMiB} MiB machine has no room for its device tree: it goes at 0x${this.dtbAddress.toString(16)}, over '${name}' ` +
              `(0x${seg.paddr.toString(16)}–0x${(seg.paddr + seg.memsz).toString(16)}). Give the machine at least ${enough} MiB.`,
          );
        }
      }
    }
    this.ram.writeBytes(this.dtbAddress, dtb);

    this.entry = Number(BigInt.asIntN(64, bios.entry));
    this.reset();
  }

  private load(image: LoadableImage, name: string): void {
    for (const seg of image.segments) {
      if (!this.ram.contains(seg.paddr, Math.max(seg.memsz, 1))) {
        throw new ImageFormatError(
          name,
          `a segment of ${seg.memsz} bytes at 0x${seg.paddr.toString(16)} lies outside RAM (0x${RAM_BASE.toString(16)}, ${this.ram.size / 1048576} MiB)`,
        );
      }
      this.ram.writeBytes(seg.paddr, seg.data);
      if (seg.memsz > seg.data.length) this.ram.writeBytes(seg.paddr + seg.data.length, new Uint8Array(seg.memsz - seg.data.length));
    }
  }

  /**
   * Puts the hart in its reset state: M-mode at the entry with the registers QEMU's reset vector
   * leaves: a0 = hart id, a1 = device tree, a2 = fw_dynamic_info in the boot ROM, t0 = entry.
   */
  private reset(): void {
    const cpu = this.cpu;
    cpu.priv = PRIV_M;
    cpu.pc = this.entry;
    cpu.csrHi[0x300] = MSTATUS_HI;
    cpu.setReg(10, BOOT_HART_ID);
    cpu.setReg(11, this.dtbAddress);
    cpu.setReg(12, BOOT_ROM_BASE + FW_DYNAMIC_INFO_OFFSET);
    cpu.setReg(5, this.entry);
    cpu.flushTlb();
  }

  /** Listener for every block translated (HotspotDetected and CodeCompiled effects), or undefined. */
  set onCompiled(listener: ((block: CompiledBlock) => void) | undefined) {
    if (this.cpu.blocks !== undefined) this.cpu.blocks.onCompiled = listener;
  }

  /** Blocks translated so far (0 when translation is off). */
  get blocksCompiled(): number {
    return this.cpu.blocks?.compiled ?? 0;
  }

  /** Listener for every trap the hart takes (exceptions and interrupts), or undefined. */
  set onTrap(listener: ((trap: TrapInfo) => void) | undefined) {
    this.cpu.onTrap = listener;
  }

  get icount(): number {
    return this.cpu.icount;
  }

  get pc(): number {
    return this.cpu.pc;
  }

  get privilege(): number {
    return this.cpu.priv;
  }

  /** Register x`i` as a signed 64-bit BigInt. */
  register(i: number): bigint {
    return (BigInt(this.cpu.xhi[i]) << 32n) | BigInt(this.cpu.xlo[i] >>> 0);
  }

  /** CSR `num` as an unsigned 64-bit BigInt, or undefined when it does not exist. */
  csr(num: number): bigint | undefined {
    const saved = this.cpu.priv;
    this.cpu.priv = PRIV_M;
    const ok = csrRead(this.cpu, num);
    this.cpu.priv = saved;
    if (!ok) return undefined;
    return BigInt.asUintN(64, (BigInt(csrValue.hi) << 32n) | BigInt(csrValue.lo >>> 0));
  }

  /** Bytes of physical memory (RAM only). */
  readPhysical(pa: number, length: number): Uint8Array {
    return this.ram.readBytes(pa, length);
  }

  /** Console bytes the guest wrote since the last call. */
  drainOutput(): Uint8Array {
    const out = Uint8Array.from(this.output);
    this.output = [];
    return out;
  }

  /** Delivers input bytes to the UART now, at the current icount. */
  sendInput(bytes: Uint8Array): void {
    this.uart.receive(bytes);
  }

  /**
   * Stops the run ('watchpoint') right after any store that writes into [pa, pa + length). The
   * store completes; `watchHit.icount` is the icount at which the writing instruction started.
   */
  watchWrite(pa: number, length = 8): void {
    this.watchpoints.set(pa, length);
    for (let p = Math.floor(pa / 4096); p <= Math.floor((pa + length - 1) / 4096); p++) this.watchedPages.add(p);
    this.cpu.flushStoreTlb();
  }

  clearWatchpoints(): void {
    this.watchpoints.clear();
    this.watchedPages.clear();
    if (this.tohost !== undefined) this.watchedPages.add(Math.floor(this.tohost / 4096));
    this.cpu.flushStoreTlb();
  }

  private checkWatchpoints(pa: number, size: number): void {
    for (const [start, length] of this.watchpoints) {
      if (pa < start + length && pa + size > start) {
        this.watchHit = { pa, icount: this.cpu.icount };
        this.cpu.requestExit();
        return;
      }
    }
  }

  /** Runs at most `budget` instructions and says why it stopped. */
  run(budget: number): RunResult {
    const cpu = this.cpu;
    const start = cpu.icount;
    const end = start + Math.max(0, Math.floor(budget));
    for (;;) {
      if (this.halted !== undefined) {
        const h = this.halted;
        return { reason: h.reason, executed: cpu.icount - start, ...(h.exitCode === undefined ? {} : { exitCode: h.exitCode }) };
      }
      this.updateInterruptLines();
      if (cpu.waiting) {
        if (pendingEnabled(cpu) !== 0) {
          cpu.waiting = false;
        } else {
          const deadline = this.timerDeadline();
          if (deadline === undefined) return { reason: 'waiting-for-input', executed: cpu.icount - start };
          // Deterministic idle skip: jump virtual time to the timer deadline.
          cpu.timeOffset += deadline - mtimeOf(cpu);
          continue;
        }
      }
      const irq = interruptToTake(cpu);
      if (irq >= 0) takeTrap(cpu, irq, true, 0);
      if (cpu.icount >= end) return { reason: 'budget', executed: cpu.icount - start };
      let n = Math.min(end - cpu.icount, EXECUTE_CHUNK);
      const cmp = this.clint.mtimecmp;
      if (cmp < MAX_SAFE_DEADLINE && mtimeOf(cpu) < cmp) n = Math.min(n, instructionsUntil(cpu, cmp));
      if (this.breakpoints.size > 0) {
        if (this.breakpoints.has(cpu.pc) && this.breakpointResumeAt !== cpu.icount) {
          this.breakpointResumeAt = cpu.icount;
          return { reason: 'breakpoint', executed: cpu.icount - start };
        }
        n = 1;
      }
      cpu.stopAt = cpu.icount + n;
      this.watchHit = undefined;
      execute(cpu);
      // Blocks that became hot in that run are compiled together (cpu/blocks.ts).
      cpu.blocks?.flush();
      if (this.watchHit !== undefined) return { reason: 'watchpoint', executed: cpu.icount - start };
    }
  }

  /**
   * Translates the blocks at `pcs` now rather than when they get hot (a replayer given the blocks
   * its recording translated, from CodeCompiled events). Only addresses that are RAM addresses
   * themselves are taken (code that runs unmapped: firmware, bare-metal programs); blocks are keyed
   * by RAM offset and read their pc when entered, so a block made here is right whatever maps to
   * it, and its page is marked as code, so writes to it drop it. The machine's state is unchanged.
   * Returns the number of blocks made.
   */
  pretranslate(pcs: Iterable<number>): number {
    const blocks = this.cpu.blocks;
    if (blocks === undefined) return 0;
    const ram = this.ram;
    let made = 0;
    for (const pc of pcs) {
      const off = pc - ram.base;
      if (!(off >= 0 && off < ram.size) || off % 2 !== 0) continue;
      this.cpu.enterCodePage(off);
      if (blocks.pretranslate(off, pc)) made++;
    }
    blocks.flush();
    return made;
  }

  /**
   * Takes in the translated blocks of `other` (a machine of the same VM: same RAM size) wherever
   * this machine's RAM holds the same code, with the engine's compiled code of them
   * (BlockCache.adopt). The machine's state is unchanged. Returns the number of blocks taken.
   */
  adoptBlocks(other: Machine): number {
    const blocks = this.cpu.blocks;
    const theirs = other.cpu.blocks;
    return blocks === undefined || theirs === undefined ? 0 : blocks.adopt(theirs);
  }

  /** The mtime at which a timer interrupt could wake a waiting hart, or undefined. */
  private timerDeadline(): number | undefined {
    const cmp = this.clint.mtimecmp;
    if ((this.cpu.csrLo[0x304] & MIE_MTIE) === 0 || cmp >= MAX_SAFE_DEADLINE) return undefined;
    return Math.max(cmp, mtimeOf(this.cpu));
  }

  private updateInterruptLines(): void {
    const cpu = this.cpu;
    this.plic.setLevel(UART0_IRQ, this.uart.interruptLine());
    let hw = 0;
    if (this.clint.msip !== 0) hw |= MIP_MSIP;
    if (mtimeOf(cpu) >= this.clint.mtimecmp) hw |= MIP_MTIP;
    if (this.plic.interruptLine(PLIC_CONTEXT_M)) hw |= MIP_MEIP;
    if (this.plic.interruptLine(PLIC_CONTEXT_S)) hw |= MIP_SEIP;
    cpu.mipHw = hw;
  }

  private finish(outcome: FinisherOutcome): void {
    switch (outcome.kind) {
      case 'poweroff':
        this.halt('poweroff', outcome.code);
        break;
      case 'reboot':
        this.halt('reboot');
        break;
      default:
        exhaustive(outcome);
    }
  }

  private halt(reason: StopReason, exitCode?: number): void {
    this.halted = { reason, ...(exitCode === undefined ? {} : { exitCode }) };
    this.cpu.requestExit();
  }

  /** HTIF (riscv-tests convention): tohost = (code << 1) | 1 exits; device 1 command 1 prints a byte. */
  private htifStore(pa: number): void {
    const tohost = this.tohost;
    if (tohost === undefined || (pa !== tohost && pa !== tohost + 4)) return;
    const off = tohost - this.ram.base;
    const lo = this.ram.i32[off >> 2];
    const hi = this.ram.i32[(off >> 2) + 1];
    if (lo === 0 && hi === 0) return;
    const device = hi >>> 24;
    const command = (hi >>> 16) & 0xff;
    if (device === 0 && command === 0 && (lo & 1) === 1) {
      this.halt('htif-exit', (hi & 0xffff) * 2147483648 + (lo >>> 1));
    } else if (device === 1 && command === 1) {
      this.output.push(lo & 0xff);
      this.ram.i32[off >> 2] = 0;
      this.ram.i32[(off >> 2) + 1] = 0;
      this.ram.wrote(off, 8);
    }
  }

  /** ram.dirty seen as words of four pages (takeDirtyPages). */
  private readonly dirtyWords: Uint32Array;

  /**
   * Indices of the RAM pages written since the previous call (or since boot or restore), in order;
   * clears that map. Checkpoints use it to hash and store only the pages that changed.
   */
  takeDirtyPages(): number[] {
    const dirty = this.ram.dirty;
    const pages: number[] = [];
    // Four pages per test: few of a machine's 32k pages are written between checkpoints.
    const words = this.dirtyWords;
    for (let w = 0; w < words.length; w++) {
      if (words[w] === 0) continue;
      for (let p = 4 * w; p < 4 * w + 4; p++) if (dirty[p] === 1) pages.push(p);
      words[w] = 0;
    }
    for (let p = 4 * words.length; p < dirty.length; p++) {
      if (dirty[p] === 1) {
        pages.push(p);
        dirty[p] = 0;
      }
    }
    // A page whose write permission is cached in the store TLB would not be marked again.
    this.cpu.flushStoreTlb();
    return pages;
  }

  /**
   * Captures the state (touched pages are copied); console output not yet drained is not part of it.
   * `withPages` false leaves the pages out, for a caller that keeps them its own way (checkpoints copy
   * only the pages written since the previous one): such a snapshot cannot be restored by itself.
   */
  snapshot(withPages = true): MachineSnapshot {
    const cpu = this.cpu;
    const pages = new Map<number, Uint8Array>();
    for (let p = 0; withPages && p < this.ram.touched.length; p++) {
      if (this.ram.touched[p] === 1) pages.set(p, this.ram.u8.slice(p * 4096, (p + 1) * 4096));
    }
    return {
      memoryBytes: this.ram.size,
      cpu: {
        xlo: cpu.xlo.slice(),
        xhi: cpu.xhi.slice(),
        csrs: this.csrCopy(),
        scalars: [cpu.pc, cpu.priv, cpu.icount, cpu.waiting ? 1 : 0, cpu.timeOffset, cpu.cycleOffset, cpu.instretOffset, cpu.reservation],
      },
      clint: this.clint.state(),
      plic: this.plic.state(),
      uart: this.uart.state(),
      halted: this.halted,
      pages,
    };
  }

  /** The CSRs of the last snapshot: snapshots are never written to, so they share them while they stay the same. */
  private lastCsrs: Int32Array | null = null;
  /** Where csrCopy gathers the CSRs before comparing them with the last snapshot's. */
  private readonly csrScratch = new Int32Array(3 * 4096);

  /**
   * The non-zero CSR storage for a snapshot, or the last snapshot's when nothing changed since. A
   * guest uses a few dozen of the 4096 CSR numbers: copying (and encoding) the whole file took a
   * third of a head checkpoint in Chromium's worker (bench/travel, a CPU profile).
   */
  private csrCopy(): Int32Array {
    const { csrLo, csrHi } = this.cpu;
    const out = this.csrScratch;
    let n = 0;
    for (let i = 0; i < 4096; i++) {
      const lo = csrLo[i];
      const hi = csrHi[i];
      if ((lo | hi) === 0) continue;
      out[n] = i;
      out[n + 1] = lo;
      out[n + 2] = hi;
      n += 3;
    }
    const last = this.lastCsrs;
    if (last && last.length === n && samePrefix(last, out)) return last;
    return (this.lastCsrs = out.slice(0, n));
  }

  /** Puts the machine back into a snapshot taken from a machine with the same configuration and images. */
  restore(s: MachineSnapshot): void {
    if (s.memoryBytes !== this.ram.size) {
      throw new RangeError(`snapshot of a ${s.memoryBytes / 1048576} MiB machine cannot restore into ${this.ram.size / 1048576} MiB`);
    }
    const cpu = this.cpu;
    const ram = this.ram;
    // Translated blocks are keyed by RAM offset and depend only on the bytes of their page: those of
    // pages the restore leaves as they were stay, so a seek does not re-execute interpreted while
    // the code it runs is translated again.
    const blocks = cpu.blocks;
    for (let p = 0; p < ram.touched.length; p++) {
      const saved = s.pages.get(p);
      if (saved !== undefined) {
        if (blocks?.translatedOn(p) && !samePage(ram.u8, p * 4096, saved)) blocks.invalidate(p * 4096, 4096);
        ram.u8.set(saved, p * 4096);
      } else if (ram.touched[p] === 1) {
        blocks?.invalidate(p * 4096, 4096);
        ram.u8.fill(0, p * 4096, (p + 1) * 4096);
      } else continue;
      ram.touched[p] = saved === undefined ? 0 : 1;
      ram.touchedVersion++;
      ram.dirty[p] = 1;
      ram.stale[p] = 1;
    }
    cpu.xlo.set(s.cpu.xlo);
    cpu.xhi.set(s.cpu.xhi);
    cpu.csrLo.fill(0);
    cpu.csrHi.fill(0);
    const csrs = s.cpu.csrs;
    for (let k = 0; k < csrs.length; k += 3) {
      cpu.csrLo[csrs[k]] = csrs[k + 1];
      cpu.csrHi[csrs[k]] = csrs[k + 2];
    }
    const [pc, priv, icount, waiting, timeOffset, cycleOffset, instretOffset, reservation] = s.cpu.scalars;
    Object.assign(cpu, { pc, priv, icount, waiting: waiting === 1, timeOffset, cycleOffset, instretOffset, reservation });
    this.clint.restoreState(s.clint);
    this.plic.restoreState(s.plic);
    this.uart.restoreState(s.uart);
    this.halted = s.halted;
    this.output = [];
    this.breakpointResumeAt = -1;
    cpu.flushTlb();
  }

  /** A digest of the whole machine state (CPU, CSRs, devices, RAM); equal states give equal hashes. */
  stateHash(): string {
    const cpu = this.cpu;
    const ramDigest = this.hasher.ramDigest();
    // Pages are re-marked on their next write only if the store TLB forgets them.
    cpu.flushStoreTlb();
    const scalars = [
      cpu.pc | 0,
      Math.floor(cpu.pc / TWO_32) | 0,
      cpu.priv,
      cpu.icount | 0,
      Math.floor(cpu.icount / TWO_32),
      cpu.waiting ? 1 : 0,
      cpu.timeOffset | 0,
      cpu.cycleOffset | 0,
      cpu.instretOffset | 0,
      cpu.reservation | 0,
    ];
    return combineDigest([cpu.xlo, cpu.xhi, scalars, cpu.csrLo, cpu.csrHi, this.clint.state(), this.plic.state(), this.uart.state()], ramDigest);
  }
}

/** Whether `a` equals the first a.length words of `b`. */
function samePrefix(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether the 4 KiB page of `ram` at `at` holds the bytes of `page`. */
export function samePage(ram: Uint8Array, at: number, page: Uint8Array): boolean {
  for (let i = 0; i < 4096; i++) if (ram[at + i] !== page[i]) return false;
  return true;
}
