/* Loads a program's ELF into a fresh Sv39 address space, runs it in U-mode, and tears it down. */
#include "kernel.h"
#include "process.h"

struct process current;

struct elf64_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD 1
#define EM_RISCV 243
#define PF_X 1
#define PF_W 2
#define PF_R 4

static u64 page_down(u64 a) { return a & ~(PAGE_SIZE - 1); }
static u64 page_up(u64 a) { return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

/* Allocates and maps one zeroed page; returns its physical address or 0. */
u64 process_map_new_page(u64 va, u64 flags)
{
	u8 *page = page_alloc();
	if (!page)
		return 0;
	if (sv39_map(current.root, va, (u64)page, flags) < 0) {
		page_free(page);
		return 0;
	}
	current.pages_held++;
	return (u64)page;
}

static int load_segment(const u8 *image, const struct elf64_phdr *ph)
{
	u64 flags = PTE_U | ((ph->flags & PF_R) ? PTE_R : 0) | ((ph->flags & PF_W) ? PTE_W : 0) |
		    ((ph->flags & PF_X) ? PTE_X : 0);
	u64 end = ph->vaddr + ph->memsz;
	for (u64 va = page_down(ph->vaddr); va < end; va += PAGE_SIZE) {
		pte_t *existing = sv39_walk(current.root, va, 0);
		if (existing && (*existing & PTE_V)) {
			kprintf("[kernel] %s: segments share the page %p\n", current.prog->name,
				(void *)va);
			return -1;
		}
		u64 pa = process_map_new_page(va, flags);
		if (!pa)
			return -1;
		/* Copy the part of the file bytes [vaddr, vaddr+filesz) that falls in this page. */
		u64 from = va > ph->vaddr ? va : ph->vaddr;
		u64 to = va + PAGE_SIZE;
		if (to > ph->vaddr + ph->filesz)
			to = ph->vaddr + ph->filesz;
		if (from < to)
			memcpy((u8 *)pa + (from - va), image + ph->offset + (from - ph->vaddr),
			       to - from);
		if (current.verbose)
			kprintf("[kernel]   map %p -> %p %c%c%c\n", (void *)va, (void *)pa,
				(flags & PTE_R) ? 'r' : '-', (flags & PTE_W) ? 'w' : '-',
				(flags & PTE_X) ? 'x' : '-');
	}
	if (page_up(end) > current.heap_base)
		current.heap_base = page_up(end);
	return 0;
}

static int load_elf(const struct program *prog, u64 *entry)
{
	const u8 *image = prog->image;
	u64 size = (u64)(prog->image_end - prog->image);
	const struct elf64_ehdr *eh = (const void *)image;
	if (size < sizeof *eh || image[0] != 0x7f || image[1] != 'E' || image[2] != 'L' ||
	    image[3] != 'F' || image[4] != 2 || eh->machine != EM_RISCV ||
	    eh->phoff + (u64)eh->phnum * sizeof(struct elf64_phdr) > size) {
		kprintf("[kernel] %s: not an RV64 ELF file\n", prog->name);
		return -1;
	}
	for (unsigned i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *ph = (const void *)(image + eh->phoff + i * sizeof *ph);
		if (ph->type != PT_LOAD || ph->memsz == 0)
			continue;
		if (ph->offset + ph->filesz > size || ph->vaddr + ph->memsz > USER_HEAP_CEILING) {
			kprintf("[kernel] %s: bad segment\n", prog->name);
			return -1;
		}
		if (load_segment(image, ph) < 0)
			return -1;
	}
	*entry = eh->entry;
	return 0;
}

/* Runs prog to its end; returns its exit code (-1 when the kernel had to stop it). */
int run_program(const struct program *prog, int verbose)
{
	memset(&current, 0, sizeof current);
	current.prog = prog;
	current.verbose = verbose;
	current.root = page_alloc();
	long code = -1;
	u64 entry = 0;
	if (!current.root) {
		kprintf("[kernel] out of memory\n");
		return -1;
	}
	if (verbose)
		kprintf("[kernel] %s: page table root at %p\n", prog->name, (void *)current.root);
	if (load_elf(prog, &entry) == 0 &&
	    process_map_new_page(USER_STACK_TOP - PAGE_SIZE, PTE_R | PTE_W | PTE_U)) {
		current.brk = current.heap_base;
		current.tf.epc = entry;
		current.tf.regs[2] = USER_STACK_TOP;
		console_interrupt_requested = 0;
		csr_write(satp, sv39_satp(current.root));
		__asm__ volatile("sfence.vma" ::: "memory");
		console_program_running = 1;
		code = user_enter(&current.tf);
		console_program_running = 0;
		csr_write(satp, 0);
		__asm__ volatile("sfence.vma" ::: "memory");
	} else {
		kprintf("[kernel] %s: could not be loaded\n", prog->name);
	}
	unsigned freed = sv39_free(current.root);
	if (verbose)
		kprintf("[kernel] %s: exit code %ld, %u pages returned\n", prog->name, code, freed);
	current.root = 0;
	return (int)code;
}

NORETURN void process_exit(long code)
{
	user_leave(&current.tf, code);
}

NORETURN void process_kill(const char *why, u64 addr)
{
	kprintf("[kernel] %s: %s at %p (pc %p), killed\n", current.prog->name, why, (void *)addr,
		(void *)current.tf.epc);
	process_exit(-1);
}
