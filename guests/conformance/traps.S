/* Synchronous traps, privilege changes (mret/sret), trapping rules (TVM, TSR, counter enables) and delegation to S-mode via medeleg. */
#include "harness.h"
  .option norvc
  .text
  .globl main
main:
  mv s0, ra
  PRINT "traps: exceptions in M-mode\n"
  EXPECT_TRAP
1:
  ecall
  CHECK_TRAP CAUSE_ECALL_M, 0x601
  ld t0, trap_epc
  la t1, 1b
  CHECK_EQ t0, t1, 0x602
  EXPECT_TRAP
  ebreak
  CHECK_TRAP CAUSE_BREAKPOINT, 0x603
  EXPECT_TRAP
  .word 0xffffffff
  CHECK_TRAP CAUSE_ILLEGAL, 0x604
  EXPECT_TRAP
  .insn 4, 0x0000000b    /* custom-0: no such instruction here */
  CHECK_TRAP CAUSE_ILLEGAL, 0x605
  /* Unmapped physical addresses raise access faults with the address in mtval. */
  li a1, 0x8
  EXPECT_TRAP
  ld a2, 0(a1)
  CHECK_TRAP CAUSE_LOAD_ACCESS, 0x606
  ld t0, trap_tval
  CHECK t0, 0x8, 0x607
  EXPECT_TRAP
  sw a2, 0(a1)
  CHECK_TRAP CAUSE_STORE_ACCESS, 0x608
  la t0, fetch_back
  li a1, 0x10
  EXPECT_TRAP fetch_back
  jr a1
fetch_back:
  CHECK_TRAP CAUSE_FETCH_ACCESS, 0x609
  ld t0, trap_tval
  CHECK t0, 0x10, 0x60a
  ld t0, trap_epc
  CHECK t0, 0x10, 0x60b
  /* Exceptions go to the base address even when mtvec is vectored. */
  csrr s2, mtvec
  ori t0, s2, 1
  csrw mtvec, t0
  EXPECT_TRAP
  ecall
  CHECK_TRAP CAUSE_ECALL_M, 0x60c
  csrw mtvec, s2

  PRINT "traps: mret to S-mode and back\n"
  li t0, MSTATUS_MIE | MSTATUS_MPIE
  csrc mstatus, t0
  li t0, MSTATUS_MPIE
  csrs mstatus, t0
  GOTO_MODE MPP_S, s_ecall
s_ecall:
  EXPECT_TRAP
1:
  ecall
  CHECK_TRAP CAUSE_ECALL_S, 0x610
  ld t0, trap_mode
  CHECK t0, 1, 0x611
  ld t0, trap_epc
  la t1, 1b
  CHECK_EQ t0, t1, 0x612
  /* M-mode CSRs and mret are out of reach. */
  EXPECT_TRAP
  csrr a1, mstatus
  CHECK_TRAP CAUSE_ILLEGAL, 0x613
  EXPECT_TRAP
  mret
  CHECK_TRAP CAUSE_ILLEGAL, 0x614
  csrr a1, sstatus
  csrr a1, satp
  BACK_TO_M
  /*
   * mret set MIE from MPIE; the ecall then saved it in MPIE. (Priv. spec 1.12 also has mret to a lower
   * mode clear MPRV, which QEMU 7.2 does not do, so that rule is not compared here.)
   */
  csrr a1, mstatus
  li t0, MSTATUS_MIE | MSTATUS_MPIE
  and a2, a1, t0
  CHECK a2, MSTATUS_MIE | MSTATUS_MPIE, 0x616
  li t0, MSTATUS_MIE
  csrc mstatus, t0

  PRINT "traps: TVM and TSR\n"
  li t0, MSTATUS_TVM | MSTATUS_TSR
  csrs mstatus, t0
  GOTO_MODE MPP_S, s_tvm
s_tvm:
  EXPECT_TRAP
  csrr a1, satp
  CHECK_TRAP CAUSE_ILLEGAL, 0x620
  EXPECT_TRAP
  sfence.vma
  CHECK_TRAP CAUSE_ILLEGAL, 0x621
  EXPECT_TRAP
  sret
  CHECK_TRAP CAUSE_ILLEGAL, 0x622
  BACK_TO_M
  li t0, MSTATUS_TVM | MSTATUS_TSR
  csrc mstatus, t0

  PRINT "traps: TW and WFI below M\n"
  li t0, MSTATUS_TW
  csrs mstatus, t0
  GOTO_MODE MPP_S, s_tw
s_tw:
  EXPECT_TRAP
  wfi
  CHECK_TRAP CAUSE_ILLEGAL, 0x623
  /* mtval holds the faulting instruction's bits. */
  ld t0, trap_tval
  CHECK t0, 0x10500073, 0x624
  BACK_TO_M
  li t0, MSTATUS_TW
  csrc mstatus, t0
  GOTO_MODE MPP_U, u_wfi
u_wfi:
  EXPECT_TRAP
  wfi
  CHECK_TRAP CAUSE_ILLEGAL, 0x625
  BACK_TO_M

  PRINT "traps: U-mode\n"
  csrw mcounteren, zero
  csrw scounteren, zero
  GOTO_MODE MPP_U, u_code
u_code:
  EXPECT_TRAP
  ecall
  CHECK_TRAP CAUSE_ECALL_U, 0x630
  ld t0, trap_mode
  CHECK t0, 0, 0x631
  EXPECT_TRAP
  csrr a1, sstatus
  CHECK_TRAP CAUSE_ILLEGAL, 0x632
  EXPECT_TRAP
  sret
  CHECK_TRAP CAUSE_ILLEGAL, 0x633
  EXPECT_TRAP
  mret
  CHECK_TRAP CAUSE_ILLEGAL, 0x634
  EXPECT_TRAP
  sfence.vma
  CHECK_TRAP CAUSE_ILLEGAL, 0x635
  EXPECT_TRAP
  rdcycle a1
  CHECK_TRAP CAUSE_ILLEGAL, 0x636
  BACK_TO_M

  PRINT "traps: counter enables\n"
  li t0, 1
  csrw mcounteren, t0
  GOTO_MODE MPP_U, u_counters
u_counters:
  /* mcounteren.CY alone lets S read cycle, but U also needs scounteren.CY. */
  EXPECT_TRAP
  rdcycle a1
  CHECK_TRAP CAUSE_ILLEGAL, 0x640
  BACK_TO_M
  GOTO_MODE MPP_S, s_counters
s_counters:
  rdcycle a1
  EXPECT_TRAP
  rdinstret a1
  CHECK_TRAP CAUSE_ILLEGAL, 0x641
  li t0, 1
  csrw scounteren, t0
  BACK_TO_M
  GOTO_MODE MPP_U, u_counters2
u_counters2:
  rdcycle a1
  EXPECT_TRAP
  rdtime a1
  CHECK_TRAP CAUSE_ILLEGAL, 0x642
  BACK_TO_M
  li t0, 7
  csrw mcounteren, t0
  csrw scounteren, t0

  PRINT "traps: delegation to S-mode\n"
  la t0, s_handler
  csrw stvec, t0
  li t0, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL)
  csrw medeleg, t0
  /* Delegated causes still trap to M when they happen in M. */
  EXPECT_TRAP
  .word 0xffffffff
  CHECK_TRAP CAUSE_ILLEGAL, 0x650
  GOTO_MODE MPP_U, u_delegated
u_delegated:
1:
  ecall
  ld t0, s_cause
  CHECK t0, CAUSE_ECALL_U, 0x651
  ld t0, s_epc
  la t1, 1b
  CHECK_EQ t0, t1, 0x652
  ld t0, s_status
  andi t0, t0, MSTATUS_SPP
  CHECK t0, 0, 0x653
  sd zero, s_cause, t0
1:
  .word 0xffffffff
  ld t0, s_cause
  CHECK t0, CAUSE_ILLEGAL, 0x654
  ld t0, s_epc
  la t1, 1b
  CHECK_EQ t0, t1, 0x655
  /* ebreak is not delegated: it reaches M, which brings us back. */
  BACK_TO_M_BY_EBREAK
  GOTO_MODE MPP_S, s_delegated
s_delegated:
  li t0, MSTATUS_SIE
  csrs sstatus, t0
  .word 0xffffffff
  ld t0, s_cause
  CHECK t0, CAUSE_ILLEGAL, 0x656
  ld t0, s_status
  /* The trap saved SIE in SPIE, cleared SIE, and recorded S as the previous mode; sret restored SIE. */
  andi t1, t0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  CHECK t1, MSTATUS_SPP | MSTATUS_SPIE, 0x657
  csrr t0, sstatus
  andi t1, t0, MSTATUS_SIE | MSTATUS_SPP
  CHECK t1, MSTATUS_SIE, 0x658
  li t0, MSTATUS_SIE
  csrc sstatus, t0
  /* An ecall from S is not delegated (medeleg bit 9 clear). */
  BACK_TO_M
  csrw medeleg, zero

  PRINT "traps: sret to U-mode\n"
  li t0, MSTATUS_SPP
  csrs mstatus, t0
  GOTO_MODE MPP_S, s_sret
s_sret:
  li t0, MSTATUS_SPP
  csrc sstatus, t0
  la t0, u_after_sret
  csrw sepc, t0
  sret
u_after_sret:
  EXPECT_TRAP
  csrr a1, sscratch
  CHECK_TRAP CAUSE_ILLEGAL, 0x660
  ld t0, trap_mode
  CHECK t0, 0, 0x661
  BACK_TO_M
  PRINT "traps: ok\n"
  mv ra, s0
  ret

/* S-mode handler for delegated traps: records scause, sepc and sstatus, then skips the instruction. */
  .balign 4
s_handler:
  csrrw t2, sscratch, t2
  csrr t2, scause
  sd t2, s_cause, t6
  csrr t2, sepc
  sd t2, s_epc, t6
  csrr t2, sstatus
  sd t2, s_status, t6
  csrr t2, sepc
  addi t2, t2, 4
  csrw sepc, t2
  csrrw t2, sscratch, t2
  sret

  .data
  .balign 8
s_cause:  .dword 0
s_epc:    .dword 0
s_status: .dword 0
