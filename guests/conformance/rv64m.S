/* RV64M: multiplication and division, with the spec's division by zero and overflow results (Unpriv. spec 13.2). */
#include "harness.h"
  .option norvc
  .text
  .globl main
main:
  mv s0, ra
  PRINT "rv64m: multiply\n"
  li a1, 0x123456789
  li a2, -0x1000
  mul a3, a1, a2
  CHECK a3, 0xffffedcba9877000, 0x201
  li a1, 0x8000000000000000
  li a2, 0x8000000000000000
  mulh a3, a1, a2
  CHECK a3, 0x4000000000000000, 0x202
  mulhu a3, a1, a2
  CHECK a3, 0x4000000000000000, 0x203
  li a1, -1
  li a2, -1
  mulh a3, a1, a2
  CHECK a3, 0, 0x204
  mulhu a3, a1, a2
  CHECK a3, 0xfffffffffffffffe, 0x205
  mulhsu a3, a1, a2
  CHECK a3, -1, 0x206
  li a1, 5
  mulhsu a3, a1, a2
  CHECK a3, 4, 0x207
  li a1, 0x7fffffff
  li a2, 2
  mulw a3, a1, a2
  CHECK a3, -2, 0x208
  li a1, 0x100000003
  li a2, 0x200000005
  mulw a3, a1, a2
  CHECK a3, 15, 0x209

  PRINT "rv64m: divide\n"
  li a1, -7
  li a2, 2
  div a3, a1, a2
  CHECK a3, -3, 0x210
  rem a3, a1, a2
  CHECK a3, -1, 0x211
  divu a3, a1, a2
  CHECK a3, 0x7ffffffffffffffc, 0x212
  remu a3, a1, a2
  CHECK a3, 1, 0x213
  /* Division by zero: quotient all ones, remainder the dividend. */
  div a3, a1, zero
  CHECK a3, -1, 0x214
  divu a3, a1, zero
  CHECK a3, -1, 0x215
  rem a3, a1, zero
  CHECK a3, -7, 0x216
  remu a3, a1, zero
  CHECK a3, -7, 0x217
  /* Signed overflow: quotient the dividend, remainder zero. */
  li a1, 0x8000000000000000
  li a2, -1
  div a3, a1, a2
  CHECK a3, 0x8000000000000000, 0x218
  rem a3, a1, a2
  CHECK a3, 0, 0x219

  PRINT "rv64m: 32-bit divide\n"
  li a1, 0xffffffff80000000
  li a2, -1
  divw a3, a1, a2
  CHECK a3, 0xffffffff80000000, 0x220
  remw a3, a1, a2
  CHECK a3, 0, 0x221
  li a1, 0x1fffffff9
  li a2, 2
  divw a3, a1, a2
  CHECK a3, -3, 0x222
  remw a3, a1, a2
  CHECK a3, -1, 0x223
  divuw a3, a1, a2
  CHECK a3, 0x7ffffffc, 0x224
  remuw a3, a1, a2
  CHECK a3, 1, 0x225
  divw a3, a1, zero
  CHECK a3, -1, 0x226
  divuw a3, a1, zero
  CHECK a3, -1, 0x227
  remw a3, a1, zero
  CHECK a3, -7, 0x228
  remuw a3, a1, zero
  CHECK a3, -7, 0x229
  li a1, 0x80000000
  li a2, 3
  divuw a3, a1, a2
  CHECK a3, 0x2aaaaaaa, 0x22a
  PRINT "rv64m: ok\n"
  mv ra, s0
  ret
