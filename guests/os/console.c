/* The NS16550A console: polled output, interrupt-driven input into a ring buffer, kprintf. */
#include <stdarg.h>
#include "kernel.h"
#include "../common/format.h"

#define RBR 0 /* receive buffer (read) */
#define THR 0 /* transmit holding (write) */
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

#define RX_SIZE 256

static volatile u8 rx_buffer[RX_SIZE];
static volatile unsigned rx_head, rx_tail;
volatile int console_interrupt_requested;
volatile int console_program_running;

static inline u8 uart_read(unsigned reg) { return *(volatile u8 *)(UART0 + reg); }
static inline void uart_write(unsigned reg, u8 v) { *(volatile u8 *)(UART0 + reg) = v; }

void uart_init(void)
{
	uart_write(IER, 0x00);
	uart_write(LCR, 0x03); /* 8 data bits, no parity, one stop bit */
	uart_write(FCR, 0x07); /* FIFOs on and cleared: input counts from the prompt on */
	uart_write(MCR, 0x08); /* OUT2 gates the interrupt line on a real 16550 */
	uart_write(IER, 0x01); /* interrupt when received data is available */
}

/* Called from the PLIC handler: move every received byte into the ring buffer. */
void uart_irq(void)
{
	while (uart_read(LSR) & LSR_DATA_READY) {
		u8 c = uart_read(RBR);
		if (c == 0x03 && console_program_running) {
			/* Ctrl-C for the running program: it is a signal, not input for the shell. */
			console_interrupt_requested = 1;
			continue;
		}
		unsigned next = (rx_head + 1) % RX_SIZE;
		if (next != rx_tail) { /* a full buffer drops the byte */
			rx_buffer[rx_head] = c;
			rx_head = next;
		}
	}
}

void console_putc(char c)
{
	if (c == '\n')
		console_putc('\r');
	while (!(uart_read(LSR) & LSR_THR_EMPTY))
		;
	uart_write(THR, (u8)c);
}

void console_write(const char *s, unsigned long n)
{
	while (n--)
		console_putc(*s++);
}

int console_getc_nonblocking(void)
{
	if (rx_tail == rx_head)
		return -1;
	int c = rx_buffer[rx_tail];
	rx_tail = (rx_tail + 1) % RX_SIZE;
	return c;
}

/* Sleeps with wfi until the receive interrupt has delivered a byte. */
int console_getc(void)
{
	for (;;) {
		int c = console_getc_nonblocking();
		if (c >= 0)
			return c;
		wait_for_interrupt();
	}
}

static void console_sink(void *ctx, const char *s, unsigned long n)
{
	(void)ctx;
	console_write(s, n);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format(console_sink, 0, fmt, ap);
	va_end(ap);
	return 0;
}
