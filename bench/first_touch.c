/*
 * bench/first_touch.c — what fresh memory costs on this machine: map N MiB
 * of anonymous memory, write one byte a page (the kernel finds and zeroes
 * each page: the first touch), then write all of it again (already there).
 * tcplens's flow state is such memory: 200,000 concurrent flows are ~230 MB
 * touched once each, a cost the floor (bench/floor.c) never pays. Best of
 * `runs` (default 5), each a fresh mapping.
 *
 *   cc -O2 -o /tmp/first_touch bench/first_touch.c && /tmp/first_touch 230
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 230;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	size_t n = mib << 20, pages = n / 4096;
	double best_first = 1e9, best_again = 1e9, worst_first = 0;
	for (int r = 0; r < runs; r++) {
		char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		double t0 = now_s();
		for (size_t i = 0; i < n; i += 4096)
			p[i] = 1;
		double t1 = now_s();
		memset(p, 2, n);
		double t2 = now_s();
		if (t1 - t0 < best_first)
			best_first = t1 - t0;
		if (t1 - t0 > worst_first)
			worst_first = t1 - t0;
		if (t2 - t1 < best_again)
			best_again = t2 - t1;
		munmap(p, n);
	}
	printf("%zu MiB, %zu pages: first touch %.3f s best, %.3f s worst (%.2f-%.2f us a page); "
	       "writing it all again %.3f s\n",
	       mib, pages, best_first, worst_first, best_first / (double)pages * 1e6,
	       worst_first / (double)pages * 1e6, best_again);
	return 0;
}
