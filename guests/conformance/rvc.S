/* RVC: every RV64C instruction, written with explicit c. mnemonics so each is assembled in its 16-bit form (Unpriv. spec ch. 16). */
#include "harness.h"
  .option rvc
  .text
  .globl main
main:
  mv s0, ra
  PRINT "rvc: stack-pointer forms\n"
  addi sp, sp, -64
  c.addi4spn a0, sp, 16
  addi a1, sp, 16
  CHECK_EQ a0, a1, 0x401
  c.addi16sp sp, -32
  c.addi16sp sp, 32
  li a2, 0x1122334455667788
  c.sdsp a2, 8(sp)
  c.ldsp a3, 8(sp)
  CHECK_EQ a3, a2, 0x402
  c.swsp a2, 16(sp)
  c.lwsp a4, 16(sp)
  CHECK a4, 0x55667788, 0x403
  li a2, 0x80000000
  c.swsp a2, 20(sp)
  c.lwsp a4, 20(sp)
  CHECK a4, 0xffffffff80000000, 0x404

  PRINT "rvc: register-based loads and stores\n"
  la s1, data
  li a5, 0x0102030405060708
  c.sd a5, 8(s1)
  c.ld a4, 8(s1)
  CHECK_EQ a4, a5, 0x410
  li a5, -2
  c.sw a5, 4(s1)
  c.lw a3, 4(s1)
  CHECK a3, -2, 0x411
  c.lw a3, 8(s1)
  CHECK a3, 0x05060708, 0x412

  PRINT "rvc: immediates\n"
  c.li a0, -32
  CHECK a0, -32, 0x420
  c.li a0, 31
  c.addi a0, -1
  CHECK a0, 30, 0x421
  li a1, 0x7fffffff
  c.addiw a1, 1
  CHECK a1, 0xffffffff80000000, 0x422
  li a1, 0x100000005
  c.addiw a1, 0
  CHECK a1, 5, 0x423
  c.lui a2, 0xfffe0
  CHECK a2, 0xfffffffffffe0000, 0x424
  c.lui a2, 1
  CHECK a2, 0x1000, 0x425
  c.nop

  PRINT "rvc: shifts and logic\n"
  li s1, 0x8000000000000010
  c.srli s1, 4
  CHECK s1, 0x0800000000000001, 0x430
  li s1, 0x8000000000000010
  c.srai s1, 63
  CHECK s1, -1, 0x431
  li a0, 0x0ff0
  c.andi a0, -16
  CHECK a0, 0x0ff0, 0x432
  c.andi a0, 0x1f
  CHECK a0, 0x10, 0x433
  li a0, 3
  c.slli a0, 62
  CHECK a0, 0xc000000000000000, 0x434
  li a0, 12
  li a1, 10
  c.sub a0, a1
  CHECK a0, 2, 0x435
  li a0, 12
  c.xor a0, a1
  CHECK a0, 6, 0x436
  li a0, 12
  c.or a0, a1
  CHECK a0, 14, 0x437
  li a0, 12
  c.and a0, a1
  CHECK a0, 8, 0x438
  li a0, 0x7fffffff
  li a1, 1
  c.addw a0, a1
  CHECK a0, 0xffffffff80000000, 0x439
  li a0, 0
  c.subw a0, a1
  CHECK a0, -1, 0x43a
  li a0, 0x100000000
  li a1, 5
  c.subw a0, a1
  CHECK a0, -5, 0x43b
  c.mv a3, a1
  CHECK a3, 5, 0x43c
  c.add a3, a1
  CHECK a3, 10, 0x43d

  PRINT "rvc: control transfer\n"
  li a0, 0
  c.beqz a0, 1f
  j rvc_fail
1:
  c.bnez a0, rvc_fail
  li s1, 1
  c.bnez s1, 1f
  j rvc_fail
1:
  c.beqz s1, rvc_fail
  c.j 1f
  j rvc_fail
1:
  la a4, 1f
  c.jr a4
  j rvc_fail
1:
  la a4, 2f
  c.jalr a4
1:
  j 3f
2:
  la a5, 1b
  CHECK_EQ ra, a5, 0x440
  c.jr ra
3:
  /* A c.ebreak traps like ebreak; the harness skips the 2-byte instruction. */
  EXPECT_TRAP
  c.ebreak
  CHECK_TRAP CAUSE_BREAKPOINT, 0x441
  /* All-zero halfword is the defined illegal instruction. */
  EXPECT_TRAP
  c.unimp
  CHECK_TRAP CAUSE_ILLEGAL, 0x442
  /* 32-bit instructions at 2-byte aligned addresses. */
  c.nop
  li a0, 7
  addi a0, a0, 1
  CHECK a0, 8, 0x443
  addi sp, sp, 64
  PRINT "rvc: ok\n"
  mv ra, s0
  ret

rvc_fail:
  li a0, 0x4ff
  j fail

  .data
  .balign 8
data: .dword 0, 0, 0
