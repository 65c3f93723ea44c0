/* Declarations shared by the kernel's files: console, interrupts, pages, Sv39, processes, shell. */
#ifndef OS_KERNEL_H
#define OS_KERNEL_H

#include "../common/string.h"
#include "platform.h"

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long i64;

#define NORETURN __attribute__((noreturn))

static inline u64 read_mtime(void) { return *(volatile u64 *)CLINT_MTIME; }

#define csr_read(name)                                        \
	({                                                    \
		u64 v_;                                       \
		__asm__ volatile("csrr %0, " #name : "=r"(v_)); \
		v_;                                           \
	})
#define csr_write(name, value) __asm__ volatile("csrw " #name ", %0" ::"r"((u64)(value)))

/* console.c */
void uart_init(void);
void uart_irq(void);
void console_putc(char c);
void console_write(const char *s, unsigned long n);
int console_getc_nonblocking(void);
int console_getc(void);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern volatile int console_interrupt_requested;
extern volatile int console_program_running;

/* interrupts.c */
void interrupts_init(void);
void handle_interrupt(u64 cause);
void wait_for_interrupt(void);
void sleep_until(u64 mtime_deadline);
u64 boot_mtime(void);
extern volatile u64 timer_ticks;
extern volatile u64 external_interrupts;

/* trap.c */
NORETURN void panic(const char *what);
NORETURN void power_off(void);
NORETURN void reboot(void);
int probe_read(u64 addr, unsigned size, u64 *value);
int probe_write(u64 addr, unsigned size, u64 value);
const char *trap_cause_name(u64 cause);
int pmp_allow_all(void);

/* fdt.c */
struct ram_info {
	u64 base;
	u64 size;
	u64 dtb;
	u64 dtb_size;
	int from_dtb;
};
void fdt_read_memory(u64 dtb, struct ram_info *out);

/* pages.c */
void pages_init(u64 pool_start, u64 pool_end, u64 reserved_start, u64 reserved_end);
void *page_alloc(void);
void page_free(void *page);
u64 pages_total(void);
u64 pages_used(void);
u64 pages_reserved(void);

/* sv39.c */
typedef u64 pte_t;
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
pte_t *sv39_walk(pte_t *root, u64 va, int create);
int sv39_map(pte_t *root, u64 va, u64 pa, u64 flags);
u64 sv39_translate(pte_t *root, u64 va, u64 need);
unsigned sv39_free(pte_t *root);
u64 sv39_satp(pte_t *root);

/* process.c */
struct trapframe {
	u64 regs[32]; /* x0..x31 as the user left them; regs[0] unused */
	u64 epc;
	u64 kernel_sp;
	u64 kernel_context[14]; /* ra, sp, s0..s11 of the shell that started the program */
};
struct program {
	const char *name;
	const char *description;
	const u8 *image;
	const u8 *image_end;
};
extern const struct program programs[];
extern const unsigned program_count;
const struct program *find_program(const char *name);
int run_program(const struct program *prog, int verbose);
struct trapframe *user_trap(struct trapframe *tf);

/* start.S */
long user_enter(struct trapframe *tf);
NORETURN void user_leave(struct trapframe *tf, long code);

/* shell.c */
NORETURN void shell_run(void);
void mem_report(void);

/* main.c */
extern struct ram_info ram;
extern char __text_start[], __text_end[], __data_start[], __kernel_end[], __bss_end[];

#endif
