/* System call numbers (in a7) shared by the kernel and the user library; arguments in a0..a2. */
#ifndef GUESTS_SYSCALLS_H
#define GUESTS_SYSCALLS_H

#define SYS_EXIT 0    /* a0 = exit code; does not return */
#define SYS_WRITE 1   /* a0 = buffer, a1 = length; returns bytes written */
#define SYS_SBRK 2    /* a0 = increment >= 0; returns the old break or -1 when refused */
#define SYS_SLEEP 3   /* a0 = timer ticks (10 ms each) */
#define SYS_GETCHAR 4 /* returns a received byte, or -1 when none is waiting */
#define SYS_INFO 5    /* a0 = INFO_*; returns a counter about the calling program */

#define INFO_PAGE_FAULTS 0 /* page faults the kernel served by mapping a page */
#define INFO_PAGES_HELD 1  /* pages of RAM the program holds (tables not counted) */

#endif
