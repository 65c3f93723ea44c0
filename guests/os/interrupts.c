/* Interrupt sources: the CLINT timer tick and the PLIC, which routes the UART's line to hart 0. */
#include "kernel.h"

#define PLIC_PRIORITY(irq) (PLIC + 4UL * (irq))
#define PLIC_ENABLE_CTX0 (PLIC + 0x2000UL)     /* context 0 = hart 0, M-mode */
#define PLIC_THRESHOLD_CTX0 (PLIC + 0x200000UL)
#define PLIC_CLAIM_CTX0 (PLIC + 0x200004UL)

#define MIE_MTIE (1UL << 7)
#define MIE_MEIE (1UL << 11)
#define CAUSE_MACHINE_TIMER 7
#define CAUSE_MACHINE_EXTERNAL 11

volatile u64 timer_ticks;
volatile u64 external_interrupts;
static u64 mtime_at_boot;

u64 boot_mtime(void) { return mtime_at_boot; }

static void timer_arm(void)
{
	*(volatile u64 *)CLINT_MTIMECMP = read_mtime() + TICK_INTERVAL;
}

void interrupts_init(void)
{
	*(volatile u32 *)PLIC_PRIORITY(UART0_IRQ) = 1;
	*(volatile u32 *)PLIC_ENABLE_CTX0 = 1U << UART0_IRQ;
	*(volatile u32 *)PLIC_THRESHOLD_CTX0 = 0;
	mtime_at_boot = read_mtime();
	timer_arm();
	csr_write(mie, MIE_MTIE | MIE_MEIE);
}

void handle_interrupt(u64 cause)
{
	switch (cause) {
	case CAUSE_MACHINE_TIMER:
		timer_ticks++;
		timer_arm();
		break;
	case CAUSE_MACHINE_EXTERNAL: {
		u32 irq = *(volatile u32 *)PLIC_CLAIM_CTX0;
		if (irq == UART0_IRQ)
			uart_irq();
		if (irq)
			*(volatile u32 *)PLIC_CLAIM_CTX0 = irq;
		external_interrupts++;
		break;
	}
	default:
		break;
	}
}

/*
 * Called with mstatus.MIE clear after checking for work. wfi wakes on a pending enabled
 * interrupt even with MIE clear (priv. spec 3.3.3), so no wake-up is lost; the interrupt is
 * then taken in the one-instruction window with MIE set.
 */
void wait_for_interrupt(void)
{
	__asm__ volatile("wfi\n\tcsrsi mstatus, 8\n\tcsrci mstatus, 8" ::: "memory");
}

void sleep_until(u64 mtime_deadline)
{
	while ((i64)(read_mtime() - mtime_deadline) < 0 && !console_interrupt_requested)
		wait_for_interrupt();
}
