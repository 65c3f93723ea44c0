/* HTIF exits for the programs in htif/ (riscv-tests convention: tohost = (code << 1) | 1). */
.macro HTIF_EXIT code
  li t0, (\code << 1) | 1
  la t1, tohost
  sd t0, 0(t1)
1:
  j 1b
.endm

/* Prints one byte through HTIF's console device (device 1, command 1). Clobbers t0, t1. */
.macro HTIF_PUTC char
  li t0, (1 << 56) | (1 << 48) | \char
  la t1, tohost
  sd t0, 0(t1)
.endm

.macro HTIF_SYMBOLS
  .section .tohost, "aw", @progbits
  .balign 64
  .globl tohost, fromhost
tohost: .dword 0
  .balign 64
fromhost: .dword 0
.endm
