/* Traps from U-mode: system calls, demand paging of heap and stack, and faults that end a program. */
#include "kernel.h"
#include "process.h"
#include "../common/syscalls.h"

#define CAUSE_INTERRUPT (1UL << 63)
#define CAUSE_ECALL_U 8
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

static void check_interrupt_key(void)
{
	if (console_interrupt_requested) {
		console_interrupt_requested = 0;
		kprintf("^C\n[kernel] %s: interrupted\n", current.prog->name);
		process_exit(-1);
	}
}

static long sys_write(u64 va, u64 len)
{
	u64 done = 0;
	while (done < len) {
		u64 pa = sv39_translate(current.root, va + done, PTE_R);
		if (!pa)
			process_kill("write from a bad address", va + done);
		u64 chunk = PAGE_SIZE - ((va + done) & (PAGE_SIZE - 1));
		if (chunk > len - done)
			chunk = len - done;
		console_write((const char *)pa, chunk);
		done += chunk;
	}
	return (long)done;
}

static long sys_sbrk(i64 increment)
{
	if (increment < 0 ||
	    current.brk + (u64)increment > current.heap_base + USER_HEAP_LIMIT_PAGES * PAGE_SIZE)
		return -1;
	u64 old = current.brk;
	current.brk += (u64)increment;
	return (long)old;
}

static long do_syscall(struct trapframe *tf)
{
	u64 *r = tf->regs;
	switch (r[17]) {
	case SYS_EXIT:
		process_exit((long)r[10]);
	case SYS_WRITE:
		return sys_write(r[10], r[11]);
	case SYS_SBRK:
		return sys_sbrk((i64)r[10]);
	case SYS_SLEEP:
		sleep_until(read_mtime() + r[10] * TICK_INTERVAL);
		check_interrupt_key();
		return 0;
	case SYS_GETCHAR:
		return console_getc_nonblocking();
	case SYS_INFO:
		if (r[10] == INFO_PAGE_FAULTS)
			return (long)current.page_faults_served;
		if (r[10] == INFO_PAGES_HELD)
			return (long)current.pages_held;
		return -1;
	default:
		return -1;
	}
}

/* Maps a page for a first touch of the heap (below the break) or of the growing stack. */
static int demand_page(u64 va)
{
	u64 page = va & ~(PAGE_SIZE - 1);
	int in_heap = va >= current.heap_base && va < current.brk;
	int in_stack = va < USER_STACK_TOP &&
		       va >= USER_STACK_TOP - USER_STACK_MAX_PAGES * PAGE_SIZE;
	if (!in_heap && !in_stack)
		return 0;
	pte_t *pte = sv39_walk(current.root, page, 0);
	if (pte && (*pte & PTE_V))
		return 0; /* mapped, so this was a permission fault */
	u64 pa = process_map_new_page(page, PTE_R | PTE_W | PTE_U);
	if (!pa)
		return 0;
	current.page_faults_served++;
	if (current.verbose)
		kprintf("[kernel]   page fault at %p: mapped %p -> %p\n", (void *)va, (void *)page,
			(void *)pa);
	return 1;
}

struct trapframe *user_trap(struct trapframe *tf)
{
	u64 cause = csr_read(mcause);
	if (cause & CAUSE_INTERRUPT) {
		handle_interrupt(cause & ~CAUSE_INTERRUPT);
		check_interrupt_key();
		return tf;
	}
	u64 tval = csr_read(mtval);
	switch (cause) {
	case CAUSE_ECALL_U:
		tf->epc += 4;
		tf->regs[10] = (u64)do_syscall(tf);
		return tf;
	case CAUSE_LOAD_PAGE_FAULT:
	case CAUSE_STORE_PAGE_FAULT:
		if (demand_page(tval))
			return tf;
		process_kill(trap_cause_name(cause), tval);
	case CAUSE_FETCH_PAGE_FAULT:
	default:
		process_kill(trap_cause_name(cause), tval);
	}
}
