/* The one running user program and the layout of its address space. */
#ifndef OS_PROCESS_H
#define OS_PROCESS_H

#include "kernel.h"

#define USER_STACK_TOP 0x40000000UL
#define USER_STACK_MAX_PAGES 16UL /* the stack grows on demand up to 64 KiB */
#define USER_HEAP_LIMIT_PAGES 512UL /* sbrk refuses beyond 2 MiB of heap */
#define USER_HEAP_CEILING (USER_STACK_TOP - USER_STACK_MAX_PAGES * PAGE_SIZE - PAGE_SIZE)

struct process {
	struct trapframe tf; /* first: the trap vector finds it through mscratch */
	const struct program *prog;
	pte_t *root;
	u64 heap_base;
	u64 brk;
	u64 page_faults_served;
	u64 pages_held;
	int verbose;
};

extern struct process current;

u64 process_map_new_page(u64 va, u64 flags);
NORETURN void process_exit(long code);
NORETURN void process_kill(const char *why, u64 addr);

#endif
