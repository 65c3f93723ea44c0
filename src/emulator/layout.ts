// Physical memory map and board constants of QEMU's `virt` machine, the subset real firmware expects.

/** SiFive test device (sifive,test0/test1): a write of FINISHER_* to offset 0 ends the run. */
export const TEST_BASE = 0x10_0000;
export const TEST_SIZE = 0x1000;
/** Value written to the test device to power off (low 16 bits; high 16 bits carry an exit code for FAIL). */
export const FINISHER_PASS = 0x5555;
export const FINISHER_FAIL = 0x3333;
export const FINISHER_RESET = 0x7777;

/** CLINT (SiFive core-local interruptor): msip at +0, mtimecmp at +0x4000, mtime at +0xbff8. */
export const CLINT_BASE = 0x200_0000;
export const CLINT_SIZE = 0x1_0000;
export const CLINT_MSIP_OFFSET = 0x0;
export const CLINT_MTIMECMP_OFFSET = 0x4000;
export const CLINT_MTIME_OFFSET = 0xbff8;

/** PLIC: priorities at +0, pending at +0x1000, enables at +0x2000 (0x80 per context), thresholds/claim at +0x20_0000 (0x1000 per context). */
export const PLIC_BASE = 0xc00_0000;
export const PLIC_SIZE = 0x60_0000;
/** Number of interrupt sources QEMU's virt PLIC declares (riscv,ndev); source 0 is reserved. */
export const PLIC_NDEV = 0x60;
/** PLIC contexts of hart 0: context 0 is M-mode external, context 1 is S-mode external (as QEMU virt). */
export const PLIC_CONTEXT_M = 0;
export const PLIC_CONTEXT_S = 1;

/** NS16550A UART. */
export const UART0_BASE = 0x1000_0000;
export const UART0_SIZE = 0x100;
export const UART0_IRQ = 10;
/** Input clock QEMU advertises for its 16550 (1.8432 MHz * 2). */
export const UART0_CLOCK_HZ = 3_686_400;

/** Start of RAM; firmware (or a bare-metal ELF) starts here. */
export const RAM_BASE = 0x8000_0000;
export const DEFAULT_MEMORY_MIB = 128;
/** Where QEMU places `-kernel` next to `-bios` on RV64 (OpenSBI fw_jump's FW_JUMP_ADDR). */
export const KERNEL_BASE = 0x8020_0000;

/** mtime frequency (QEMU virt's timebase-frequency). */
export const TIMEBASE_HZ = 10_000_000;

/** The ISA this machine implements, as written in the device tree's riscv,isa. */
export const ISA_STRING = 'rv64imac_zicsr_zifencei';
/** Paging mode advertised in the device tree's mmu-type. */
export const MMU_TYPE = 'riscv,sv39';

/** Hart id of the only hart (passed in a0 at reset). */
export const BOOT_HART_ID = 0;

/**
 * Where the device tree goes in RAM, as QEMU's riscv_load_fdt places it: the top of RAM (capped at
 * 3 GiB when RAM starts below it) minus the blob, rounded down to 2 MiB.
 */
export function fdtLoadAddress(memoryBytes: number, fdtSize: number, ramBase: number = RAM_BASE): number {
  const LIMIT = 0xc000_0000;
  const ramEnd = ramBase + memoryBytes;
  const top = ramBase < LIMIT ? Math.min(ramEnd, LIMIT) : ramEnd;
  const TWO_MIB = 0x20_0000;
  return Math.floor((top - fdtSize) / TWO_MIB) * TWO_MIB;
}
