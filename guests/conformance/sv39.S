/* Sv39 paging: 4 KiB, 2 MiB and 1 GiB pages, A/D updates, permission faults, SUM, MXR, MPRV, sfence.vma (Priv. spec 4.3-4.4). */
#include "harness.h"
#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80
#define LEAF_RWX (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define LEAF_RW  (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
/* Virtual addresses of the test mappings. */
#define VA_4K        0x100000000
#define VA_MEGA      0x100200000
#define VA_MEGA_BAD  0x100400000
#define VA_GIGA_BAD  0x140000000
#define USER_ALIAS   0x100000000   /* VA 0x1_8000_0000 maps RAM at 0x8000_0000 for U-mode */
#define MEGA_PA      0x80400000

/* table[index] = PTE for the physical address in `pa_reg` with `flags`. Clobbers t0, t1. */
.macro SET_PTE table, index, pa_reg, flags
  srli t0, \pa_reg, 12
  slli t0, t0, 10
  ori t0, t0, \flags
  la t1, \table
  sd t0, 8 * \index(t1)
.endm

/* Sets a PTE from a label. Clobbers t0, t1, t2. */
.macro MAP table, index, label, flags
  la t2, \label
  SET_PTE \table, \index, t2, \flags
.endm

/* Expects the load at `va` (in a register) to fault with `cause` and that address in mtval. */
.macro EXPECT_LOAD_FAULT va, cause, code
  EXPECT_TRAP
  ld a2, 0(\va)
  CHECK_TRAP \cause, \code
  ld t0, trap_tval
  CHECK_EQ t0, \va, \code
.endm

.macro EXPECT_STORE_FAULT va, cause, code
  EXPECT_TRAP
  sd a2, 0(\va)
  CHECK_TRAP \cause, \code
  ld t0, trap_tval
  CHECK_EQ t0, \va, \code
.endm

  .option norvc
  .text
  .globl main
main:
  mv s0, ra
  PRINT "sv39: building page tables\n"
  /* Zero the tables (they live in a NOLOAD section). */
  la t0, tables_start
  la t1, tables_end
1:
  sd zero, 0(t0)
  addi t0, t0, 8
  bltu t0, t1, 1b
  /* Root: devices (gigapage 0), RAM (gigapage 2), the test region (4 -> L1), a misaligned gigapage (5), a user alias of RAM (6). */
  li t2, 0
  SET_PTE root, 0, t2, LEAF_RW
  li t2, 0x80000000
  SET_PTE root, 2, t2, LEAF_RWX
  MAP root, 4, l1, PTE_V
  li t2, 0x80200000
  SET_PTE root, 5, t2, LEAF_RW
  li t2, 0x80000000
  SET_PTE root, 6, t2, LEAF_RWX | PTE_U
  /* L1: a 4 KiB table (0), a megapage (1), a misaligned megapage (2). */
  MAP l1, 0, l0, PTE_V
  li t2, MEGA_PA
  SET_PTE l1, 1, t2, LEAF_RW
  li t2, MEGA_PA + 0x1000
  SET_PTE l1, 2, t2, LEAF_RW
  /* L0: 4 KiB pages with various permissions. */
  MAP l0, 0, page_a, LEAF_RW
  MAP l0, 1, page_b, PTE_V | PTE_R | PTE_A | PTE_D
  MAP l0, 2, xpage, PTE_V | PTE_X | PTE_A
  MAP l0, 3, page_c, PTE_V | PTE_R | PTE_W
  /* l0[4] stays invalid */
  MAP l0, 5, page_a, PTE_V | PTE_W | PTE_A | PTE_D
  MAP l0, 6, page_a, LEAF_RW | PTE_U
  MAP l0, 7, xpage, PTE_V | PTE_R | PTE_X | PTE_A | PTE_U
  MAP l0, 8, page_b, LEAF_RWX
  /* l0[9]: reserved bit 54 set (no Svpbmt/Svnapot here, so bits 63:54 must be zero). */
  MAP l0, 9, page_a, LEAF_RW
  la t1, l0
  ld t0, 9 * 8(t1)
  li t2, 1 << 54
  or t0, t0, t2
  sd t0, 9 * 8(t1)
  /* Known contents. */
  li t0, 0xaaaa0001
  sd t0, page_a, t1
  li t0, 0xbbbb0002
  sd t0, page_b, t1
  li t0, 0xcccc0003
  sd t0, page_c, t1
  li t1, MEGA_PA + 0x1238
  li t0, 0xdddd0004
  sd t0, 0(t1)
  la t0, root
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  sfence.vma

  PRINT "sv39: pages, megapages and gigapages from S-mode\n"
  GOTO_MODE MPP_S, s_basic
s_basic:
  li s1, VA_4K
  ld a2, 0(s1)
  CHECK a2, 0xaaaa0001, 0x801
  li a3, 0x1234
  sd a3, 8(s1)
  la t0, page_a
  ld a2, 8(t0)
  CHECK a2, 0x1234, 0x802
  li s2, VA_4K + 0x1000
  ld a2, 0(s2)
  CHECK a2, 0xbbbb0002, 0x803
  li s2, VA_MEGA + 0x1238
  ld a2, 0(s2)
  CHECK a2, 0xdddd0004, 0x804
  /* Misaligned superpages fault. */
  li s2, VA_MEGA_BAD
  EXPECT_LOAD_FAULT s2, CAUSE_LOAD_PAGE, 0x805
  li s2, VA_GIGA_BAD
  EXPECT_LOAD_FAULT s2, CAUSE_LOAD_PAGE, 0x806
  /* Addresses that are not sign-extended from bit 38 fault. */
  li s2, 0x8000000000
  EXPECT_LOAD_FAULT s2, CAUSE_LOAD_PAGE, 0x807

  PRINT "sv39: reserved PTE bits\n"
  li s2, VA_4K + 0x9000
  EXPECT_LOAD_FAULT s2, CAUSE_LOAD_PAGE, 0x808

  PRINT "sv39: permission faults\n"
  li s2, VA_4K + 0x1000
  EXPECT_STORE_FAULT s2, CAUSE_STORE_PAGE, 0x810
  li s2, VA_4K + 0x4000
  EXPECT_LOAD_FAULT s2, CAUSE_LOAD_PAGE, 0x811
  EXPECT_STORE_FAULT s2, CAUSE_STORE_PAGE, 0x812
  li s2, VA_4K + 0x5000
  EXPECT_LOAD_FAULT s2, CAUSE_LOAD_PAGE, 0x813
  /* Fetch from a page without X. */
  li s2, VA_4K
  EXPECT_TRAP s_after_fetch
  jalr s2
s_after_fetch:
  CHECK_TRAP CAUSE_FETCH_PAGE, 0x814
  ld t0, trap_tval
  CHECK_EQ t0, s2, 0x815
  /* Fetch from an execute-only page works. */
  li s2, VA_4K + 0x2000
  jalr s2
  CHECK a0, 0x77, 0x816

  PRINT "sv39: MXR\n"
  li s2, VA_4K + 0x2000
  EXPECT_LOAD_FAULT s2, CAUSE_LOAD_PAGE, 0x820
  li t0, MSTATUS_MXR
  csrs sstatus, t0
  lw a2, 0(s2)
  la t0, xpage
  lw a3, 0(t0)
  CHECK_EQ a2, a3, 0x821
  li t0, MSTATUS_MXR
  csrc sstatus, t0

  PRINT "sv39: SUM\n"
  li s2, VA_4K + 0x6000
  EXPECT_LOAD_FAULT s2, CAUSE_LOAD_PAGE, 0x830
  EXPECT_STORE_FAULT s2, CAUSE_STORE_PAGE, 0x831
  li t0, MSTATUS_SUM
  csrs sstatus, t0
  ld a2, 0(s2)
  CHECK a2, 0xaaaa0001, 0x832
  /* SUM never lets S execute user pages. */
  li s2, VA_4K + 0x7000
  EXPECT_TRAP s_after_user_fetch
  jalr s2
s_after_user_fetch:
  CHECK_TRAP CAUSE_FETCH_PAGE, 0x833
  li t0, MSTATUS_SUM
  csrc sstatus, t0

  PRINT "sv39: accessed and dirty bits\n"
  la s3, l0
  ld a2, 24(s3)
  andi a2, a2, PTE_A | PTE_D
  CHECK a2, 0, 0x840
  li s2, VA_4K + 0x3000
  ld a2, 0(s2)
  CHECK a2, 0xcccc0003, 0x841
  ld a2, 24(s3)
  andi a2, a2, PTE_A | PTE_D
  CHECK a2, PTE_A, 0x842
  sd a2, 8(s2)
  ld a2, 24(s3)
  andi a2, a2, PTE_A | PTE_D
  CHECK a2, PTE_A | PTE_D, 0x843

  PRINT "sv39: sfence.vma after changing a mapping\n"
  la t2, page_c
  SET_PTE l0, 0, t2, LEAF_RW
  sfence.vma
  li s1, VA_4K
  ld a2, 0(s1)
  CHECK a2, 0xcccc0003, 0x850
  la t2, page_a
  SET_PTE l0, 0, t2, LEAF_RW
  li t0, VA_4K
  sfence.vma t0, zero
  ld a2, 0(s1)
  CHECK a2, 0xaaaa0001, 0x851
  BACK_TO_M

  PRINT "sv39: page faults delegated to S-mode\n"
  la t0, s_fault_handler
  csrw stvec, t0
  li t0, (1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE)
  csrw medeleg, t0
  GOTO_MODE MPP_S, s_delegated
s_delegated:
  li s2, VA_4K + 0x4000
1:
  ld a2, 0(s2)
  ld t0, s_cause
  CHECK t0, CAUSE_LOAD_PAGE, 0x858
  ld t0, s_tval
  CHECK_EQ t0, s2, 0x859
  ld t0, s_epc
  la t1, 1b
  CHECK_EQ t0, t1, 0x85a
  li s2, VA_4K + 0x1000
  sd a2, 8(s2)
  ld t0, s_cause
  CHECK t0, CAUSE_STORE_PAGE, 0x85b
  ld t0, s_tval
  addi t1, s2, 8
  CHECK_EQ t0, t1, 0x85c
  BACK_TO_M
  csrw medeleg, zero

  PRINT "sv39: U-mode\n"
  la t0, u_code
  li t1, USER_ALIAS
  add t0, t0, t1
  li t1, MSTATUS_MPP
  csrc mstatus, t1
  csrw mepc, t0
  mret
u_code:
  /* Running at the user alias of this code. */
  li s2, VA_4K + 0x6000
  ld a2, 0(s2)
  CHECK a2, 0xaaaa0001, 0x860
  li s2, VA_4K
  EXPECT_LOAD_FAULT s2, CAUSE_LOAD_PAGE, 0x861
  ld t0, trap_mode
  CHECK t0, 0, 0x862
  BACK_TO_M_AT u_done, USER_ALIAS
u_done:

  PRINT "sv39: MPRV\n"
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, MPP_S | MSTATUS_MPRV
  csrs mstatus, t0
  li s1, VA_4K
  ld a2, 0(s1)
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  CHECK a2, 0xaaaa0001, 0x870
  /* With MPP = M, MPRV changes nothing. */
  li t0, MSTATUS_MPP | MSTATUS_MPRV
  csrs mstatus, t0
  la s1, page_b
  ld a2, 0(s1)
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  CHECK a2, 0xbbbb0002, 0x871
  /* M-mode itself is never translated. */
  la s1, page_a
  ld a2, 0(s1)
  CHECK a2, 0xaaaa0001, 0x872
  csrw satp, zero
  sfence.vma
  PRINT "sv39: ok\n"
  mv ra, s0
  ret

/* S-mode handler for delegated page faults: records scause, stval and sepc, then skips the (4-byte) instruction. */
  .balign 4
s_fault_handler:
  csrw sscratch, t0
  csrr t0, scause
  sd t0, s_cause, t6
  csrr t0, stval
  sd t0, s_tval, t6
  csrr t0, sepc
  sd t0, s_epc, t6
  addi t0, t0, 4
  csrw sepc, t0
  csrr t0, sscratch
  sret

/* Execute-only page: returns 0x77 in a0. */
  .section .text.xpage, "ax"
  .balign 4096
xpage:
  li a0, 0x77
  ret
  .balign 4096

  .data
  .balign 8
s_cause: .dword 0
s_tval:  .dword 0
s_epc:   .dword 0
  .balign 4096
page_a: .dword 0, 0
  .balign 4096
page_b: .dword 0, 0
  .balign 4096
page_c: .dword 0, 0
  .balign 4096

  .section .pages, "aw", @nobits
  .balign 4096
tables_start:
root: .skip 4096
l1:   .skip 4096
l0:   .skip 4096
tables_end:
