/* Sv39 page tables for U-mode programs: map, walk, translate for system calls, free. */
#include "kernel.h"

#define PTE_TABLE(pte) ((pte_t *)(((pte) >> 10) << 12))
#define PTE_LEAF_BITS (PTE_R | PTE_W | PTE_X)

static unsigned vpn(u64 va, int level) { return (va >> (12 + 9 * level)) & 511; }

/* Returns the level-0 PTE for va, creating intermediate tables when asked. */
pte_t *sv39_walk(pte_t *root, u64 va, int create)
{
	pte_t *table = root;
	for (int level = 2; level > 0; level--) {
		pte_t *pte = &table[vpn(va, level)];
		if (*pte & PTE_V) {
			if (*pte & PTE_LEAF_BITS)
				return 0; /* a superpage: this kernel never makes them */
			table = PTE_TABLE(*pte);
		} else {
			if (!create)
				return 0;
			pte_t *next = page_alloc();
			if (!next)
				return 0;
			*pte = (((u64)next >> 12) << 10) | PTE_V;
			table = next;
		}
	}
	return &table[vpn(va, 0)];
}

/*
 * A and D are set up front: the privileged spec lets hardware either set them or fault, and
 * setting them here makes both kinds of machine behave the same.
 */
int sv39_map(pte_t *root, u64 va, u64 pa, u64 flags)
{
	pte_t *pte = sv39_walk(root, va, 1);
	if (!pte)
		return -1;
	*pte = ((pa >> 12) << 10) | flags | PTE_V | PTE_A | PTE_D;
	return 0;
}

/* Physical address of user va if mapped with all of need (PTE_R/PTE_W) and PTE_U, else 0. */
u64 sv39_translate(pte_t *root, u64 va, u64 need)
{
	pte_t *pte = sv39_walk(root, va, 0);
	if (!pte || !(*pte & PTE_V) || !(*pte & PTE_U) || (*pte & need) != need)
		return 0;
	return ((*pte >> 10) << 12) | (va & (PAGE_SIZE - 1));
}

static unsigned free_level(pte_t *table, int level)
{
	unsigned freed = 0;
	for (int i = 0; i < 512; i++) {
		pte_t pte = table[i];
		if (!(pte & PTE_V))
			continue;
		if (level > 0 && !(pte & PTE_LEAF_BITS))
			freed += free_level(PTE_TABLE(pte), level - 1);
		else if (level == 0) {
			page_free(PTE_TABLE(pte));
			freed++;
		}
	}
	page_free(table);
	return freed + 1;
}

/* Frees every page a program's address space holds, tables included; returns the count. */
unsigned sv39_free(pte_t *root) { return free_level(root, 2); }

u64 sv39_satp(pte_t *root) { return (8UL << 60) | ((u64)root >> 12); }
