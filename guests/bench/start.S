/* Bare-metal entry of the benchmark: stack, .bss, then main (which powers the machine off). */
	.file "start.S"
	.section .text.start, "ax"
	.globl _start
_start:
	bnez a0, park
	la sp, stack_top
	la t0, __bss_start
	la t1, __bss_end
1:	bgeu t0, t1, 2f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 1b
2:	call main
park:
	wfi
	j park

	.section .bss.stack, "aw", @nobits
	.balign 16
	.space 16384
stack_top:
