/* The table of built-in user programs that `run` knows. */
#include "kernel.h"

#define PROGRAM(id, text)                                  \
	extern const u8 program_##id[], program_##id##_end[];
PROGRAM(primes, 0)
PROGRAM(mandelbrot, 0)
PROGRAM(life, 0)
PROGRAM(sort, 0)
PROGRAM(hog, 0)
PROGRAM(buggy, 0)
#undef PROGRAM

#define PROGRAM(id, text) { #id, text, program_##id, program_##id##_end }
const struct program programs[] = {
	PROGRAM(primes, "counts primes with a sieve and prints the small ones"),
	PROGRAM(mandelbrot, "draws the Mandelbrot set in ASCII (fixed-point arithmetic)"),
	PROGRAM(life, "Conway's Game of Life on a torus, animated with ANSI codes"),
	PROGRAM(sort, "an insertion sort you can watch, one line per step"),
	PROGRAM(hog, "takes heap pages until the kernel refuses (page faults)"),
	PROGRAM(buggy, "corrupts a pointer, then crashes on it: hunt it with time travel"),
};
const unsigned program_count = sizeof programs / sizeof programs[0];

const struct program *find_program(const char *name)
{
	for (unsigned i = 0; i < program_count; i++)
		if (strcmp(programs[i].name, name) == 0)
			return &programs[i];
	return 0;
}
