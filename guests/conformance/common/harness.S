/* Runtime of the conformance programs: start-up, UART output, the M-mode trap handler and the pass/fail exits. */
#include "harness.h"

  .section .text.init
  .globl _start
_start:
  la sp, stack_top
  la t0, trap_handler
  csrw mtvec, t0
  /* One PMP region over everything, so S and U may access memory (as firmware does on a machine with PMP). */
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  call main
  j pass

  .text
/* puts(a0 = NUL-terminated string). Clobbers a0, t0, t1, t2. */
  .globl puts
puts:
  li t0, UART_BASE
1:
  lbu t1, 0(a0)
  beqz t1, 3f
2:
  lbu t2, 5(t0)          /* LSR: wait for THRE */
  andi t2, t2, 0x20
  beqz t2, 2b
  sb t1, 0(t0)
  addi a0, a0, 1
  j 1b
3:
  ret

/* putnl(): prints a newline. Clobbers t0, t1. */
  .globl putnl
putnl:
  li t0, UART_BASE
  li t1, '\n'
  sb t1, 0(t0)
  ret

/* puthex(a0): prints a0 as 0x followed by 16 hex digits. Clobbers a0, t0, t1, t2, t3. */
  .globl puthex
puthex:
  li t0, UART_BASE
  li t1, '0'
  sb t1, 0(t0)
  li t1, 'x'
  sb t1, 0(t0)
  li t3, 60
1:
  srl t1, a0, t3
  andi t1, t1, 15
  li t2, 10
  blt t1, t2, 2f
  addi t1, t1, 'a' - 10 - '0'
2:
  addi t1, t1, '0'
  sb t1, 0(t0)
  addi t3, t3, -4
  bgez t3, 1b
  ret

  .globl pass
pass:
  PRINT "PASS\n"
  li t0, TEST_BASE
  li t1, 0x5555
  sw t1, 0(t0)
1:
  j 1b

/* fail_value(a0 = code, a1 = the value found): prints both and exits with (code << 16) | 0x3333. */
  .globl fail_value
fail_value:
  mv s10, a0
  mv s11, a1
  PRINT "FAIL check "
  mv a0, s10
  call puthex
  PRINT " found "
  mv a0, s11
  call puthex
  call putnl
  mv a0, s10
  j fail_exit

/* fail(a0 = code) */
  .globl fail
fail:
  mv s10, a0
  PRINT "FAIL check "
  mv a0, s10
  call puthex
  call putnl
  mv a0, s10
fail_exit:
  slli a0, a0, 16
  li t0, 0x3333
  or a0, a0, t0
  li t0, TEST_BASE
  sw a0, 0(t0)
1:
  j 1b

/*
 * M-mode trap handler. Interrupts go to the program's `irq_handler` (a weak default fails).
 * An expected synchronous trap (EXPECT_TRAP) is recorded and skipped; an ecall with a7 == ECALL_TO_M
 * returns to M-mode; anything else is reported and fails the program.
 */
  .balign 4
  .globl trap_handler
trap_handler:
  csrrw sp, mscratch, sp
  la sp, trap_stack_top
  sd t0, 0(sp)
  sd t1, 8(sp)
  sd t2, 16(sp)
  sd ra, 24(sp)
  sd a0, 32(sp)
  sd t6, 40(sp)
  csrr t0, mcause
  bltz t0, interrupt
  ld t1, trap_expected
  beqz t1, not_expected
  sd zero, trap_expected, t1
  sd t0, trap_cause, t1
  csrr t1, mtval
  sd t1, trap_tval, t2
  csrr t1, mepc
  sd t1, trap_epc, t2
  csrr t1, mstatus
  srli t1, t1, 11
  andi t1, t1, 3
  sd t1, trap_mode, t2
skip_instruction:
  ld t1, trap_resume
  bnez t1, 2f
  csrr t1, mepc
  /* Read the instruction as the trapped mode sees it (MPRV uses MPP's translation; it may be a virtual address). */
  li t2, MSTATUS_MPRV
  csrs mstatus, t2
  lhu t2, 0(t1)
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  andi t2, t2, 3
  addi t1, t1, 2
  li t0, 3
  bne t2, t0, 2f
  addi t1, t1, 2
2:
  csrw mepc, t1
  j trap_return

not_expected:
  /* ecall or ebreak with a7 == ECALL_TO_M: return to M-mode right after it. */
  li t1, ECALL_TO_M
  bne a7, t1, unexpected
  li t1, CAUSE_BREAKPOINT
  beq t0, t1, 1f
  li t1, CAUSE_ECALL_U
  blt t0, t1, unexpected
  li t1, CAUSE_ECALL_M
  bgt t0, t1, unexpected
1:
  li t1, MSTATUS_MPP
  csrs mstatus, t1
  /* a6, when not zero, is the (physical) address to continue at in M-mode. */
  sd a6, trap_resume, t1
  j skip_instruction

interrupt:
  call irq_handler
trap_return:
  ld t0, 0(sp)
  ld t1, 8(sp)
  ld t2, 16(sp)
  ld ra, 24(sp)
  ld a0, 32(sp)
  ld t6, 40(sp)
  csrrw sp, mscratch, sp
  mret

  .globl unexpected
unexpected:
  PRINT "unexpected trap mcause="
  csrr a0, mcause
  call puthex
  PRINT " mepc="
  csrr a0, mepc
  call puthex
  PRINT " mtval="
  csrr a0, mtval
  call puthex
  call putnl
  li a0, 0xee
  j fail

/* Default interrupt handler: an interrupt the program did not ask for. */
  .weak irq_handler
irq_handler:
  j unexpected

  .data
  .balign 8
  .globl trap_expected, trap_cause, trap_tval, trap_epc, trap_mode, trap_resume
trap_expected: .dword 0
trap_cause:    .dword 0
trap_tval:     .dword 0
trap_epc:      .dword 0
trap_mode:     .dword 0
trap_resume:   .dword 0

  .bss
  .balign 16
trap_stack: .skip 512
trap_stack_top:
