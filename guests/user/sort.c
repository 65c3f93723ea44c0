/* sort: an insertion sort of pseudo-random values, printing the array after every insertion. */
#include "ulib.h"

#define COUNT 16

static u32 seed = 2024;

static u32 next_random(void)
{
	seed = seed * 1103515245u + 12345u; /* the classic LCG: the same values on every run */
	return (seed >> 16) % 90 + 10;
}

static void show(const u32 *v, int sorted, int marked, const char *label)
{
	printf("%-9s", label);
	for (int i = 0; i < COUNT; i++)
		printf(i == marked ? " [%2u]" : i < sorted ? "  %2u " : "  %2u.", v[i]);
	printf("\n");
}

int main(void)
{
	u32 v[COUNT];
	for (int i = 0; i < COUNT; i++)
		v[i] = next_random();
	printf("sort: insertion sort of %d values ('.' = not yet sorted, [x] = just placed)\n",
	       COUNT);
	show(v, 1, -1, "start");
	int moves = 0;
	for (int i = 1; i < COUNT; i++) {
		u32 key = v[i];
		int j = i - 1;
		while (j >= 0 && v[j] > key) {
			v[j + 1] = v[j];
			j--;
			moves++;
		}
		v[j + 1] = key;
		char label[12] = "step ";
		label[5] = (char)('0' + i / 10);
		label[6] = (char)('0' + i % 10);
		label[7] = '\0';
		show(v, i + 1, j + 1, label);
		sleep_ticks(2);
	}
	u32 check = 0;
	int ordered = 1;
	for (int i = 0; i < COUNT; i++) {
		check = check * 31 + v[i];
		if (i && v[i - 1] > v[i])
			ordered = 0;
	}
	printf("sort: %d values %s after %d moves, checksum %08x\n", COUNT,
	       ordered ? "in order" : "NOT in order", moves, check);
	return ordered ? 0 : 1;
}
