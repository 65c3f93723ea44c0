/* RV64I: integer arithmetic, shifts, compares, upper immediates, loads and stores, branches and jumps. */
#include "harness.h"
  .option norvc
  .text
  .globl main
main:
  mv s0, ra
  PRINT "rv64i: arithmetic\n"
  li a1, 0x7fffffffffffffff
  addi a2, a1, 1
  CHECK a2, 0x8000000000000000, 0x101
  li a3, -5
  add a4, a1, a1
  CHECK a4, -2, 0x102
  sub a4, a3, a1
  CHECK a4, 0x7ffffffffffffffc, 0x103
  addi a4, zero, -2048
  CHECK a4, -2048, 0x104
  addi x0, x0, 5
  CHECK x0, 0, 0x105
  lui a4, 0x80000
  CHECK a4, 0xffffffff80000000, 0x106
  lui a4, 0x7ffff
  CHECK a4, 0x7ffff000, 0x107
1:
  auipc a4, 0
  la a5, 1b
  CHECK_EQ a4, a5, 0x108
2:
  auipc a4, 1
  la a5, 2b
  sub a4, a4, a5
  CHECK a4, 0x1000, 0x109

  PRINT "rv64i: logic and compares\n"
  li a1, 0xf0f0f0f0f0f0f0f0
  li a2, 0x0ff00ff00ff00ff0
  xor a3, a1, a2
  CHECK a3, 0xff00ff00ff00ff00, 0x110
  or a3, a1, a2
  CHECK a3, 0xfff0fff0fff0fff0, 0x111
  and a3, a1, a2
  CHECK a3, 0x00f000f000f000f0, 0x112
  xori a3, a1, -1
  CHECK a3, 0x0f0f0f0f0f0f0f0f, 0x113
  ori a3, zero, 0x7ff
  CHECK a3, 0x7ff, 0x114
  andi a3, a1, -16
  CHECK a3, 0xf0f0f0f0f0f0f0f0, 0x115
  slt a3, a1, a2
  CHECK a3, 1, 0x116
  sltu a3, a1, a2
  CHECK a3, 0, 0x117
  slti a3, a1, -1
  CHECK a3, 1, 0x118
  sltiu a3, a2, -1
  CHECK a3, 1, 0x119
  sltiu a3, zero, 1
  CHECK a3, 1, 0x11a

  PRINT "rv64i: shifts\n"
  li a1, 0x8000000000000001
  slli a3, a1, 63
  CHECK a3, 0x8000000000000000, 0x120
  srli a3, a1, 63
  CHECK a3, 1, 0x121
  srai a3, a1, 62
  CHECK a3, -2, 0x122
  li a2, 65
  sll a3, a1, a2
  CHECK a3, 2, 0x123
  srl a3, a1, a2
  CHECK a3, 0x4000000000000000, 0x124
  sra a3, a1, a2
  CHECK a3, 0xc000000000000000, 0x125

  PRINT "rv64i: 32-bit forms\n"
  li a1, 0x7fffffff
  addiw a3, a1, 1
  CHECK a3, 0xffffffff80000000, 0x130
  addw a3, a1, a1
  CHECK a3, -2, 0x131
  li a2, 0x100000001
  subw a3, a2, a1
  CHECK a3, 0xffffffff80000002, 0x132
  li a1, 0xffffffff00000001
  sext.w a3, a1
  CHECK a3, 1, 0x133
  slliw a3, a1, 31
  CHECK a3, 0xffffffff80000000, 0x134
  li a1, 0x80000000
  srliw a3, a1, 4
  CHECK a3, 0x08000000, 0x135
  sraiw a3, a1, 4
  CHECK a3, 0xfffffffff8000000, 0x136
  li a2, 36
  sllw a3, a1, a2
  CHECK a3, 0, 0x137
  srlw a3, a1, a2
  CHECK a3, 0x08000000, 0x138
  sraw a3, a1, a2
  CHECK a3, 0xfffffffff8000000, 0x139

  PRINT "rv64i: loads and stores\n"
  la a1, scratch
  li a2, 0x8877665544332211
  sd a2, 0(a1)
  lb a3, 7(a1)
  CHECK a3, 0xffffffffffffff88, 0x140
  lbu a3, 7(a1)
  CHECK a3, 0x88, 0x141
  lh a3, 6(a1)
  CHECK a3, 0xffffffffffff8877, 0x142
  lhu a3, 6(a1)
  CHECK a3, 0x8877, 0x143
  lw a3, 4(a1)
  CHECK a3, 0xffffffff88776655, 0x144
  lwu a3, 4(a1)
  CHECK a3, 0x88776655, 0x145
  ld a3, 0(a1)
  CHECK_EQ a3, a2, 0x146
  li a2, 0xaabbccdd
  sb a2, 8(a1)
  sh a2, 10(a1)
  sw a2, 12(a1)
  ld a3, 8(a1)
  CHECK a3, 0xaabbccddccdd00dd, 0x147
  addi a4, a1, 16
  sd a2, -8(a4)
  ld a3, 8(a1)
  CHECK a3, 0xaabbccdd, 0x148

  PRINT "rv64i: branches\n"
  li a1, -1
  li a2, 1
  li s1, 0
  beq a1, a1, 1f
  j branch_fail
1: bne a1, a2, 1f
  j branch_fail
1: blt a1, a2, 1f
  j branch_fail
1: bge a2, a1, 1f
  j branch_fail
1: bltu a2, a1, 1f
  j branch_fail
1: bgeu a1, a2, 1f
  j branch_fail
1: bge a1, a1, 1f
  j branch_fail
1: beq a1, a2, branch_fail
  bne a1, a1, branch_fail
  blt a2, a1, branch_fail
  bge a1, a2, branch_fail
  bltu a1, a2, branch_fail
  bgeu a2, a1, branch_fail
  /* A backward branch loop. */
  li a3, 10
  li a4, 0
1:
  addi a4, a4, 3
  addi a3, a3, -1
  bnez a3, 1b
  CHECK a4, 30, 0x150

  PRINT "rv64i: jumps\n"
  jal a5, 1f
2:
  j branch_fail
1:
  la a6, 2b
  CHECK_EQ a5, a6, 0x160
  la a4, 1f
  addi a4, a4, 1          /* jalr clears bit 0 of the target */
  jalr a5, 0(a4)
2:
  j branch_fail
1:
  la a6, 2b
  CHECK_EQ a5, a6, 0x161
  la a4, 1f - 8
  jalr a5, 8(a4)
  j branch_fail
1:
  /* rd == rs1: the target uses the old value. */
  la a4, 1f
  jalr a4, 0(a4)
2:
  j branch_fail
1:
  la a6, 2b
  CHECK_EQ a4, a6, 0x162
  fence
  fence rw, rw
  fence.i

  PRINT "rv64i: self-modifying code with fence.i\n"
  la s1, code_buffer
  lw t0, insn_li_42
  sw t0, 0(s1)
  lw t0, insn_ret
  sw t0, 4(s1)
  fence.i
  li a0, 0
  jalr s1
  CHECK a0, 42, 0x170
  lw t0, insn_li_99
  sw t0, 0(s1)
  fence.i
  jalr s1
  CHECK a0, 99, 0x171

  PRINT "rv64i: misaligned loads and stores work or trap\n"
  la s1, scratch
  li a2, 0x0123456789abcdef
  sd a2, 0(s1)
  sd zero, 8(s1)
  /* Either outcome is allowed (Priv. spec 3.6.3.1); the printed output is the same for both. */
  EXPECT_TRAP
  ld a3, 1(s1)
  ld t0, trap_expected
  bnez t0, 1f
  CHECK_TRAP CAUSE_LOAD_MISALIGNED, 0x180
  ld t0, trap_tval
  addi t1, s1, 1
  CHECK_EQ t0, t1, 0x181
  j 2f
1:
  sd zero, trap_expected, t0
  CHECK a3, 0x000123456789abcd, 0x182
2:
  EXPECT_TRAP
  sw a2, 6(s1)
  ld t0, trap_expected
  bnez t0, 1f
  CHECK_TRAP CAUSE_STORE_MISALIGNED, 0x183
  j 2f
1:
  sd zero, trap_expected, t0
  ld a3, 8(s1)
  CHECK a3, 0x89ab, 0x184
2:
  PRINT "rv64i: ok\n"
  mv ra, s0
  ret

branch_fail:
  li a0, 0x1ff
  j fail

  .data
  .balign 8
scratch: .dword 0, 0, 0
code_buffer: .word 0, 0
insn_li_42: addi a0, zero, 42
insn_li_99: addi a0, zero, 99
insn_ret:   jalr zero, 0(ra)
