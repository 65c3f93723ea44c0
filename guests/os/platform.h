/* Addresses and constants of the QEMU virt board that the kernel runs on. */
#ifndef OS_PLATFORM_H
#define OS_PLATFORM_H

#define TEST_DEVICE 0x00100000UL /* SiFive test device: write 0x5555 to power off, 0x7777 to reboot */
#define CLINT 0x02000000UL
#define CLINT_MTIMECMP (CLINT + 0x4000UL) /* hart 0 */
#define CLINT_MTIME (CLINT + 0xbff8UL)
#define PLIC 0x0c000000UL
#define UART0 0x10000000UL
#define UART0_IRQ 10
#define RAM_BASE 0x80000000UL
#define RAM_DEFAULT_SIZE (128UL << 20)

#define TIMEBASE_HZ 10000000UL /* mtime frequency */
#define TICK_HZ 100UL
#define TICK_INTERVAL (TIMEBASE_HZ / TICK_HZ)

#define PAGE_SIZE 4096UL

#endif
