// The configuration of a new VM: QEMU virt's board as the emulator implements it, booting a built-in image.
import type { BootImageRef, DeviceSpec, VmConfig } from '../domain/index.ts';
import {
  CLINT_BASE,
  CLINT_SIZE,
  DEFAULT_MEMORY_MIB,
  ISA_STRING,
  PLIC_BASE,
  PLIC_SIZE,
  TEST_BASE,
  TEST_SIZE,
  UART0_BASE,
  UART0_IRQ,
  UART0_SIZE,
} from '../emulator/layout.ts';

const hex = (n: number): string => `0x${n.toString(16)}`;

export const BOARD_DEVICES: readonly DeviceSpec[] = [
  { id: 'test', kind: 'sifive,test0', base: hex(TEST_BASE), size: TEST_SIZE },
  { id: 'clint', kind: 'riscv,clint0', base: hex(CLINT_BASE), size: CLINT_SIZE },
  { id: 'plic', kind: 'riscv,plic0', base: hex(PLIC_BASE), size: PLIC_SIZE },
  { id: 'uart0', kind: 'ns16550a', base: hex(UART0_BASE), size: UART0_SIZE, irq: UART0_IRQ },
];

/** The built-in guest OS (public/guests/os.elf) that a new VM boots unless told otherwise. */
export const DEFAULT_BOOT_IMAGE: BootImageRef = { name: 'os.elf', builtin: true };

export const DEFAULT_VM_NAME = 'Playground OS';

export function defaultVmConfig(
  bootImage: BootImageRef = DEFAULT_BOOT_IMAGE,
  memoryMiB = DEFAULT_MEMORY_MIB,
  kernelImage?: BootImageRef,
): VmConfig {
  return kernelImage
    ? { memoryMiB, isa: ISA_STRING, bootImage, kernelImage, devices: BOARD_DEVICES }
    : { memoryMiB, isa: ISA_STRING, bootImage, devices: BOARD_DEVICES };
}
