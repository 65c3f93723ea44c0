/* The benchmark's four CPU-bound workloads; each returns a checksum of what it computed. */
#ifndef BENCH_WORKLOADS_H
#define BENCH_WORKLOADS_H

typedef unsigned int u32;
typedef unsigned long u64;

u64 bench_lists(unsigned rounds);
u64 bench_matrix(unsigned rounds);
u64 bench_state_machine(unsigned rounds);
u64 bench_crc(unsigned rounds);

#endif
