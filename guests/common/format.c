/* Tiny printf-style formatter shared by the kernel, the user library and the benchmark. */
#include "format.h"

static void pad(format_sink sink, void *ctx, char c, int count)
{
	while (count-- > 0)
		sink(ctx, &c, 1);
}

static void emit_field(format_sink sink, void *ctx, const char *s, int len, int width,
		       int left, char fill)
{
	if (!left)
		pad(sink, ctx, fill, width - len);
	sink(ctx, s, (unsigned long)len);
	if (left)
		pad(sink, ctx, ' ', width - len);
}

void format(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
	static const char digits[] = "0123456789abcdef";

	while (*fmt) {
		const char *start = fmt;
		while (*fmt && *fmt != '%')
			fmt++;
		if (fmt != start)
			sink(ctx, start, (unsigned long)(fmt - start));
		if (!*fmt)
			break;
		fmt++;

		int left = 0;
		char fill = ' ';
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				fill = '0';
			else
				break;
		}
		int width = 0;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		int longs = 0;
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}

		char buf[24];
		int len = 0;
		char conv = *fmt ? *fmt++ : '\0';
		switch (conv) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int n = 0;
			while (s[n])
				n++;
			emit_field(sink, ctx, s, n, width, left, ' ');
			continue;
		}
		case 'c':
			buf[0] = (char)va_arg(ap, int);
			emit_field(sink, ctx, buf, 1, width, left, ' ');
			continue;
		case 'd':
		case 'i':
		case 'u':
		case 'x':
		case 'p': {
			unsigned long long v;
			int negative = 0;
			unsigned base = (conv == 'x' || conv == 'p') ? 16 : 10;
			if (conv == 'p') {
				v = (unsigned long long)(unsigned long)va_arg(ap, void *);
				width = 16;
				fill = '0';
				left = 0;
				sink(ctx, "0x", 2);
			} else if (conv == 'd' || conv == 'i') {
				long long s = longs ? va_arg(ap, long long) : va_arg(ap, int);
				negative = s < 0;
				v = negative ? 0ull - (unsigned long long)s : (unsigned long long)s;
			} else {
				v = longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			}
			char tmp[24];
			int n = 0;
			do {
				tmp[n++] = digits[v % base];
				v /= base;
			} while (v);
			if (negative && fill == '0' && !left) {
				sink(ctx, "-", 1);
				width--;
				negative = 0;
			}
			if (negative)
				buf[len++] = '-';
			while (n)
				buf[len++] = tmp[--n];
			emit_field(sink, ctx, buf, len, width, left, fill);
			continue;
		}
		case '%':
			sink(ctx, "%", 1);
			continue;
		default:
			/* Unknown conversion: print it as written so the mistake is visible. */
			sink(ctx, "%", 1);
			if (conv)
				sink(ctx, &conv, 1);
			continue;
		}
	}
}
