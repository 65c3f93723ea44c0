/* Interrupts: CLINT software and timer, priorities, vectored mtvec, WFI, delegation to S-mode, and the UART through the PLIC. */
#include "harness.h"
#define MSIP        (CLINT_BASE + 0x0)
#define MTIMECMP    (CLINT_BASE + 0x4000)
#define MTIME       (CLINT_BASE + 0xbff8)
#define UART_IRQ    10
#define PLIC_PRIORITY(n)   (PLIC_BASE + 4 * (n))
#define PLIC_ENABLE(ctx)   (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)    (PLIC_BASE + 0x200004 + 0x1000 * (ctx))
#define MIP_SSIP (1 << 1)
#define MIP_MSIP (1 << 3)
#define MIP_STIP (1 << 5)
#define MIP_MTIP (1 << 7)
#define MIP_SEIP (1 << 9)
#define MIP_MEIP (1 << 11)

/* Waits (bounded) until irq_count reaches `n`; fails with `code` if it does not. Clobbers t0, t1. */
.macro WAIT_IRQS n, code
  li t1, 100000
1:
  ld t0, irq_count
  li t6, \n
  bge t0, t6, 2f
  addi t1, t1, -1
  bnez t1, 1b
  li a0, \code
  j fail
2:
.endm

/* Fails with `code` unless log entry `i` is `value`. */
.macro CHECK_LOG i, value, code
  ld t0, irq_log + 8 * \i
  CHECK t0, \value, \code
.endm

.macro RESET_LOG
  sd zero, irq_count, t0
.endm

  .option norvc
  .text
  .globl main
main:
  mv s0, ra
  PRINT "interrupts: machine software interrupt\n"
  RESET_LOG
  li t0, MIP_MSIP
  csrw mie, t0
  csrsi mstatus, MSTATUS_MIE
  li a1, MSIP
  li t0, 1
  sw t0, 0(a1)
  WAIT_IRQS 1, 0x701
  CHECK_LOG 0, INTERRUPT | 3, 0x702
  csrr t0, mip
  andi t0, t0, MIP_MSIP
  CHECK t0, 0, 0x703

  PRINT "interrupts: machine timer interrupt\n"
  RESET_LOG
  li t0, MIP_MTIP
  csrw mie, t0
  li a1, MTIME
  ld t0, 0(a1)
  addi t0, t0, 20
  li a1, MTIMECMP
  sd t0, 0(a1)
1:
  wfi
  ld t0, irq_count
  beqz t0, 1b
  CHECK_LOG 0, INTERRUPT | 7, 0x710
  csrr t0, mip
  andi t0, t0, MIP_MTIP
  CHECK t0, 0, 0x711

  PRINT "interrupts: priority of simultaneous interrupts\n"
  csrci mstatus, MSTATUS_MIE
  RESET_LOG
  li a1, MSIP
  li t0, 1
  sw t0, 0(a1)
  li a1, MTIMECMP
  sd zero, 0(a1)
  li t0, MIP_MSIP | MIP_MTIP
  csrw mie, t0
  csrr t0, mip
  andi t0, t0, MIP_MSIP | MIP_MTIP
  CHECK t0, MIP_MSIP | MIP_MTIP, 0x720
  csrsi mstatus, MSTATUS_MIE
  WAIT_IRQS 2, 0x721
  CHECK_LOG 0, INTERRUPT | 3, 0x722
  CHECK_LOG 1, INTERRUPT | 7, 0x723

  PRINT "interrupts: vectored mtvec\n"
  RESET_LOG
  csrr s2, mtvec
  la t0, vector_table
  ori t0, t0, 1
  csrw mtvec, t0
  li t0, MIP_MSIP
  csrw mie, t0
  li a1, MSIP
  li t0, 1
  sw t0, 0(a1)
  WAIT_IRQS 1, 0x730
  csrw mtvec, s2
  ld t0, vector_hit
  la t1, vector_hit
  CHECK_EQ t0, t1, 0x731

  PRINT "interrupts: wfi wakes without a trap when MIE is clear\n"
  csrci mstatus, MSTATUS_MIE
  RESET_LOG
  li t0, MIP_MTIP
  csrw mie, t0
  li a1, MTIME
  ld t0, 0(a1)
  addi t0, t0, 20
  li a1, MTIMECMP
  sd t0, 0(a1)
1:
  csrr t0, mip
  andi t0, t0, MIP_MTIP
  bnez t0, 2f
  wfi
  j 1b
2:
  ld t0, irq_count
  CHECK t0, 0, 0x740
  li a1, MTIMECMP
  li t0, -1
  sd t0, 0(a1)
  csrr t0, mip
  andi t0, t0, MIP_MTIP
  CHECK t0, 0, 0x741

  PRINT "interrupts: M-level interrupts preempt S-mode whatever MIE says\n"
  RESET_LOG
  li t0, MIP_MTIP
  csrw mie, t0
  li a1, MTIME
  ld t0, 0(a1)
  addi t0, t0, 20
  li a1, MTIMECMP
  sd t0, 0(a1)
  GOTO_MODE MPP_S, s_wait_timer
s_wait_timer:
  WAIT_IRQS 1, 0x750
  BACK_TO_M
  CHECK_LOG 0, INTERRUPT | 7, 0x751
  ld t0, irq_mode
  CHECK t0, 1, 0x752

  PRINT "interrupts: delegated software and timer interrupts in S-mode\n"
  csrw mie, zero
  li t0, MIP_SSIP | MIP_STIP | MIP_SEIP
  csrw mideleg, t0
  la t0, s_irq_handler
  csrw stvec, t0
  sd zero, s_count, t0
  /* Pending and enabled, but an S-level interrupt is never taken in M. */
  li t0, MIP_SSIP
  csrs mip, t0
  csrw sie, t0
  csrsi mstatus, MSTATUS_MIE | MSTATUS_SIE
  nop
  nop
  ld t0, s_count
  CHECK t0, 0, 0x760
  GOTO_MODE MPP_S, s_soft
s_soft:
  li t1, 1000
1:
  ld t0, s_count
  bnez t0, 2f
  addi t1, t1, -1
  bnez t1, 1b
2:
  ld t0, s_cause
  CHECK t0, INTERRUPT | 1, 0x761
  sd zero, s_count, t0
  /* Supervisor timer: M-mode raises STIP; S cannot clear it, so its handler disables STIE. */
  BACK_TO_M
  li t0, MIP_STIP
  csrs mip, t0
  GOTO_MODE MPP_S, s_timer
s_timer:
  li t0, MIP_STIP
  csrs sie, t0
  li t1, 1000
1:
  ld t0, s_count
  bnez t0, 2f
  addi t1, t1, -1
  bnez t1, 1b
2:
  ld t0, s_cause
  CHECK t0, INTERRUPT | 5, 0x762
  BACK_TO_M
  li t0, MIP_STIP
  csrc mip, t0
  /* From U-mode, an S-level interrupt is taken even with sstatus.SIE clear. */
  sd zero, s_count, t0
  csrci mstatus, MSTATUS_SIE
  li t0, MIP_SSIP
  csrw sie, t0
  GOTO_MODE MPP_U, u_soft
u_soft:
  ld t0, s_count
  CHECK t0, 0, 0x763
  EXPECT_TRAP
  li t1, MIP_SSIP
  csrs sip, t1
  CHECK_TRAP CAUSE_ILLEGAL, 0x764
  BACK_TO_M
  li t0, MIP_SSIP
  csrs mip, t0
  GOTO_MODE MPP_U, u_soft2
u_soft2:
  li t1, 1000
1:
  ld t0, s_count
  bnez t0, 2f
  addi t1, t1, -1
  bnez t1, 1b
2:
  ld t0, s_cause
  CHECK t0, INTERRUPT | 1, 0x765
  BACK_TO_M

  PRINT "interrupts: UART transmitter-empty through the PLIC\n"
  csrci mstatus, MSTATUS_MIE
  RESET_LOG
  li a1, PLIC_PRIORITY(UART_IRQ)
  li t0, 1
  sw t0, 0(a1)
  li a1, PLIC_ENABLE(0)
  li t0, 1 << UART_IRQ
  sw t0, 0(a1)
  li a1, PLIC_THRESHOLD(0)
  li t0, 1
  sw t0, 0(a1)
  li t0, MIP_MEIP
  csrw mie, t0
  li a1, UART_BASE
  li t0, 0x02
  sb t0, 1(a1)
  /* Priority 1 does not exceed threshold 1: nothing reaches the hart. */
  csrr t0, mip
  li t1, MIP_MEIP
  and t0, t0, t1
  CHECK t0, 0, 0x770
  li a1, PLIC_THRESHOLD(0)
  sw zero, 0(a1)
  csrr t0, mip
  li t1, MIP_MEIP
  and t0, t0, t1
  CHECK t0, MIP_MEIP, 0x771
  csrsi mstatus, MSTATUS_MIE
  WAIT_IRQS 1, 0x772
  CHECK_LOG 0, INTERRUPT | 11, 0x773
  ld t0, irq_source
  CHECK t0, UART_IRQ, 0x774
  ld t0, irq_iir
  andi t0, t0, 0xf
  CHECK t0, 0x2, 0x775

  PRINT "interrupts: UART receive (loopback) through the PLIC\n"
  RESET_LOG
  li a1, UART_BASE
  li t0, 0x10
  sb t0, 4(a1)
  li t0, 0x01
  sb t0, 1(a1)
  li t0, 'Z'
  sb t0, 0(a1)
  WAIT_IRQS 1, 0x780
  ld t0, irq_source
  CHECK t0, UART_IRQ, 0x781
  ld t0, irq_iir
  andi t0, t0, 0xf
  CHECK t0, 0x4, 0x782
  ld t0, irq_byte
  CHECK t0, 'Z', 0x783
  li a1, UART_BASE
  sb zero, 4(a1)
  sb zero, 1(a1)

  PRINT "interrupts: UART through the PLIC to S-mode\n"
  csrci mstatus, MSTATUS_MIE
  csrw mie, zero
  li a1, PLIC_ENABLE(0)
  sw zero, 0(a1)
  li a1, PLIC_ENABLE(1)
  li t0, 1 << UART_IRQ
  sw t0, 0(a1)
  li a1, PLIC_THRESHOLD(1)
  sw zero, 0(a1)
  sd zero, s_count, t0
  li t0, MIP_SEIP
  csrw sie, t0
  GOTO_MODE MPP_S, s_external
s_external:
  csrsi sstatus, MSTATUS_SIE
  li a1, UART_BASE
  li t0, 0x02
  sb t0, 1(a1)
  li t1, 1000
1:
  ld t0, s_count
  bnez t0, 2f
  addi t1, t1, -1
  bnez t1, 1b
2:
  ld t0, s_cause
  CHECK t0, INTERRUPT | 9, 0x790
  ld t0, s_source
  CHECK t0, UART_IRQ, 0x791
  csrci sstatus, MSTATUS_SIE
  BACK_TO_M
  csrw mideleg, zero
  PRINT "interrupts: ok\n"
  mv ra, s0
  ret

/* Called by the harness for M-mode interrupts (t0, t1, t2, ra, a0, t6 are saved): logs and silences the source. */
  .globl irq_handler
irq_handler:
  csrr t0, mcause
  ld t1, irq_count
  la t2, irq_log
  slli a0, t1, 3
  add t2, t2, a0
  sd t0, 0(t2)
  addi t1, t1, 1
  sd t1, irq_count, t2
  csrr t1, mstatus
  srli t1, t1, 11
  andi t1, t1, 3
  sd t1, irq_mode, t2
  slli t0, t0, 1
  srli t0, t0, 1
  li t1, 3
  beq t0, t1, irq_msi
  li t1, 7
  beq t0, t1, irq_mti
  li t1, 11
  beq t0, t1, irq_mei
  j unexpected
irq_msi:
  li t1, MSIP
  sw zero, 0(t1)
  ret
irq_mti:
  li t1, MTIMECMP
  li t0, -1
  sd t0, 0(t1)
  ret
irq_mei:
  li t1, PLIC_CLAIM(0)
  lw t0, 0(t1)
  sd t0, irq_source, t2
  li t2, UART_BASE
  lbu a0, 2(t2)
  sd a0, irq_iir, t1
  lbu a0, 0(t2)          /* RBR: consumes a received byte, if any */
  sd a0, irq_byte, t1
  sb zero, 1(t2)         /* IER = 0 */
  li t1, PLIC_CLAIM(0)
  sw t0, 0(t1)
  ret

/* S-mode handler for delegated interrupts: records scause and silences the source. Uses sscratch to free t0. */
  .balign 4
s_irq_handler:
  csrw sscratch, t0
  csrr t0, scause
  sd t0, s_cause, t6
  li t0, 1
  sd t0, s_count, t6
  csrr t0, scause
  slli t0, t0, 1
  srli t0, t0, 1
  addi t0, t0, -9
  beqz t0, 2f
  /* Software: clear SSIP. Timer: disable STIE (only M can clear STIP). */
  li t0, MIP_SSIP
  csrc sip, t0
  li t0, MIP_STIP
  csrc sie, t0
  j 3f
2:
  li t6, PLIC_CLAIM(1)
  lw t0, 0(t6)
  sd t0, s_source, t6
  li t6, UART_BASE
  sb zero, 1(t6)
  li t6, PLIC_CLAIM(1)
  sw t0, 0(t6)
3:
  csrr t0, sscratch
  sret

/* Vectored mode: entry 3 (machine software interrupt) notes that it was used, then joins the common handler. */
  .balign 64
vector_table:
  .rept 3
  j trap_handler
  .endr
  j vector_msi
  .rept 12
  j trap_handler
  .endr
vector_msi:
  csrw sscratch, t0
  la t0, vector_hit
  sd t0, 0(t0)
  csrr t0, sscratch
  j trap_handler

  .data
  .balign 8
irq_count:  .dword 0
irq_mode:   .dword 0
irq_source: .dword 0
irq_iir:    .dword 0
irq_byte:   .dword 0
vector_hit: .dword 0
s_count:    .dword 0
s_cause:    .dword 0
s_source:   .dword 0
irq_log:    .dword 0, 0, 0, 0, 0, 0, 0, 0
