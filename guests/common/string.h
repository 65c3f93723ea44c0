/* Freestanding string and memory functions used by every guest (the compiler may call memset/memcpy). */
#ifndef GUESTS_STRING_H
#define GUESTS_STRING_H

typedef unsigned long size_t;

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
