/* The console shell: line editing and the built-in commands. */
#include "kernel.h"

#define PROMPT "$ "
#define LINE_MAX 128
#define ARGS_MAX 8

static int read_line(char *line)
{
	static int last_was_cr;
	int n = 0;
	for (;;) {
		int c = console_getc();
		if (c == '\n' && last_was_cr) {
			last_was_cr = 0;
			continue;
		}
		last_was_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			console_putc('\n');
			line[n] = '\0';
			return n;
		}
		if (c == 0x03) { /* Ctrl-C drops the line */
			kprintf("^C\n");
			line[0] = '\0';
			return 0;
		}
		if ((c == 0x7f || c == 0x08) && n > 0) {
			n--;
			kprintf("\b \b");
		} else if (c >= 0x20 && c < 0x7f && n < LINE_MAX - 1) {
			line[n++] = (char)c;
			console_putc((char)c);
		}
	}
}

static int split(char *line, char **argv)
{
	int argc = 0;
	while (*line && argc < ARGS_MAX) {
		while (*line == ' ' || *line == '\t')
			*line++ = '\0';
		if (!*line)
			break;
		argv[argc++] = line;
		while (*line && *line != ' ' && *line != '\t')
			line++;
	}
	return argc;
}

static int parse_number(const char *s, u64 *out)
{
	u64 v = 0;
	unsigned base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static void cmd_help(void)
{
	kprintf("Commands:\n"
		"  help                     this list\n"
		"  echo TEXT...             print TEXT\n"
		"  uptime                   time since boot and interrupt counts\n"
		"  mem                      memory map and page usage\n"
		"  peek ADDR [LEN]          hex dump of physical memory (LEN bytes, default 16)\n"
		"  poke ADDR VALUE [SIZE]   store VALUE at physical ADDR (SIZE 1, 2, 4 or 8; default 4)\n"
		"  clear                    clear the screen\n"
		"  run [-v] PROGRAM         run a user program (-v shows its mappings and faults)\n"
		"  poweroff, reboot         stop or restart the machine\n"
		"Programs:\n");
	for (unsigned i = 0; i < program_count; i++)
		kprintf("  %-11s %s\n", programs[i].name, programs[i].description);
}

static void cmd_uptime(void)
{
	u64 t = read_mtime() - boot_mtime();
	kprintf("up %lu.%02lu s, %lu timer ticks, %lu external interrupts\n", t / TIMEBASE_HZ,
		(t % TIMEBASE_HZ) / (TIMEBASE_HZ / 100), timer_ticks, external_interrupts);
}

static void cmd_peek(int argc, char **argv)
{
	u64 addr, len = 16;
	if (argc < 2 || parse_number(argv[1], &addr) < 0 ||
	    (argc > 2 && (parse_number(argv[2], &len) < 0 || len == 0 || len > 256))) {
		kprintf("usage: peek ADDR [LEN], LEN from 1 to 256\n");
		return;
	}
	/* Word reads where possible: device registers such as the PLIC's are 32-bit only. */
	unsigned size = (addr % 4 == 0 && len % 4 == 0) ? 4 : 1;
	u8 bytes[16];
	for (u64 line = 0; line < len; line += 16) {
		u64 count = len - line < 16 ? len - line : 16;
		for (u64 i = 0; i < count; i += size) {
			u64 v;
			if (probe_read(addr + line + i, size, &v) < 0) {
				kprintf("peek: no memory or device answers at 0x%lx\n", addr + line + i);
				return;
			}
			for (unsigned b = 0; b < size; b++)
				bytes[i + b] = (u8)(v >> (8 * b));
		}
		kprintf("%08lx:", addr + line);
		for (u64 i = 0; i < 16; i++) {
			if (i < count)
				kprintf(" %02x", bytes[i]);
			else
				kprintf("   ");
		}
		kprintf("  ");
		for (u64 i = 0; i < count; i++)
			console_putc(bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char)bytes[i] : '.');
		console_putc('\n');
	}
}

static void cmd_poke(int argc, char **argv)
{
	u64 addr, value, size = 4;
	if (argc < 3 || parse_number(argv[1], &addr) < 0 || parse_number(argv[2], &value) < 0 ||
	    (argc > 3 && parse_number(argv[3], &size) < 0) ||
	    (size != 1 && size != 2 && size != 4 && size != 8)) {
		kprintf("usage: poke ADDR VALUE [SIZE], SIZE 1, 2, 4 or 8\n");
		return;
	}
	if (addr % size) {
		kprintf("poke: 0x%lx is not aligned to %lu bytes\n", addr, size);
		return;
	}
	if (probe_write(addr, (unsigned)size, value) < 0)
		kprintf("poke: no memory or device answers at 0x%lx\n", addr);
}

static void cmd_run(int argc, char **argv)
{
	int verbose = argc > 2 && strcmp(argv[1], "-v") == 0;
	const char *name = argc > 1 + verbose ? argv[1 + verbose] : 0;
	const struct program *prog = name ? find_program(name) : 0;
	if (!prog) {
		if (name)
			kprintf("run: no program called '%s'. ", name);
		kprintf("Programs:");
		for (unsigned i = 0; i < program_count; i++)
			kprintf(" %s", programs[i].name);
		kprintf("\n");
		return;
	}
	int code = run_program(prog, verbose);
	if (code > 0)
		kprintf("[kernel] %s exited with code %d\n", prog->name, code);
}

static void execute(int argc, char **argv)
{
	const char *cmd = argv[0];
	if (strcmp(cmd, "help") == 0) {
		cmd_help();
	} else if (strcmp(cmd, "echo") == 0) {
		for (int i = 1; i < argc; i++)
			kprintf(i > 1 ? " %s" : "%s", argv[i]);
		kprintf("\n");
	} else if (strcmp(cmd, "uptime") == 0) {
		cmd_uptime();
	} else if (strcmp(cmd, "mem") == 0) {
		mem_report();
	} else if (strcmp(cmd, "peek") == 0) {
		cmd_peek(argc, argv);
	} else if (strcmp(cmd, "poke") == 0) {
		cmd_poke(argc, argv);
	} else if (strcmp(cmd, "clear") == 0) {
		kprintf("\x1b[2J\x1b[H");
	} else if (strcmp(cmd, "run") == 0) {
		cmd_run(argc, argv);
	} else if (strcmp(cmd, "poweroff") == 0) {
		kprintf("Powering off.\n");
		power_off();
	} else if (strcmp(cmd, "reboot") == 0) {
		kprintf("Rebooting.\n");
		reboot();
	} else {
		kprintf("%s: unknown command (try 'help')\n", cmd);
	}
}

NORETURN void shell_run(void)
{
	char line[LINE_MAX];
	char *argv[ARGS_MAX];
	for (;;) {
		kprintf(PROMPT);
		read_line(line);
		int argc = split(line, argv);
		if (argc > 0)
			execute(argc, argv);
	}
}
