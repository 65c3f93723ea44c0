/* CPU benchmark for bare metal: runs four workloads, prints their checksums and powers off. */
#include <stdarg.h>
#include "workloads.h"
#include "../common/format.h"

#define UART0 0x10000000UL
#define TEST_DEVICE 0x00100000UL

/* About 100 million instructions per workload at -O2, measured with QEMU's -icount. */
#define ROUNDS_LISTS 320
#define ROUNDS_MATRIX 120
#define ROUNDS_STATE_MACHINE 600
#define ROUNDS_CRC 370

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

static u64 instret(void)
{
	u64 v;
	__asm__ volatile("csrr %0, minstret" : "=r"(v));
	return v;
}

static u64 step(const char *name, u64 (*work)(unsigned), unsigned rounds, u64 checksum)
{
	u64 before = instret();
	u64 result = work(rounds);
	u64 after = instret();
	print("bench: %-13s %4u rounds  checksum %016lx\n", name, rounds, result);
#ifdef BENCH_REPORT_INSTRET
	print("bench:   %lu instructions\n", after - before);
#else
	(void)before;
	(void)after;
#endif
	return (checksum << 13 | checksum >> 51) ^ result;
}

int main(void)
{
	print("bench: lists, matrix, state machine, CRC-32\n");
	u64 checksum = 0;
	checksum = step("lists", bench_lists, ROUNDS_LISTS, checksum);
	checksum = step("matrix", bench_matrix, ROUNDS_MATRIX, checksum);
	checksum = step("state-machine", bench_state_machine, ROUNDS_STATE_MACHINE, checksum);
	checksum = step("crc32", bench_crc, ROUNDS_CRC, checksum);
	print("bench: done, checksum %016lx\n", checksum);
	*(volatile unsigned *)TEST_DEVICE = 0x5555;
	for (;;)
		__asm__ volatile("wfi");
}
