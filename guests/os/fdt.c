/* Reads the RAM range from the device tree the firmware passed in a1 (falls back to 128 MiB). */
#include "kernel.h"

#define FDT_MAGIC 0xd00dfeedU
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static u32 be32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}

static u64 read_cells(const u8 *p, u32 cells)
{
	u64 v = 0;
	for (u32 i = 0; i < cells; i++)
		v = (v << 32) | be32(p + 4 * i);
	return v;
}

void fdt_read_memory(u64 dtb, struct ram_info *out)
{
	out->base = RAM_BASE;
	out->size = RAM_DEFAULT_SIZE;
	out->dtb = dtb;
	out->dtb_size = 0;
	out->from_dtb = 0;
	if (dtb < RAM_BASE || (dtb & 3))
		return;
	const u8 *h = (const u8 *)dtb;
	if (be32(h) != FDT_MAGIC)
		return;
	u32 total = be32(h + 4);
	const u8 *structs = h + be32(h + 8);
	const char *strings = (const char *)h + be32(h + 12);
	u32 struct_size = be32(h + 36);
	out->dtb_size = total;

	u32 address_cells = 2, size_cells = 2;
	int depth = 0, in_memory = 0;
	const u8 *p = structs, *end = structs + struct_size;
	while (p < end) {
		u32 token = be32(p);
		p += 4;
		if (token == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			unsigned long n = strlen(name);
			depth++;
			in_memory = depth == 2 && strncmp(name, "memory", 6) == 0 &&
				    (name[6] == '@' || name[6] == '\0');
			p += (n + 1 + 3) & ~3UL;
		} else if (token == FDT_END_NODE) {
			depth--;
			in_memory = 0;
		} else if (token == FDT_PROP) {
			u32 len = be32(p);
			const char *name = strings + be32(p + 4);
			const u8 *value = p + 8;
			if (depth == 1 && strcmp(name, "#address-cells") == 0)
				address_cells = be32(value);
			else if (depth == 1 && strcmp(name, "#size-cells") == 0)
				size_cells = be32(value);
			else if (in_memory && strcmp(name, "reg") == 0 &&
				 len >= 4 * (address_cells + size_cells)) {
				out->base = read_cells(value, address_cells);
				out->size = read_cells(value + 4 * address_cells, size_cells);
				out->from_dtb = 1;
				return;
			}
			p += 8 + ((len + 3) & ~3U);
		} else if (token == FDT_NOP) {
			continue;
		} else {
			break;
		}
	}
}
