/* The `mem` command: the board's memory map, the kernel's layout and the page pool's usage. */
#include "kernel.h"

static void region(u64 start, u64 end, const char *what)
{
	kprintf("  0x%08lx-0x%08lx  %s\n", start, end - 1, what);
}

void mem_report(void)
{
	u64 total = pages_total(), used = pages_used(), reserved = pages_reserved();
	u64 pool_end = (u64)__kernel_end + total * PAGE_SIZE;
	kprintf("Memory map:\n");
	region(TEST_DEVICE, TEST_DEVICE + 0x1000, "test device (poweroff 0x5555, reboot 0x7777)");
	region(CLINT, CLINT + 0x10000, "CLINT: mtimecmp, mtime (10 MHz)");
	region(PLIC, PLIC + 0x4000000, "PLIC: interrupt controller");
	region(UART0, UART0 + 0x100, "UART NS16550A (irq 10)");
	region((u64)__text_start, (u64)__text_end, "kernel code");
	region((u64)__text_end, (u64)__data_start, "kernel read-only data and built-in programs");
	region((u64)__data_start, (u64)__kernel_end, "kernel data, page bitmap, stack");
	region((u64)__kernel_end, pool_end, "page pool");
	if (pool_end < ram.base + ram.size)
		region(pool_end, ram.base + ram.size, "RAM beyond the pool (unused)");
	if (ram.dtb_size)
		region(ram.dtb, ram.dtb + ram.dtb_size, "device tree (reserved in the pool)");
	kprintf("Pages of 4 KiB: %lu in the pool, %lu used (%lu reserved), %lu free\n", total,
		used, reserved, total - used);
}
