/* Macros shared by the conformance programs (assembler preprocessor). See harness.S for the runtime. */
#define UART_BASE   0x10000000
#define TEST_BASE   0x100000
#define CLINT_BASE  0x2000000
#define PLIC_BASE   0xc000000

/* a7 value with which ecall asks the harness to return to M-mode (see harness.S). */
#define ECALL_TO_M  0x4d

/* mcause values (Priv. spec 3.1.15). */
#define CAUSE_FETCH_ACCESS   1
#define CAUSE_ILLEGAL        2
#define CAUSE_BREAKPOINT     3
#define CAUSE_LOAD_MISALIGNED 4
#define CAUSE_LOAD_ACCESS    5
#define CAUSE_STORE_MISALIGNED 6
#define CAUSE_STORE_ACCESS   7
#define CAUSE_ECALL_U        8
#define CAUSE_ECALL_S        9
#define CAUSE_ECALL_M        11
#define CAUSE_FETCH_PAGE     12
#define CAUSE_LOAD_PAGE      13
#define CAUSE_STORE_PAGE     15
#define INTERRUPT            (1 << 63)

#define MSTATUS_SIE   (1 << 1)
#define MSTATUS_MIE   (1 << 3)
#define MSTATUS_SPIE  (1 << 5)
#define MSTATUS_MPIE  (1 << 7)
#define MSTATUS_SPP   (1 << 8)
#define MSTATUS_MPP   (3 << 11)
#define MSTATUS_MPRV  (1 << 17)
#define MSTATUS_SUM   (1 << 18)
#define MSTATUS_MXR   (1 << 19)
#define MSTATUS_TVM   (1 << 20)
#define MSTATUS_TW    (1 << 21)
#define MSTATUS_TSR   (1 << 22)
#define MPP_U 0
#define MPP_S (1 << 11)
#define MPP_M (3 << 11)

/* Prints a string literal on the UART. Clobbers a0, t0, t1, t2, ra. */
.macro PRINT text
  .pushsection .rodata.str, "a"
  9: .asciz "\text"
  .popsection
  la a0, 9b
  call puts
.endm

/* Fails with `code` unless register `reg` equals `value`. Clobbers t6 (and the failure path prints). */
.macro CHECK reg, value, code
  li t6, \value
  beq \reg, t6, 8f
  mv a1, \reg
  li a0, \code
  j fail_value
8:
.endm

/* Fails with `code` unless registers `a` and `b` are equal. */
.macro CHECK_EQ a, b, code
  beq \a, \b, 8f
  mv a1, \a
  li a0, \code
  j fail_value
8:
.endm

/*
 * Arms the harness for one expected synchronous trap: the next trap taken to M-mode is recorded in
 * trap_cause/trap_tval/trap_epc/trap_mode and execution continues after the trapping instruction
 * (or at `resume` when one is given, for fetch faults). Clobbers t0.
 */
.macro EXPECT_TRAP resume=0
  .ifnc \resume,0
  la t0, \resume
  .else
  li t0, 0
  .endif
  sd t0, trap_resume, t6
  li t0, 1
  sd t0, trap_expected, t6
.endm

/* Fails with `code` unless the recorded trap had cause `cause`; the expectation must have been consumed. */
.macro CHECK_TRAP cause, code
  ld t0, trap_expected
  CHECK t0, 0, \code
  ld t0, trap_cause
  CHECK t0, \cause, \code
.endm

/* Enters privilege `mpp` (MPP_U/MPP_S/MPP_M) at `label` with mret. Clobbers t0. */
.macro GOTO_MODE mpp, label
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, \mpp
  csrs mstatus, t0
  la t0, \label
  csrw mepc, t0
  mret
.endm

/* From S or U, returns to M-mode after the ecall (or after an ebreak, when ecalls are delegated). Clobbers a7. */
.macro BACK_TO_M
  li a6, 0
  li a7, ECALL_TO_M
  ecall
.endm

.macro BACK_TO_M_BY_EBREAK
  li a6, 0
  li a7, ECALL_TO_M
  ebreak
.endm

/* Returns to M-mode at `label` minus `offset`: for code running at a virtual alias of its physical address. Clobbers t0, a6, a7. */
.macro BACK_TO_M_AT label, offset
  la a6, \label
  li t0, \offset
  sub a6, a6, t0
  li a7, ECALL_TO_M
  ecall
.endm

/* Like CHECK_TRAP, accepting either of two causes (where the spec allows a choice or QEMU deviates). */
.macro CHECK_TRAP2 cause1, cause2, code
  ld t0, trap_expected
  CHECK t0, 0, \code
  ld t0, trap_cause
  li t6, \cause1
  beq t0, t6, 7f
  CHECK t0, \cause2, \code
7:
.endm
