/* Device registers as firmware sees them: NS16550A UART (scratch, divisor latch, FIFO, loopback, IIR), CLINT widths, PLIC registers. */
#include "harness.h"
#define MSIP        (CLINT_BASE + 0x0)
#define MTIMECMP    (CLINT_BASE + 0x4000)
#define MTIME       (CLINT_BASE + 0xbff8)
#define UART_IRQ    10
#define PLIC_PRIORITY(n)    (PLIC_BASE + 4 * (n))
#define PLIC_PENDING        (PLIC_BASE + 0x1000)
#define PLIC_ENABLE(ctx)    (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)     (PLIC_BASE + 0x200004 + 0x1000 * (ctx))
#define RBR 0
#define THR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

  .option norvc
  .text
  .globl main
main:
  mv s0, ra
  li s1, UART_BASE

  PRINT "devices: uart registers\n"
  lbu a2, IER(s1)
  CHECK a2, 0, 0x901
  lbu a2, LSR(s1)
  CHECK a2, 0x60, 0x902
  lbu a2, IIR(s1)
  andi a2, a2, 0x0f
  CHECK a2, 0x1, 0x903
  li t0, 0xa5
  sb t0, SCR(s1)
  lbu a2, SCR(s1)
  CHECK a2, 0xa5, 0x904
  /* Divisor latch: with LCR.DLAB, offsets 0 and 1 are DLL and DLM. */
  li t0, 0x83
  sb t0, LCR(s1)
  li t0, 0x0c
  sb t0, 0(s1)
  li t0, 0x01
  sb t0, 1(s1)
  lbu a2, 0(s1)
  CHECK a2, 0x0c, 0x905
  lbu a2, 1(s1)
  CHECK a2, 0x01, 0x906
  lbu a2, LCR(s1)
  CHECK a2, 0x83, 0x907
  li t0, 0x03
  sb t0, LCR(s1)
  lbu a2, IER(s1)
  CHECK a2, 0, 0x908
  /* FIFOs enabled: IIR reports them in bits 7:6. */
  li t0, 0x07
  sb t0, FCR(s1)
  lbu a2, IIR(s1)
  CHECK a2, 0xc1, 0x909

  PRINT "devices: uart transmitter-empty interrupt identification\n"
  li t0, 0x02
  sb t0, IER(s1)
  lbu a2, IIR(s1)
  CHECK a2, 0xc2, 0x910
  /* Reading IIR while it reports THRE clears that interrupt. */
  lbu a2, IIR(s1)
  CHECK a2, 0xc1, 0x911
  sb zero, IER(s1)

  PRINT "devices: uart loopback and receive FIFO\n"
  li t0, 0x1f
  sb t0, MCR(s1)
  lbu a2, MSR(s1)
  andi a2, a2, 0xf0
  CHECK a2, 0xf0, 0x920
  lbu a2, LSR(s1)
  andi a2, a2, 0x01
  CHECK a2, 0, 0x921
  li t0, 'A'
  sb t0, THR(s1)
  li t0, 'B'
  sb t0, THR(s1)
  li t0, 'C'
  sb t0, THR(s1)
  lbu a2, LSR(s1)
  andi a2, a2, 0x61
  CHECK a2, 0x61, 0x922
  lbu a2, RBR(s1)
  CHECK a2, 'A', 0x923
  lbu a2, RBR(s1)
  CHECK a2, 'B', 0x924
  lbu a2, RBR(s1)
  CHECK a2, 'C', 0x925
  lbu a2, LSR(s1)
  andi a2, a2, 0x01
  CHECK a2, 0, 0x926
  /* Receive-data-available identification while data waits. */
  li t0, 0x01
  sb t0, IER(s1)
  li t0, 'D'
  sb t0, THR(s1)
  lbu a2, IIR(s1)
  CHECK a2, 0xc4, 0x927
  lbu a2, RBR(s1)
  lbu a2, IIR(s1)
  CHECK a2, 0xc1, 0x928
  sb zero, IER(s1)
  sb zero, MCR(s1)
  li t0, 0x00
  sb t0, LCR(s1)
  lbu a2, LCR(s1)
  CHECK a2, 0, 0x929

  PRINT "devices: clint register widths\n"
  li s2, MSIP
  li t0, -1
  sw t0, 0(s2)
  lw a2, 0(s2)
  CHECK a2, 1, 0x930
  sw zero, 0(s2)
  lw a2, 0(s2)
  CHECK a2, 0, 0x931
  li s2, MTIMECMP
  li t0, 0x12345678
  sw t0, 0(s2)
  li t0, 0x9abcdef0
  sw t0, 4(s2)
  ld a2, 0(s2)
  CHECK a2, 0x9abcdef012345678, 0x932
  li t0, -1
  sd t0, 0(s2)
  lw a2, 4(s2)
  CHECK a2, -1, 0x933
  li s2, MTIME
  ld a2, 0(s2)
  li t1, 500
1:
  addi t1, t1, -1
  bnez t1, 1b
  ld a3, 0(s2)
  bgtu a3, a2, 1f
  li a0, 0x934
  j fail
1:
  lwu a3, 0(s2)
  lwu a4, 4(s2)
  slli a4, a4, 32
  or a3, a3, a4
  bgeu a3, a2, 1f
  li a0, 0x935
  j fail
1:

  PRINT "devices: plic registers\n"
  li s2, PLIC_PRIORITY(UART_IRQ)
  li t0, 7
  sw t0, 0(s2)
  lw a2, 0(s2)
  CHECK a2, 7, 0x940
  li t0, 1
  sw t0, 0(s2)
  li s3, PLIC_THRESHOLD(0)
  li t0, 5
  sw t0, 0(s3)
  lw a2, 0(s3)
  CHECK a2, 5, 0x941
  sw zero, 0(s3)
  li s4, PLIC_CLAIM(0)
  lw a2, 0(s4)
  CHECK a2, 0, 0x942
  li s5, PLIC_ENABLE(0)
  li t0, 1 << UART_IRQ
  sw t0, 0(s5)
  lw a2, 0(s5)
  CHECK a2, 1 << UART_IRQ, 0x943
  /* A raised source shows in the pending bits, is claimed once, and leaves pending on claim. */
  li t0, 0x02
  sb t0, IER(s1)
  li s6, PLIC_PENDING
  lw a2, 0(s6)
  li t1, 1 << UART_IRQ
  and a2, a2, t1
  CHECK a2, 1 << UART_IRQ, 0x944
  lw a2, 0(s4)
  CHECK a2, UART_IRQ, 0x945
  lw a2, 0(s6)
  li t1, 1 << UART_IRQ
  and a2, a2, t1
  CHECK a2, 0, 0x946
  lw a2, 0(s4)
  CHECK a2, 0, 0x947
  sb zero, IER(s1)
  li t0, UART_IRQ
  sw t0, 0(s4)
  sw zero, 0(s5)
  li s2, PLIC_PRIORITY(UART_IRQ)
  sw zero, 0(s2)
  PRINT "devices: ok\n"
  mv ra, s0
  ret
