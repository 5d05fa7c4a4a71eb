/*
 * THP policy fixture: VMAs that probe each rule of THP eligibility, placed inside one 2 MiB
 * aligned PROT_NONE arena so that alignment is known. Prints "region NAME 0xSTART 0xEND" for each
 * and "ready", then waits for stdin to close. Nothing is touched: eligibility is a VMA property.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096UL
#define HPAGE (2UL << 20)

static char *arena;

static char *at(unsigned long off, unsigned long len, int flags, int advice, const char *name)
{
	char *p = mmap(arena + off, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	if (advice >= 0 && madvise(p, len, advice)) {
		perror("madvise");
		exit(2);
	}
	printf("region %s 0x%lx 0x%lx\n", name, (unsigned long)p, (unsigned long)p + len);
	return p;
}

int main(void)
{
	char *raw = mmap(NULL, 32 * HPAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED) {
		perror("mmap arena");
		return 2;
	}
	arena = (char *)(((unsigned long)raw + HPAGE - 1) & ~(HPAGE - 1));
	int anon = MAP_PRIVATE | MAP_ANONYMOUS;
	/* Each VMA is followed by a PROT_NONE gap so that none merges with another. */
	at(0 * HPAGE, HPAGE, anon, MADV_HUGEPAGE, "hg.aligned");
	at(2 * HPAGE + PAGE, HPAGE, anon, MADV_HUGEPAGE, "hg.unaligned");
	at(4 * HPAGE + PAGE, 3 * HPAGE, anon, MADV_HUGEPAGE, "hg.holds-aligned-block");
	at(8 * HPAGE, 4 * HPAGE, anon, -1, "plain");
	at(13 * HPAGE, 2 * HPAGE, anon, MADV_NOHUGEPAGE, "nh");
	at(16 * HPAGE, 64 * PAGE, anon, MADV_HUGEPAGE, "hg.small");
	at(18 * HPAGE, 2 * HPAGE, MAP_SHARED | MAP_ANONYMOUS, MADV_HUGEPAGE, "shmem.hg");
	at(21 * HPAGE, 2 * HPAGE, MAP_SHARED | MAP_ANONYMOUS, -1, "shmem");
	printf("ready\n");
	fflush(stdout);
	char c;
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
