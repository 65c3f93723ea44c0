/* The benchmark's four CPU-bound workloads: linked lists, matrix multiply, a lexer, CRC-32. */
#include "workloads.h"

static u32 lcg_state;

static u32 lcg(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return lcg_state;
}

/* Linked lists: build, merge sort, checksum in order, reverse; pointer chasing and branches. */

#define NODES 2048

struct node {
	struct node *next;
	u32 key;
};

static struct node pool[NODES];

static struct node *merge(struct node *a, struct node *b)
{
	struct node head, *tail = &head;
	while (a && b) {
		if (a->key <= b->key) {
			tail->next = a;
			a = a->next;
		} else {
			tail->next = b;
			b = b->next;
		}
		tail = tail->next;
	}
	tail->next = a ? a : b;
	return head.next;
}

static struct node *merge_sort(struct node *list)
{
	if (!list || !list->next)
		return list;
	struct node *slow = list, *fast = list->next;
	while (fast && fast->next) {
		slow = slow->next;
		fast = fast->next->next;
	}
	struct node *second = slow->next;
	slow->next = 0;
	return merge(merge_sort(list), merge_sort(second));
}

u64 bench_lists(unsigned rounds)
{
	u64 sum = 0;
	lcg_state = 1;
	for (unsigned r = 0; r < rounds; r++) {
		struct node *list = 0;
		for (int i = 0; i < NODES; i++) {
			pool[i].key = lcg() >> 12;
			pool[i].next = list;
			list = &pool[i];
		}
		list = merge_sort(list);
		u64 position = 1;
		struct node *reversed = 0;
		while (list) {
			struct node *next = list->next;
			sum += list->key * position++;
			list->next = reversed;
			reversed = list;
			list = next;
		}
		sum ^= reversed->key;
	}
	return sum;
}

/* Matrix multiply: 48x48 integers, each product feeding the next round. */

#define N 48

static int ma[N][N], mb[N][N], mc[N][N];

u64 bench_matrix(unsigned rounds)
{
	lcg_state = 2;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			ma[i][j] = (int)(lcg() >> 24) - 128;
			mb[i][j] = (int)(lcg() >> 24) - 128;
		}
	u64 sum = 0;
	for (unsigned r = 0; r < rounds; r++) {
		for (int i = 0; i < N; i++)
			for (int j = 0; j < N; j++) {
				int acc = 0;
				for (int k = 0; k < N; k++)
					acc += ma[i][k] * mb[k][j];
				mc[i][j] = acc;
			}
		for (int i = 0; i < N; i++)
			for (int j = 0; j < N; j++) {
				sum = sum * 31 + (u32)mc[i][j];
				ma[i][j] = (mc[i][j] >> 8) % 256;
			}
	}
	return sum;
}

/* State machine: a lexer over generated text (identifiers, numbers, strings, comments). */

#define TEXT 8192

static char text[TEXT];

enum lex_state { SPACE, IDENT, NUMBER, STRING, COMMENT };

u64 bench_state_machine(unsigned rounds)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789     \n\"#_+-*/(){};=";
	lcg_state = 3;
	for (int i = 0; i < TEXT; i++)
		text[i] = alphabet[(lcg() >> 16) % (sizeof alphabet - 1)];
	u64 counts[5] = { 0, 0, 0, 0, 0 };
	u64 sum = 0;
	for (unsigned r = 0; r < rounds; r++) {
		enum lex_state state = SPACE;
		u32 hash = r;
		for (int i = 0; i < TEXT; i++) {
			char c = text[i];
			int letter = (c >= 'a' && c <= 'z') || c == '_';
			int digit = c >= '0' && c <= '9';
			switch (state) {
			case SPACE:
				if (letter)
					state = IDENT;
				else if (digit)
					state = NUMBER;
				else if (c == '"')
					state = STRING;
				else if (c == '#')
					state = COMMENT;
				else if (c != ' ' && c != '\n')
					counts[SPACE]++; /* punctuation token */
				break;
			case IDENT:
				if (!letter && !digit) {
					counts[IDENT]++;
					state = SPACE;
					i--; /* look at this character again in SPACE */
				}
				break;
			case NUMBER:
				if (!digit) {
					counts[NUMBER]++;
					state = SPACE;
					i--;
				}
				break;
			case STRING:
				if (c == '"') {
					counts[STRING]++;
					state = SPACE;
				}
				break;
			case COMMENT:
				if (c == '\n') {
					counts[COMMENT]++;
					state = SPACE;
				}
				break;
			}
			hash = (hash ^ (u32)c ^ (u32)state) * 16777619u;
		}
		sum += hash;
		text[r % TEXT] = alphabet[hash % (sizeof alphabet - 1)];
	}
	for (int s = 0; s < 5; s++)
		sum = sum * 1000003 + counts[s];
	return sum;
}

/* CRC-32 (the reflected 0xEDB88320 polynomial), bit by bit over a buffer that keeps changing. */

#define CRC_BYTES 4096

static unsigned char buffer[CRC_BYTES];

u64 bench_crc(unsigned rounds)
{
	lcg_state = 4;
	for (int i = 0; i < CRC_BYTES; i++)
		buffer[i] = (unsigned char)(lcg() >> 24);
	u64 sum = 0;
	for (unsigned r = 0; r < rounds; r++) {
		u32 crc = 0xffffffffu;
		for (int i = 0; i < CRC_BYTES; i++) {
			crc ^= buffer[i];
			for (int b = 0; b < 8; b++)
				crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
		}
		crc = ~crc;
		sum = (sum << 7 | sum >> 57) ^ crc;
		buffer[r % CRC_BYTES] ^= (unsigned char)crc;
	}
	return sum;
}
