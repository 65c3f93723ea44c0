/* Traps taken in M-mode itself: interrupts while the kernel waits, probe faults, and panics. */
#include "kernel.h"

#define CAUSE_INTERRUPT (1UL << 63)

static volatile int probing;
static volatile int probe_faulted;

static const char *const exception_names[] = {
	"instruction address misaligned", "instruction access fault", "illegal instruction",
	"breakpoint", "load address misaligned", "load access fault",
	"store address misaligned", "store access fault", "ecall from U-mode",
	"ecall from S-mode", "reserved", "ecall from M-mode", "instruction page fault",
	"load page fault", "reserved", "store page fault",
};

const char *trap_cause_name(u64 cause)
{
	if (cause & CAUSE_INTERRUPT)
		return "interrupt";
	if (cause < sizeof exception_names / sizeof exception_names[0])
		return exception_names[cause];
	return "unknown exception";
}

NORETURN void power_off(void)
{
	*(volatile u32 *)TEST_DEVICE = 0x5555;
	for (;;)
		__asm__ volatile("wfi");
}

NORETURN void reboot(void)
{
	*(volatile u32 *)TEST_DEVICE = 0x7777;
	for (;;)
		__asm__ volatile("wfi");
}

NORETURN void panic(const char *what)
{
	kprintf("\n[kernel] panic: %s\n", what);
	power_off();
}

void kernel_trap(void)
{
	u64 cause = csr_read(mcause);
	if (cause & CAUSE_INTERRUPT) {
		handle_interrupt(cause & ~CAUSE_INTERRUPT);
		return;
	}
	u64 epc = csr_read(mepc);
	if (probing && (cause == 2 || cause == 4 || cause == 5 || cause == 6 || cause == 7)) {
		/* peek/poke touched a hole, or a CSR is missing: skip the instruction, report it. */
		u16 low = *(volatile u16 *)epc;
		csr_write(mepc, epc + ((low & 3) == 3 ? 4 : 2));
		probe_faulted = 1;
		return;
	}
	kprintf("\n[kernel] %s in the kernel at pc %p, mtval %p\n", trap_cause_name(cause),
		(void *)epc, (void *)csr_read(mtval));
	panic("unexpected trap");
}

/* The accesses are in asm so that each is exactly one load/store that a fault can skip. */
int probe_read(u64 addr, unsigned size, u64 *value)
{
	u64 v = 0;
	probe_faulted = 0;
	probing = 1;
	switch (size) {
	case 1: __asm__ volatile("lbu %0, 0(%1)" : "+r"(v) : "r"(addr) : "memory"); break;
	case 2: __asm__ volatile("lhu %0, 0(%1)" : "+r"(v) : "r"(addr) : "memory"); break;
	case 4: __asm__ volatile("lwu %0, 0(%1)" : "+r"(v) : "r"(addr) : "memory"); break;
	default: __asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(addr) : "memory"); break;
	}
	probing = 0;
	*value = v;
	return probe_faulted ? -1 : 0;
}

int probe_write(u64 addr, unsigned size, u64 value)
{
	probe_faulted = 0;
	probing = 1;
	switch (size) {
	case 1: __asm__ volatile("sb %0, 0(%1)" ::"r"(value), "r"(addr) : "memory"); break;
	case 2: __asm__ volatile("sh %0, 0(%1)" ::"r"(value), "r"(addr) : "memory"); break;
	case 4: __asm__ volatile("sw %0, 0(%1)" ::"r"(value), "r"(addr) : "memory"); break;
	default: __asm__ volatile("sd %0, 0(%1)" ::"r"(value), "r"(addr) : "memory"); break;
	}
	probing = 0;
	return probe_faulted ? -1 : 0;
}

/*
 * With no PMP entry, U-mode may access nothing (priv. spec 3.7.1), and QEMU refuses an mret
 * to U-mode outright. One NAPOT entry covering all addresses lets the page tables decide.
 */
int pmp_allow_all(void)
{
	probe_faulted = 0;
	probing = 1;
	__asm__ volatile("csrw pmpaddr0, %0\n\tcsrw pmpcfg0, %1" ::"r"(~0UL >> 10), "r"(0x1fUL));
	probing = 0;
	return probe_faulted ? -1 : 0;
}
