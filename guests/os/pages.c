/* Physical page allocator: a bitmap over the RAM after the kernel, lowest free page first. */
#include "kernel.h"

#define MAX_POOL_PAGES (1UL << 18) /* 1 GiB of RAM; more is left unused */

static u64 bitmap[MAX_POOL_PAGES / 64];
static u64 pool_base;
static u64 pool_pages;
static u64 used;
static u64 reserved;
static u64 hint;

static int is_used(u64 i) { return (bitmap[i / 64] >> (i % 64)) & 1; }
static void set_used(u64 i) { bitmap[i / 64] |= 1UL << (i % 64); }
static void set_free(u64 i) { bitmap[i / 64] &= ~(1UL << (i % 64)); }

void pages_init(u64 pool_start, u64 pool_end, u64 reserved_start, u64 reserved_end)
{
	pool_base = pool_start;
	pool_pages = (pool_end - pool_start) / PAGE_SIZE;
	if (pool_pages > MAX_POOL_PAGES)
		pool_pages = MAX_POOL_PAGES;
	/* Keep the device tree's pages out of the pool. */
	for (u64 a = reserved_start & ~(PAGE_SIZE - 1); a < reserved_end; a += PAGE_SIZE) {
		if (a >= pool_base && a < pool_base + pool_pages * PAGE_SIZE) {
			set_used((a - pool_base) / PAGE_SIZE);
			reserved++;
		}
	}
	used = reserved;
}

/* Returns a zeroed page, or 0 when RAM is exhausted. */
void *page_alloc(void)
{
	for (u64 n = 0; n < pool_pages; n++) {
		u64 i = (hint + n) % pool_pages;
		if (!is_used(i)) {
			set_used(i);
			used++;
			hint = i + 1;
			void *page = (void *)(pool_base + i * PAGE_SIZE);
			memset(page, 0, PAGE_SIZE);
			return page;
		}
	}
	return 0;
}

void page_free(void *page)
{
	u64 i = ((u64)page - pool_base) / PAGE_SIZE;
	if ((u64)page < pool_base || i >= pool_pages || !is_used(i))
		panic("page_free of a page that is not allocated");
	set_free(i);
	used--;
	if (i < hint)
		hint = i;
}

u64 pages_total(void) { return pool_pages; }
u64 pages_used(void) { return used; }
u64 pages_reserved(void) { return reserved; }
