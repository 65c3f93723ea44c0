/*
 * buggy: a leaderboard with a planted bug. find_player() answers "not found" with the table
 * size instead of -1, so set_bonus() stores one slot past board.bonus[] and overwrites
 * board.leader, which announce_leader() later dereferences: a load page fault.
 */
#include "ulib.h"

#define PLAYERS 8

struct player {
	const char *name;
	int scores[4];
};

struct bonus {
	const char *name;
	u64 points;
};

struct board {
	u64 bonus[PLAYERS];
	const struct player *leader; /* right after bonus[]: the victim of the overflow */
};

static const struct player players[PLAYERS] = {
	{ "ada", { 31, 17, 25, 40 } }, { "bob", { 12, 44, 9, 28 } },
	{ "cy", { 22, 23, 24, 25 } },  { "dee", { 50, 3, 11, 19 } },
	{ "eve", { 29, 31, 37, 41 } }, { "fay", { 8, 60, 15, 2 } },
	{ "gus", { 33, 33, 1, 30 } },  { "hal", { 18, 27, 26, 35 } },
};

/* Not const: the bonuses are data, so the compiler cannot fold the lookups away. */
static struct bonus bonuses[] = {
	{ "bob", 40 },
	{ "fay", 25 },
	{ "zed", 1337 }, /* zed never played: this one triggers the bug */
};

struct board board;

static u64 total(int i)
{
	u64 sum = board.bonus[i];
	for (int r = 0; r < 4; r++)
		sum += (u64)players[i].scores[r];
	return sum;
}

static void elect_leader(void)
{
	int best = 0;
	for (int i = 1; i < PLAYERS; i++)
		if (total(i) > total(best))
			best = i;
	board.leader = &players[best];
}

/* The bug: "not found" returns PLAYERS instead of -1. */
__attribute__((noinline)) int find_player(const char *name)
{
	int i = 0;
	while (i < PLAYERS && strcmp(players[i].name, name) != 0)
		i++;
	return i;
}

/* The culprit store: with slot == PLAYERS it writes board.leader. */
__attribute__((noinline)) void set_bonus(u64 *bonus, int slot, u64 points)
{
	bonus[slot] = points;
}

__attribute__((noinline)) void announce_leader(void)
{
	const struct player *p = board.leader;
	const char *name = p->name; /* with the corrupted pointer, the fault is here */
	__asm__ volatile("" ::: "memory"); /* keep that load first */
	int points = p->scores[0] + p->scores[1] + p->scores[2] + p->scores[3];
	printf("buggy: the leader is %s with %d points before bonuses\n", name, points);
}

int main(void)
{
	printf("buggy: scoring %d players\n", PLAYERS);
	elect_leader();
	announce_leader();
	for (unsigned b = 0; b < sizeof bonuses / sizeof bonuses[0]; b++) {
		int slot = find_player(bonuses[b].name);
		printf("buggy: bonus of %lu for %s (slot %d)\n", bonuses[b].points, bonuses[b].name,
		       slot);
		set_bonus(board.bonus, slot, bonuses[b].points);
	}
	printf("buggy: bonuses applied, announcing the leader again\n");
	announce_leader();
	elect_leader();
	printf("buggy: this line is never reached\n");
	return 0;
}
