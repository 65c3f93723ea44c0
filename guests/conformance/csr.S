/* Zicsr and the machine/supervisor CSRs: read/write/set/clear forms, WARL fields, views (sstatus, sie, sip) and counters. */
#include "harness.h"
  .option norvc
  .text
  .globl main
main:
  mv s0, ra
  PRINT "csr: instruction forms\n"
  li a1, 0x5a5a
  csrw mscratch, a1
  csrrw a2, mscratch, zero
  CHECK a2, 0x5a5a, 0x501
  csrr a2, mscratch
  CHECK a2, 0, 0x502
  li a1, 0xf0
  csrrs a2, mscratch, a1
  CHECK a2, 0, 0x503
  li a1, 0x30
  csrrc a2, mscratch, a1
  CHECK a2, 0xf0, 0x504
  csrrwi a2, mscratch, 0x1f
  CHECK a2, 0xc0, 0x505
  csrrsi a2, mscratch, 0x0
  CHECK a2, 0x1f, 0x506
  csrrci a2, mscratch, 0x3
  CHECK a2, 0x1f, 0x507
  csrr a2, mscratch
  CHECK a2, 0x1c, 0x508
  li a1, -1
  csrw mscratch, a1
  csrr a2, mscratch
  CHECK a2, -1, 0x509
  csrw sscratch, a1
  csrr a2, sscratch
  CHECK a2, -1, 0x50a

  PRINT "csr: machine information\n"
  csrr a2, mhartid
  CHECK a2, 0, 0x510
  csrr a2, misa
  srli a3, a2, 62
  CHECK a3, 2, 0x511
  /* I, M, A, C, S and U are implemented. */
  li a3, (1 << 8) | (1 << 12) | (1 << 0) | (1 << 2) | (1 << 18) | (1 << 20)
  and a4, a2, a3
  CHECK_EQ a4, a3, 0x512
  EXPECT_TRAP
  csrw mhartid, zero
  CHECK_TRAP CAUSE_ILLEGAL, 0x513
  EXPECT_TRAP
  csrw mvendorid, zero
  CHECK_TRAP CAUSE_ILLEGAL, 0x514

  PRINT "csr: epc and tvec\n"
  /* mepc[0] is always zero (Priv. spec 3.1.14), but QEMU 7.2 keeps a written bit 0, so only bit 1 is tried. */
  li a1, 0x80001002
  csrw mepc, a1
  csrr a2, mepc
  CHECK a2, 0x80001002, 0x520
  csrw sepc, a1
  csrr a2, sepc
  CHECK a2, 0x80001002, 0x521
  csrr s2, mtvec
  li a1, 0x80002001
  csrw mtvec, a1
  csrr a2, mtvec
  CHECK a2, 0x80002001, 0x522
  csrw mtvec, s2
  li a1, 0x80003000
  csrw stvec, a1
  csrr a2, stvec
  CHECK a2, 0x80003000, 0x523
  li a1, 0x123
  csrw mcause, a1
  csrr a2, mcause
  CHECK a2, 0x123, 0x524
  li a1, 0x8000000000000005
  csrw scause, a1
  csrr a2, scause
  CHECK a2, 0x8000000000000005, 0x525
  li a1, 0xdeadbeef
  csrw mtval, a1
  csrr a2, mtval
  CHECK a2, 0xdeadbeef, 0x526
  csrw stval, a1
  csrr a2, stval
  CHECK a2, 0xdeadbeef, 0x527

  PRINT "csr: mstatus and its sstatus view\n"
  li a1, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  csrs mstatus, a1
  csrr a2, sstatus
  and a2, a2, a1
  CHECK_EQ a2, a1, 0x530
  csrc sstatus, a1
  csrr a2, mstatus
  and a2, a2, a1
  CHECK a2, 0, 0x531
  /* M-only fields are invisible and unwritable through sstatus. */
  li a1, MSTATUS_MPIE | MSTATUS_TVM | MSTATUS_TSR | MSTATUS_TW | MSTATUS_MPRV
  csrc mstatus, a1
  csrs sstatus, a1
  csrr a2, mstatus
  and a2, a2, a1
  CHECK a2, 0, 0x532
  li a1, MSTATUS_MPIE
  csrs mstatus, a1
  csrr a2, sstatus
  and a2, a2, a1
  CHECK a2, 0, 0x533
  /* MPP holds M and S; UXL and SXL read as 64-bit. */
  li a1, MSTATUS_MPP
  csrc mstatus, a1
  li a1, MPP_S
  csrs mstatus, a1
  csrr a2, mstatus
  li a1, MSTATUS_MPP
  and a3, a2, a1
  CHECK a3, MPP_S, 0x534
  srli a3, a2, 32
  andi a3, a3, 0xf
  CHECK a3, 0xa, 0x535
  csrr a2, sstatus
  srli a3, a2, 32
  andi a3, a3, 0x3
  CHECK a3, 0x2, 0x536
  li a1, MSTATUS_MPP
  csrs mstatus, a1

  PRINT "csr: interrupt enable and pending views\n"
  li a1, 0x222
  csrw mideleg, a1
  csrr a2, mideleg
  /* QEMU's hypervisor extension forces VS bits into mideleg; look at the S bits only. */
  andi a2, a2, 0x2aa
  CHECK a2, 0x222, 0x540
  csrw mie, zero
  li a1, 0xaaa
  csrw sie, a1
  csrr a2, mie
  CHECK a2, 0x222, 0x541
  li a1, 0xaaa
  csrw mie, a1
  csrr a2, mie
  CHECK a2, 0xaaa, 0x542
  csrr a2, sie
  CHECK a2, 0x222, 0x543
  csrw mie, zero
  /* SSIP is writable through sip when delegated; STIP and SEIP are not. */
  li a1, 0x2
  csrs sip, a1
  csrr a2, mip
  andi a2, a2, 0x2
  CHECK a2, 0x2, 0x544
  csrc sip, a1
  csrr a2, sip
  andi a2, a2, 0x2
  CHECK a2, 0, 0x545
  /* M-mode may set STIP in mip. */
  li a1, 0x20
  csrs mip, a1
  csrr a2, sip
  andi a2, a2, 0x20
  CHECK a2, 0x20, 0x546
  csrc mip, a1
  csrr a2, mip
  andi a2, a2, 0x20
  CHECK a2, 0, 0x547
  csrw mideleg, zero
  csrr a2, sie
  andi a2, a2, 0x2aa
  CHECK a2, 0, 0x548

  PRINT "csr: exception delegation\n"
  li a1, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
  csrw medeleg, a1
  csrr a2, medeleg
  and a2, a2, a1
  CHECK_EQ a2, a1, 0x550
  csrw medeleg, zero
  csrr a2, medeleg
  CHECK a2, 0, 0x551

  PRINT "csr: satp\n"
  li a1, (8 << 60) | 0x80123
  csrw satp, a1
  csrr a2, satp
  CHECK_EQ a2, a1, 0x560
  /* An unsupported MODE leaves satp unchanged (Priv. spec 4.1.11). */
  li a1, (1 << 60) | 0x5
  csrw satp, a1
  csrr a2, satp
  CHECK a2, (8 << 60) | 0x80123, 0x561
  csrw satp, zero
  csrr a2, satp
  CHECK a2, 0, 0x562

  PRINT "csr: counters\n"
  csrr a1, minstret
  nop
  nop
  csrr a2, minstret
  sub a3, a2, a1
  CHECK a3, 3, 0x570
  rdinstret a1
  rdinstret a2
  sub a3, a2, a1
  CHECK a3, 1, 0x571
  rdcycle a1
  nop
  rdcycle a2
  bgtu a2, a1, 1f
  li a0, 0x572
  j fail
1:
  rdtime a1
  li a3, 2000
2:
  addi a3, a3, -1
  bnez a3, 2b
  rdtime a2
  bgtu a2, a1, 1f
  li a0, 0x573
  j fail
1:
  li a1, 1000
  csrw minstret, a1
  csrr a2, minstret
  sub a2, a2, a1
  /* Whether the writing instruction itself still counts differs (QEMU counts it), so 1000 or 1001. */
  sltiu a2, a2, 2
  CHECK a2, 1, 0x574
  li a1, 7
  csrw mcounteren, a1
  csrr a2, mcounteren
  CHECK a2, 7, 0x575
  csrw scounteren, a1
  csrr a2, scounteren
  CHECK a2, 7, 0x576

  PRINT "csr: pmp registers\n"
  li a1, 0x20000400
  csrw pmpaddr1, a1
  csrr a2, pmpaddr1
  CHECK_EQ a2, a1, 0x580
  csrw pmpaddr1, zero

  PRINT "csr: other machine registers\n"
  csrr a2, mconfigptr
  CHECK a2, 0, 0x5a0
  csrr a2, mhpmcounter3
  CHECK a2, 0, 0x5a1
  csrr a2, mhpmevent3
  CHECK a2, 0, 0x5a2
  csrwi mcountinhibit, 0
  csrr a2, mcountinhibit
  CHECK a2, 0, 0x5a3
  csrwi menvcfg, 1
  csrr a2, menvcfg
  andi a2, a2, 1
  CHECK a2, 1, 0x5a4
  csrwi menvcfg, 0
  csrwi senvcfg, 1
  csrr a2, senvcfg
  andi a2, a2, 1
  CHECK a2, 1, 0x5a5
  csrwi senvcfg, 0
  /* A CSR number nothing implements. */
  EXPECT_TRAP
  csrr a2, 0x7c0
  CHECK_TRAP CAUSE_ILLEGAL, 0x5a6

  PRINT "csr: floating point is off\n"
  EXPECT_TRAP
  csrr a2, fcsr
  CHECK_TRAP CAUSE_ILLEGAL, 0x590
  EXPECT_TRAP
  .insn 4, 0x00b50553   /* fadd.s fa0, fa0, fa1 */
  CHECK_TRAP CAUSE_ILLEGAL, 0x591
  PRINT "csr: ok\n"
  mv ra, s0
  ret
