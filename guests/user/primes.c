/* primes: a sieve of Eratosthenes below 10000; prints the small primes and the counts per decade. */
#include "ulib.h"

#define LIMIT 10000

static u8 composite[LIMIT];

int main(void)
{
	printf("primes: sieve of Eratosthenes below %d\n", LIMIT);
	for (int i = 2; i * i < LIMIT; i++)
		if (!composite[i])
			for (int j = i * i; j < LIMIT; j += i)
				composite[j] = 1;

	int count = 0, largest = 0, column = 0;
	for (int n = 2; n < LIMIT; n++) {
		if (composite[n])
			continue;
		count++;
		largest = n;
		if (n < 300) {
			printf("%5d", n);
			if (++column == 10) {
				printf("\n");
				column = 0;
			}
		}
	}
	if (column)
		printf("\n");
	for (int limit = 10; limit <= LIMIT; limit *= 10) {
		int below = 0;
		for (int n = 2; n < limit; n++)
			below += !composite[n];
		printf("primes: %4d below %d\n", below, limit);
	}
	printf("primes: %d primes below %d, the largest is %d\n", count, LIMIT, largest);
	return 0;
}
