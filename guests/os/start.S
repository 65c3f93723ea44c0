/* Reset entry, the machine-mode trap vector, and the switches into and out of U-mode programs. */
	.file "start.S"

#define TF_EPC 256
#define TF_KSP 264
#define TF_KCTX 272

	.section .text.start, "ax"
	.globl _start
_start:
	csrw mie, zero
	csrw satp, zero
	/* Only hart 0 runs the kernel; any other hart parks. */
	bnez a0, park
	la sp, kernel_stack_top
	mv s0, a0
	mv s1, a1
	/* Zero .bss (a few KiB: the page bitmap and the stack, never all of RAM). */
	la t0, __bss_start
	la t1, __bss_end
1:	bgeu t0, t1, 2f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 1b
2:	la t0, trap_vector
	csrw mtvec, t0
	csrw mscratch, zero
	mv a0, s0
	mv a1, s1
	call kmain
park:
	wfi
	j park

	.text
	/*
	 * mscratch is 0 while the kernel runs and points to the program's trap frame while a
	 * U-mode program runs, so one vector serves both.
	 */
	.balign 4
	.globl trap_vector
trap_vector:
	csrrw sp, mscratch, sp
	bnez sp, trap_from_user
	csrrw sp, mscratch, sp
	/* Trap taken in M-mode (an interrupt while waiting, or a probe fault): keep the stack. */
	addi sp, sp, -128
	sd ra, 0(sp)
	sd t0, 8(sp)
	sd t1, 16(sp)
	sd t2, 24(sp)
	sd t3, 32(sp)
	sd t4, 40(sp)
	sd t5, 48(sp)
	sd t6, 56(sp)
	sd a0, 64(sp)
	sd a1, 72(sp)
	sd a2, 80(sp)
	sd a3, 88(sp)
	sd a4, 96(sp)
	sd a5, 104(sp)
	sd a6, 112(sp)
	sd a7, 120(sp)
	call kernel_trap
	ld ra, 0(sp)
	ld t0, 8(sp)
	ld t1, 16(sp)
	ld t2, 24(sp)
	ld t3, 32(sp)
	ld t4, 40(sp)
	ld t5, 48(sp)
	ld t6, 56(sp)
	ld a0, 64(sp)
	ld a1, 72(sp)
	ld a2, 80(sp)
	ld a3, 88(sp)
	ld a4, 96(sp)
	ld a5, 104(sp)
	ld a6, 112(sp)
	ld a7, 120(sp)
	addi sp, sp, 128
	mret

trap_from_user:
	/* sp = trap frame, mscratch = the program's sp. */
	sd x1, 8(sp)
	sd x3, 24(sp)
	sd x4, 32(sp)
	sd x5, 40(sp)
	sd x6, 48(sp)
	sd x7, 56(sp)
	sd x8, 64(sp)
	sd x9, 72(sp)
	sd x10, 80(sp)
	sd x11, 88(sp)
	sd x12, 96(sp)
	sd x13, 104(sp)
	sd x14, 112(sp)
	sd x15, 120(sp)
	sd x16, 128(sp)
	sd x17, 136(sp)
	sd x18, 144(sp)
	sd x19, 152(sp)
	sd x20, 160(sp)
	sd x21, 168(sp)
	sd x22, 176(sp)
	sd x23, 184(sp)
	sd x24, 192(sp)
	sd x25, 200(sp)
	sd x26, 208(sp)
	sd x27, 216(sp)
	sd x28, 224(sp)
	sd x29, 232(sp)
	sd x30, 240(sp)
	sd x31, 248(sp)
	csrr t0, mscratch
	sd t0, 16(sp)
	csrw mscratch, zero
	csrr t0, mepc
	sd t0, TF_EPC(sp)
	mv a0, sp
	ld sp, TF_KSP(a0)
	call user_trap
	j return_to_user

	/* long user_enter(struct trapframe *tf): runs the program until user_leave. */
	.globl user_enter
user_enter:
	sd ra, TF_KCTX+0(a0)
	sd sp, TF_KCTX+8(a0)
	sd s0, TF_KCTX+16(a0)
	sd s1, TF_KCTX+24(a0)
	sd s2, TF_KCTX+32(a0)
	sd s3, TF_KCTX+40(a0)
	sd s4, TF_KCTX+48(a0)
	sd s5, TF_KCTX+56(a0)
	sd s6, TF_KCTX+64(a0)
	sd s7, TF_KCTX+72(a0)
	sd s8, TF_KCTX+80(a0)
	sd s9, TF_KCTX+88(a0)
	sd s10, TF_KCTX+96(a0)
	sd s11, TF_KCTX+104(a0)
	sd sp, TF_KSP(a0)

return_to_user:
	/* a0 = trap frame. A nested M-mode trap may have changed mepc and MPP: set both. */
	ld t0, TF_EPC(a0)
	csrw mepc, t0
	li t0, 0x1800
	csrc mstatus, t0
	li t0, 0x80
	csrs mstatus, t0
	csrw mscratch, a0
	ld x1, 8(a0)
	ld x2, 16(a0)
	ld x3, 24(a0)
	ld x4, 32(a0)
	ld x5, 40(a0)
	ld x6, 48(a0)
	ld x7, 56(a0)
	ld x8, 64(a0)
	ld x9, 72(a0)
	ld x11, 88(a0)
	ld x12, 96(a0)
	ld x13, 104(a0)
	ld x14, 112(a0)
	ld x15, 120(a0)
	ld x16, 128(a0)
	ld x17, 136(a0)
	ld x18, 144(a0)
	ld x19, 152(a0)
	ld x20, 160(a0)
	ld x21, 168(a0)
	ld x22, 176(a0)
	ld x23, 184(a0)
	ld x24, 192(a0)
	ld x25, 200(a0)
	ld x26, 208(a0)
	ld x27, 216(a0)
	ld x28, 224(a0)
	ld x29, 232(a0)
	ld x30, 240(a0)
	ld x31, 248(a0)
	ld x10, 80(a0)
	mret

	/* void user_leave(struct trapframe *tf, long code): returns code from user_enter. */
	.globl user_leave
user_leave:
	ld ra, TF_KCTX+0(a0)
	ld sp, TF_KCTX+8(a0)
	ld s0, TF_KCTX+16(a0)
	ld s1, TF_KCTX+24(a0)
	ld s2, TF_KCTX+32(a0)
	ld s3, TF_KCTX+40(a0)
	ld s4, TF_KCTX+48(a0)
	ld s5, TF_KCTX+56(a0)
	ld s6, TF_KCTX+64(a0)
	ld s7, TF_KCTX+72(a0)
	ld s8, TF_KCTX+80(a0)
	ld s9, TF_KCTX+88(a0)
	ld s10, TF_KCTX+96(a0)
	ld s11, TF_KCTX+104(a0)
	mv a0, a1
	ret

	.section .bss.stack, "aw", @nobits
	.balign 16
	.space 16384
	.globl kernel_stack_top
kernel_stack_top:
