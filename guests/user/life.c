/* life: Conway's Game of Life on a 48x18 torus, redrawn in place with ANSI escape codes. */
#include "ulib.h"

#define W 48
#define H 18
#define GENERATIONS 60
#define TICKS_PER_FRAME 3

static u8 grid[2][H][W];

static void place(int cur, int x, int y, const char *rows[], int n)
{
	for (int r = 0; r < n; r++)
		for (int c = 0; rows[r][c]; c++)
			if (rows[r][c] == 'O')
				grid[cur][(y + r) % H][(x + c) % W] = 1;
}

static int draw(int cur, int generation)
{
	char line[W + 2];
	int alive = 0;
	printf("\x1b[H");
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			line[x] = grid[cur][y][x] ? 'O' : '.';
			alive += grid[cur][y][x];
		}
		line[W] = '\n';
		line[W + 1] = '\0';
		puts_raw(line);
	}
	printf("generation %3d, %3d alive\x1b[K\n", generation, alive);
	return alive;
}

static void step(int cur)
{
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			int n = 0;
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++)
					if (dx || dy)
						n += grid[cur][(y + dy + H) % H][(x + dx + W) % W];
			u8 alive = grid[cur][y][x];
			grid[!cur][y][x] = (u8)(n == 3 || (alive && n == 2));
		}
	}
}

int main(void)
{
	static const char *glider[] = { ".O.", "..O", "OOO" };
	static const char *r_pentomino[] = { ".OO", "OO.", ".O." };
	static const char *blinker[] = { "OOO" };
	static const char *lwss[] = { ".O..O", "O....", "O...O", "OOOO." };
	int cur = 0;
	place(cur, 2, 2, glider, 3);
	place(cur, 30, 8, r_pentomino, 3);
	place(cur, 10, 13, blinker, 1);
	place(cur, 4, 8, lwss, 4);

	printf("\x1b[2J");
	int alive = 0;
	for (int g = 0; g <= GENERATIONS; g++) {
		alive = draw(cur, g);
		if (g == GENERATIONS)
			break;
		step(cur);
		cur = !cur;
		sleep_ticks(TICKS_PER_FRAME);
	}
	printf("life: %d generations on a %dx%d torus, %d cells alive at the end\n", GENERATIONS,
	       W, H, alive);
	return 0;
}
