/*
 * mincore test target: maps 8 anonymous pages, makes them
 *   [written, read, untouched, guard, untouched, written, (unmapped), untouched]
 * (page 6 unmapped so that page 7 is a VMA of its own behind a gap), asks the kernel for the
 * residency of its own first 6 pages with mincore(2), tries the two error cases (a range across
 * the gap, an unaligned start), prints what it got and waits until stdin closes, so that a test
 * can import it and run the mincore plugin on the same state.
 *
 * Output: "pid N", "region 0xSTART 0xEND" (the 6 pages), "vector 1 1 0 0 0 1",
 * "gap ERRNO", "unaligned ERRNO", "ready".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

static volatile char sink;

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char vec[8];

	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* Keep these pages out of THP and of any merge with a neighbour. */
	madvise(p, 8 * page, MADV_NOHUGEPAGE);
	if (munmap(p + 6 * page, page)) {
		perror("munmap");
		return 1;
	}
	p[0] = 1;
	sink = p[page];
	p[5 * page] = 1;
	if (madvise(p + 3 * page, page, MADV_GUARD_INSTALL)) {
		perror("madvise(MADV_GUARD_INSTALL)");
		return 1;
	}
	if (mincore(p, 6 * page, vec)) {
		perror("mincore");
		return 1;
	}
	printf("pid %d\n", (int)getpid());
	printf("region %p %p\n", (void *)p, (void *)(p + 6 * page));
	printf("vector");
	for (int i = 0; i < 6; i++)
		printf(" %d", vec[i] & 1);
	printf("\n");
	printf("gap %d\n", mincore(p, 8 * page, vec) ? errno : 0);
	printf("unaligned %d\n", mincore(p + 1, page, vec) ? errno : 0);
	printf("ready\n");
	fflush(stdout);
	while (getchar() != EOF)
		;
	return 0;
}
