/* A busy bare-metal guest: the benchmark's workloads round after round, a line per round, a 100 Hz timer interrupt; never ends. */
#include <stdarg.h>
#include "../bench/workloads.h"
#include "../common/format.h"

#define UART0 0x10000000UL
#define CLINT_MTIMECMP 0x02004000UL
#define CLINT_MTIME 0x0200bff8UL
/* mtime counts at 10 MHz: 100 000 ticks are 10 ms. */
#define TICK 100000UL

static volatile u64 ticks;

static void uart_putc(char c)
{
	volatile unsigned char *uart = (volatile unsigned char *)UART0;
	while (!(uart[5] & 0x20))
		;
	uart[0] = (unsigned char)c;
}

static void uart_sink(void *ctx, const char *s, unsigned long n)
{
	(void)ctx;
	while (n--) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s++);
	}
}

static void print(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format(uart_sink, 0, fmt, ap);
	va_end(ap);
}

/* Machine timer interrupt: count the tick and arm the next one. */
__attribute__((interrupt("machine"), aligned(4))) static void on_trap(void)
{
	volatile u64 *mtimecmp = (volatile u64 *)CLINT_MTIMECMP;
	ticks++;
	*mtimecmp = *(volatile u64 *)CLINT_MTIME + TICK;
}

int main(void)
{
	*(volatile u64 *)CLINT_MTIMECMP = *(volatile u64 *)CLINT_MTIME + TICK;
	__asm__ volatile("csrw mtvec, %0" : : "r"(on_trap));
	__asm__ volatile("csrs mie, %0" : : "r"(1UL << 7));
	__asm__ volatile("csrs mstatus, %0" : : "r"(1UL << 3));
	print("busy: the benchmark's workloads, round after round, with a 100 Hz timer\n");
	for (u64 round = 1;; round++) {
		u64 sum = bench_lists(2) ^ bench_matrix(1) ^ bench_state_machine(4) ^ bench_crc(2);
		print("busy: round %lu, %lu ticks, checksum %016lx\n", round, ticks, sum);
	}
}
