/* The user programs' ELF files, built first and embedded in the kernel image. */
	.file "programs.S"
	.macro program prog
	.balign 8
	.globl program_\prog
program_\prog:
	.incbin "\prog\().elf"
	.globl program_\prog\()_end
program_\prog\()_end:
	.endm

	.section .rodata.programs, "a"
	program primes
	program mandelbrot
	program life
	program sort
	program hog
	program buggy
