/* The user programs' library: system call wrappers and buffered formatted output. */
#ifndef USER_ULIB_H
#define USER_ULIB_H

#include "../common/string.h"
#include "../common/syscalls.h"

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long i64;

__attribute__((noreturn)) void exit(int code);
long write(const void *buf, unsigned long len);
void *sbrk(long increment); /* (void *)-1 when refused */
void sleep_ticks(unsigned long ticks); /* a tick is 10 ms */
int getchar_nonblocking(void);
long program_info(int which);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void puts_raw(const char *s); /* no newline added */
void flush(void);

#endif
