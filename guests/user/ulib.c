/* The user programs' library: system call wrappers and buffered formatted output. */
#include <stdarg.h>
#include "ulib.h"
#include "../common/format.h"

static long syscall1(long number, long a0)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a7 __asm__("a7") = number;
	__asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a7) : "memory");
	return r_a0;
}

static long syscall2(long number, long a0, long a1)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a7 __asm__("a7") = number;
	__asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a7) : "memory");
	return r_a0;
}

static char out[256];
static unsigned out_len;

void flush(void)
{
	if (out_len)
		syscall2(SYS_WRITE, (long)out, out_len);
	out_len = 0;
}

static void out_sink(void *ctx, const char *s, unsigned long n)
{
	(void)ctx;
	while (n--) {
		char c = *s++;
		out[out_len++] = c;
		if (out_len == sizeof out || c == '\n')
			flush();
	}
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format(out_sink, 0, fmt, ap);
	va_end(ap);
	return 0;
}

void puts_raw(const char *s) { out_sink(0, s, strlen(s)); }

long write(const void *buf, unsigned long len)
{
	flush();
	return syscall2(SYS_WRITE, (long)buf, (long)len);
}

void exit(int code)
{
	flush();
	syscall1(SYS_EXIT, code);
	for (;;)
		;
}

void *sbrk(long increment) { return (void *)syscall1(SYS_SBRK, increment); }

void sleep_ticks(unsigned long ticks)
{
	flush();
	syscall1(SYS_SLEEP, (long)ticks);
}

int getchar_nonblocking(void) { return (int)syscall1(SYS_GETCHAR, 0); }

long program_info(int which) { return syscall1(SYS_INFO, which); }
