/* HTIF: a test binary that defines tohost/fromhost, prints through the UART and HTIF's console, and exits with code 0. */
#include "harness.h"
#include "htif.h"
  .text
  .globl main
main:
  PRINT "htif: uart\n"
  HTIF_PUTC 'h'
  HTIF_PUTC '\n'
  HTIF_EXIT 0
  HTIF_SYMBOLS
