/* Smallest conformance program: prints a line and passes; checks the console and the test device. */
#include "harness.h"
  .text
  .globl main
main:
  addi sp, sp, -16
  sd ra, 0(sp)
  PRINT "smoke: hello from M-mode\n"
  csrr a0, mhartid
  CHECK a0, 0, 1
  ld ra, 0(sp)
  addi sp, sp, 16
  ret
