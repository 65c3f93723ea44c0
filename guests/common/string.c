/* Freestanding string and memory functions used by every guest (the compiler may call memset/memcpy). */
#include "string.h"

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	/* Word stores for the bulk: pages are zeroed with this, and a byte loop would be 8x slower. */
	if ((((unsigned long)d) & 7) == 0) {
		unsigned long w = (unsigned char)c;
		w |= w << 8;
		w |= w << 16;
		w |= w << 32;
		while (n >= 8) {
			*(volatile unsigned long *)d = w;
			d += 8;
			n -= 8;
		}
	}
	while (n--)
		*(volatile unsigned char *)d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (((((unsigned long)d) | ((unsigned long)s)) & 7) == 0) {
		while (n >= 8) {
			*(volatile unsigned long *)d = *(const unsigned long *)s;
			d += 8;
			s += 8;
			n -= 8;
		}
	}
	while (n--)
		*(volatile unsigned char *)d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		*(volatile unsigned char *)(d + n) = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}
