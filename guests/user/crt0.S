/* Entry of every user program: the kernel has set sp; call main and exit with its result. */
	.file "crt0.S"
	.section .text.start, "ax"
	.globl _start
_start:
	call main
	call exit
