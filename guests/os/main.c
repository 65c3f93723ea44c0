/* Kernel entry after start.S: console, device tree, page pool, interrupts, banner, shell. */
#include "kernel.h"

struct ram_info ram;

void kmain(u64 hartid, u64 dtb)
{
	(void)hartid;
	uart_init();
	fdt_read_memory(dtb, &ram);
	pages_init((u64)__kernel_end, ram.base + ram.size, ram.dtb, ram.dtb + ram.dtb_size);
	interrupts_init();
	if (pmp_allow_all() < 0)
		kprintf("[kernel] no PMP: assuming U-mode may access all memory\n");

	kprintf("\nVM Playground OS 1.0 for RV64: kernel in M-mode, programs in U-mode on Sv39\n");
	kprintf("RAM: %lu MiB at 0x%lx%s\n", ram.size >> 20, ram.base,
		ram.from_dtb ? "" : " (assumed: no device tree found)");
	kprintf("Programs:");
	for (unsigned i = 0; i < program_count; i++)
		kprintf(" %s", programs[i].name);
	kprintf("\nType 'help' for the commands, 'run NAME' for a program.\n");
	shell_run();
}
