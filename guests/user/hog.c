/* hog: grows its heap a page at a time until the kernel refuses; every first touch is a page fault. */
#include "ulib.h"

#define PAGE 4096

int main(void)
{
	printf("hog: asking for 4 KiB pages until the kernel says no\n");
	unsigned long pages = 0;
	u64 *first = 0;
	for (;;) {
		u64 *p = sbrk(PAGE);
		if (p == (u64 *)-1)
			break;
		if (!first)
			first = p;
		/* The first store to a new page faults; the kernel maps a zeroed page and resumes. */
		p[0] = pages * 2654435761u;
		p[PAGE / 8 - 1] = ~p[0];
		pages++;
		if (pages % 64 == 0)
			printf("hog: %4lu pages (%5lu KiB), %lu page faults served\n", pages,
			       pages * 4, program_info(INFO_PAGE_FAULTS));
	}
	unsigned long bad = 0;
	for (unsigned long i = 0; i < pages; i++) {
		u64 *p = first + i * (PAGE / 8);
		if (p[0] != i * 2654435761u || p[PAGE / 8 - 1] != ~p[0])
			bad++;
	}
	printf("hog: refused after %lu pages (%lu KiB); %lu pages held in all, %lu damaged\n", pages,
	       pages * 4, program_info(INFO_PAGES_HELD), bad);
	printf("hog: exiting returns every page to the kernel\n");
	return bad ? 1 : 0;
}
