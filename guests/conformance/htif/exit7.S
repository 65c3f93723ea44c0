/* HTIF: a failing test binary, exiting with code 7 through tohost. */
#include "harness.h"
#include "htif.h"
  .text
  .globl main
main:
  PRINT "htif: failing with 7\n"
  HTIF_EXIT 7
  HTIF_SYMBOLS
