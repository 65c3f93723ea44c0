/* Tiny printf-style formatter shared by the kernel, the user library and the benchmark. */
#ifndef GUESTS_FORMAT_H
#define GUESTS_FORMAT_H

#include <stdarg.h>

/* Receives formatted output in pieces: n bytes at s. */
typedef void (*format_sink)(void *ctx, const char *s, unsigned long n);

/*
 * Supports %s %c %d %i %u %x %p %% with the l/ll length modifiers, a field width, and the
 * flags '0' and '-'. %p prints 0x and 16 hex digits. No floating point on purpose.
 */
void format(format_sink sink, void *ctx, const char *fmt, va_list ap);

#endif
