/* mandelbrot: the Mandelbrot set in ASCII, computed in 64-bit fixed point (no FPU needed). */
#include "ulib.h"

#define FRAC 16 /* Q16 fixed point: 1.0 is 65536 */
#define ONE (1L << FRAC)
#define WIDTH 72
#define HEIGHT 28
#define MAX_ITER 64

static const char shades[] = " .:-=+*%#@";

int main(void)
{
	printf("mandelbrot: %dx%d cells, up to %d iterations, Q16 fixed point\n", WIDTH, HEIGHT,
	       MAX_ITER);
	/* The view spans x in [-2.2, 0.8] and y in [-1.2, 1.2]. */
	const i64 x0 = -22 * ONE / 10, x1 = 8 * ONE / 10;
	const i64 y0 = -12 * ONE / 10, y1 = 12 * ONE / 10;
	u64 total_iterations = 0;
	int inside = 0;
	char row[WIDTH + 2];
	for (int py = 0; py < HEIGHT; py++) {
		i64 ci = y0 + (y1 - y0) * py / (HEIGHT - 1);
		for (int px = 0; px < WIDTH; px++) {
			i64 cr = x0 + (x1 - x0) * px / (WIDTH - 1);
			i64 zr = 0, zi = 0;
			int n = 0;
			while (n < MAX_ITER) {
				i64 zr2 = (zr * zr) >> FRAC, zi2 = (zi * zi) >> FRAC;
				if (zr2 + zi2 > 4 * ONE)
					break;
				zi = ((2 * zr * zi) >> FRAC) + ci;
				zr = zr2 - zi2 + cr;
				n++;
			}
			total_iterations += (u64)n;
			if (n == MAX_ITER)
				inside++;
			row[px] = n == MAX_ITER ? '@' : shades[n % (sizeof shades - 2)];
		}
		row[WIDTH] = '\n';
		row[WIDTH + 1] = '\0';
		puts_raw(row);
	}
	printf("mandelbrot: done, %d of %d cells inside, %lu iterations in all\n", inside,
	       WIDTH * HEIGHT, total_iterations);
	return 0;
}
