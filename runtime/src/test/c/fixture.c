/*
 * pagewalk test fixture: builds a known address space, reports where each part is, then holds
 * still until its standard input closes.
 *
 * Usage: fixture WORD...   (no word = every part; "all" = every part too)
 *
 * Words (each selects one part; the part lives at a fixed offset inside one 2 MiB-aligned
 * PROT_NONE arena, so parts never merge into each other's VMAs and unselected parts leave
 * PROT_NONE reservation behind):
 *   anon[=N]    N private anon pages (default 16), all written             -> present, exclusive
 *   zero        8 private anon pages: 0-3 read only (shared zero page), 4-7 untouched;
 *               "note zeropage yes|no" says whether the kernel really mapped the zero page
 *               (kernels booted with pvm_no_zero_page=1 allocate a private page instead)
 *   thp         2 MiB MADV_HUGEPAGE region, 2 MiB aligned, written fully     -> one PMD THP
 *   thpsplit    like thp, then the region gets MADV_NOHUGEPAGE (so khugepaged never collapses
 *               it back) and page 7 is MADV_DONTNEED'ed (splits the PMD into PTEs)
 *   fileprivate MAP_PRIVATE over a 32-page temp file: pages 0-3 read, 4-7 written (COW),
 *               16-31 untouched (8-15 may be mapped by fault-around: they are in page cache)
 *   fileshared  MAP_SHARED over a second such file, same pattern (written pages dirty page cache)
 *   shmem       16 pages MAP_SHARED|MAP_ANONYMOUS, all written
 *   fork        8 private anon pages written, then fork(): a child keeps running and shares
 *               them copy-on-write (kpagecount 2, pagemap bit 56 clear). Done before every
 *               other part so that no other part is shared with the child.
 *   mlock       8 pages, written and mlock()ed
 *   guard       8 pages: 0-1 written, 2-3 guard region (MADV_GUARD_INSTALL), 4-7 untouched
 *   protnone    4 pages written, then mprotect(PROT_NONE) (the PTEs stay present)
 *   free        8 pages written, then MADV_FREE (lazy free: stay mapped until reclaim)
 *   pageout     8 pages written, then MADV_PAGEOUT (anon; there is no swap on the test machine)
 *
 * Report on stdout, one item per line, all numbers hex with 0x except counts:
 *   pid <decimal>
 *   child <decimal>                       (only with "fork")
 *   region <name> 0x<start> 0x<end>       (end exclusive; sub-ranges are named part.sub)
 *   note <name> <free text>               (what happened, e.g. madvise results; always
 *                                          "note thp-enabled <always|madvise|never>")
 *   ready                                 (last line; nothing more is written)
 * Region names: arena, anon, zero, zero.read, zero.untouched, thp, thpsplit, thpsplit.hole,
 * fileprivate, fileprivate.read, fileprivate.written,
 * fileprivate.untouched, fileshared (+ same subs), shmem, fork, mlock, guard, guard.written,
 * guard.markers, guard.untouched, protnone, free, pageout.
 *
 * How it holds still: after the report it blocks in read(0) and touches no memory, so no
 * further faults happen. khugepaged collapses only in VM_HUGEPAGE VMAs when THP "enabled" is
 * madvise (as on the test machine): every small-page part is MADV_NOHUGEPAGE, the thp part is
 * already fully PMD-mapped, and thpsplit is made MADV_NOHUGEPAGE before the split. All written
 * data is non-zero so the THP "underused" shrinker has no zero-filled subpages to drop. Pages
 * can sit in a per-CPU LRU batch for a while (KPF_LRU unset, UNEVICTABLE not yet set after
 * mlock, SWAPBACKED not yet cleared after MADV_FREE); before "ready" the fixture drains the
 * batches of every CPU it may run on (drain_lru_batches), but other processes' activity can
 * still age pages (ACTIVE, REFERENCED): tests must not insist on those bits. Memory compaction could in principle migrate a page (new PFN)
 * while the fixture waits; with tens of MiB on an idle machine this has not been seen.
 *
 * Each file part has its own temp file (so a page-cache page is mapped only once), unlinked
 * before it is mapped (nothing is left behind on SIGKILL): the mappings are named
 * "<path> (deleted)". The shmem part is named "/dev/zero (deleted)" by the kernel. The fork child gets PR_SET_PDEATHSIG(SIGKILL) so
 * it dies with the fixture. The fixture itself exits when its stdin reaches EOF.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* 6.13+; glibc headers of Debian 12 predate it */
#endif

#define PAGE 4096UL
#define HPAGE (2UL << 20)

/* Fixed offsets inside the arena. THP parts need 2 MiB alignment; small parts are spaced so
 * that at least one PROT_NONE page separates any two of them. */
#define OFF_THP        (0 * HPAGE)
#define OFF_THPSPLIT   (2 * HPAGE)
#define OFF_ANON       (4 * HPAGE)             /* up to 256 pages */
#define OFF_ZERO       (OFF_ANON + 260 * PAGE)
#define OFF_FILEPRIV   (OFF_ZERO + 12 * PAGE)
#define OFF_FILESHARED (OFF_FILEPRIV + 36 * PAGE)
#define OFF_SHMEM      (OFF_FILESHARED + 36 * PAGE)
#define OFF_FORK       (OFF_SHMEM + 20 * PAGE)
#define OFF_MLOCK      (OFF_FORK + 12 * PAGE)
#define OFF_GUARD      (OFF_MLOCK + 12 * PAGE)
#define OFF_PROTNONE   (OFF_GUARD + 12 * PAGE)
#define OFF_FREE       (OFF_PROTNONE + 8 * PAGE)
#define OFF_PAGEOUT    (OFF_FREE + 12 * PAGE)
#define ARENA_SIZE     (OFF_PAGEOUT + 12 * PAGE)
#define FILE_PAGES     32

static char *arena;

static void die(const char *what)
{
	fprintf(stderr, "fixture: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void region(const char *name, void *start, unsigned long len)
{
	printf("region %s 0x%lx 0x%lx\n", name, (unsigned long)start, (unsigned long)start + len);
}

/* Replace [off, off+len) of the arena with a fresh mapping. */
static char *map_at(unsigned long off, unsigned long len, int prot, int flags, int fd)
{
	void *p = mmap(arena + off, len, prot, flags | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static char *anon_at(unsigned long off, unsigned long len, int advice)
{
	char *p = map_at(off, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	if (madvise(p, len, advice))
		die("madvise");
	return p;
}

/* Non-zero data, different on every page. */
static void fill(char *p, unsigned long len, int tag)
{
	for (unsigned long i = 0; i < len; i += PAGE)
		memset(p + i, 0x40 + ((tag + i / PAGE) & 0x3f), PAGE);
}

static volatile char sink;

static void read_pages(char *p, unsigned long len)
{
	for (unsigned long i = 0; i < len; i += PAGE)
		sink += p[i];
}

static int has(int argc, char **argv, const char *word, const char **value)
{
	size_t n = strlen(word);
	if (argc <= 1)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "all"))
			return 1;
		if (!strncmp(argv[i], word, n) && (argv[i][n] == 0 || argv[i][n] == '=')) {
			if (value && argv[i][n] == '=')
				*value = argv[i] + n + 1;
			return 1;
		}
	}
	return 0;
}

/* Counts present pages of [p, p+len) in our own pagemap, for the notes. */
static int present_pages(char *p, unsigned long len)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	int n = 0;
	if (fd < 0)
		return -1;
	for (unsigned long i = 0; i < len; i += PAGE) {
		uint64_t e;
		if (pread(fd, &e, 8, ((unsigned long)p + i) / PAGE * 8) != 8)
			n = -1000;
		if (e >> 63)
			n++;
	}
	close(fd);
	return n;
}

/*
 * Whether read faults on [p, p+len) mapped the shared zero page: every page present, not
 * exclusive, all on one PFN. Some kernels are booted without it (pvm_no_zero_page=1 on some
 * virtual machines): there a read fault allocates a private zeroed page.
 */
static int maps_zero_page(char *p, unsigned long len)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t first = 0;
	int yes = 1;
	if (fd < 0)
		return -1;
	for (unsigned long i = 0; i < len; i += PAGE) {
		uint64_t e = 0;
		if (pread(fd, &e, 8, ((unsigned long)p + i) / PAGE * 8) != 8)
			yes = 0;
		if (i == 0)
			first = e;
		if (!(e >> 63) || (e >> 56 & 1) || (e & ((1UL << 55) - 1)) != (first & ((1UL << 55) - 1)))
			yes = 0;
	}
	close(fd);
	return yes;
}

static void file_part(const char *name, char *p, int written_tag)
{
	char sub[64];
	read_pages(p, 4 * PAGE);
	fill(p + 4 * PAGE, 4 * PAGE, written_tag);
	region(name, p, FILE_PAGES * PAGE);
	snprintf(sub, sizeof sub, "%s.read", name);
	region(sub, p, 4 * PAGE);
	snprintf(sub, sizeof sub, "%s.written", name);
	region(sub, p + 4 * PAGE, 4 * PAGE);
	snprintf(sub, sizeof sub, "%s.untouched", name);
	region(sub, p + 16 * PAGE, 16 * PAGE);
}

/* A FILE_PAGES-page temp file, filled through write() (so it is all in page cache) and
 * already unlinked. Each file part has its own file, so page-cache pages are mapped once. */
static int temp_file(const char *part)
{
	char path[] = "/tmp/pagewalk-fixture-XXXXXX";
	char page[PAGE];
	int fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp");
	for (int i = 0; i < FILE_PAGES; i++) {
		memset(page, 'a' + (i % 26), PAGE);
		if (write(fd, page, PAGE) != (ssize_t)PAGE)
			die("write temp file");
	}
	unlink(path);
	printf("note %s path=%s\n", part, path);
	return fd;
}

/* The THP mode in brackets of /sys/kernel/mm/transparent_hugepage/enabled ("madvise" on the
 * test machine: only MADV_HUGEPAGE regions get THPs, and only they are scanned by khugepaged). */
static void thp_mode_note(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (f) {
		if (!fgets(buf, sizeof buf, f))
			buf[0] = 0;
		fclose(f);
	}
	char *open = strchr(buf, '['), *close = open ? strchr(open, ']') : NULL;
	if (open && close) {
		*close = 0;
		printf("note thp-enabled %s\n", open + 1);
	} else {
		printf("note thp-enabled unknown\n");
	}
}

/*
 * Empties the per-CPU LRU batches of every CPU we may run on, so that page flags set when a
 * batch drains (LRU, UNEVICTABLE after mlock, SWAPBACKED cleared after MADV_FREE) are settled
 * before "ready" instead of whenever some later event drains them. MADV_COLD starts with
 * lru_add_drain() of the calling CPU; on the arena's last page (always PROT_NONE, never
 * populated) it has nothing else to do. The original CPU affinity is restored.
 */
static void drain_lru_batches(void)
{
	cpu_set_t allowed, one;
	char *unpopulated = arena + ARENA_SIZE - PAGE;
	if (sched_getaffinity(0, sizeof allowed, &allowed))
		return;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof one, &one) == 0)
			madvise(unpopulated, PAGE, MADV_COLD);
	}
	sched_setaffinity(0, sizeof allowed, &allowed);
}

int main(int argc, char **argv)
{
	const char *anon_n = NULL;
	char *raw;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16); /* one write at the end, never a partial report */

	/* Reserve the arena, 2 MiB aligned. NORESERVE PROT_NONE costs nothing. */
	raw = mmap(NULL, ARENA_SIZE + HPAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		die("mmap arena");
	arena = (char *)(((unsigned long)raw + HPAGE - 1) & ~(HPAGE - 1));

	printf("pid %d\n", getpid());
	region("arena", arena, ARENA_SIZE);
	thp_mode_note();

	/* fork first: everything mapped later is private to the parent. */
	if (has(argc, argv, "fork", NULL)) {
		char *p = anon_at(OFF_FORK, 8 * PAGE, MADV_NOHUGEPAGE);
		pid_t parent = getpid();
		fflush(stdout); /* the child must not inherit unwritten report lines */
		fill(p, 8 * PAGE, 7);
		pid_t child = fork();
		if (child < 0)
			die("fork");
		if (child == 0) {
			int devnull = open("/dev/null", O_RDWR);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent) /* parent died before prctl took effect */
				_exit(0);
			dup2(devnull, 0);
			dup2(devnull, 1);
			for (;;)
				pause(); /* touches nothing: the shared pages stay shared */
		}
		printf("child %d\n", child);
		region("fork", p, 8 * PAGE);
	}

	if (has(argc, argv, "anon", &anon_n)) {
		unsigned long n = anon_n ? strtoul(anon_n, NULL, 0) : 16;
		if (n == 0 || n > 256)
			n = 16;
		char *p = anon_at(OFF_ANON, n * PAGE, MADV_NOHUGEPAGE);
		fill(p, n * PAGE, 1);
		region("anon", p, n * PAGE);
	}

	if (has(argc, argv, "zero", NULL)) {
		char *p = anon_at(OFF_ZERO, 8 * PAGE, MADV_NOHUGEPAGE);
		read_pages(p, 4 * PAGE);
		printf("note zeropage %s\n", maps_zero_page(p, 4 * PAGE) ? "yes" : "no");
		region("zero", p, 8 * PAGE);
		region("zero.read", p, 4 * PAGE);
		region("zero.untouched", p + 4 * PAGE, 4 * PAGE);
	}

	if (has(argc, argv, "thp", NULL)) {
		char *p = anon_at(OFF_THP, HPAGE, MADV_HUGEPAGE);
		fill(p, HPAGE, 2);
		region("thp", p, HPAGE);
		printf("note thp present=%d\n", present_pages(p, HPAGE));
	}

	if (has(argc, argv, "thpsplit", NULL)) {
		char *p = anon_at(OFF_THPSPLIT, HPAGE, MADV_HUGEPAGE);
		fill(p, HPAGE, 3);
		/* No longer VM_HUGEPAGE before the split (the THP stays PMD-mapped), so that khugepaged
		 * never sees a split range it may collapse back, even for an instant. */
		if (madvise(p, HPAGE, MADV_NOHUGEPAGE))
			die("madvise thpsplit");
		int rc = madvise(p + 7 * PAGE, PAGE, MADV_DONTNEED);
		printf("note thpsplit dontneed-page7=%d\n", rc);
		region("thpsplit", p, HPAGE);
		region("thpsplit.hole", p + 7 * PAGE, PAGE);
	}

	if (has(argc, argv, "fileprivate", NULL)) {
		int fd = temp_file("fileprivate");
		char *p = map_at(OFF_FILEPRIV, FILE_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
		madvise(p, FILE_PAGES * PAGE, MADV_NOHUGEPAGE);
		close(fd);
		file_part("fileprivate", p, 4);
	}

	if (has(argc, argv, "fileshared", NULL)) {
		int fd = temp_file("fileshared");
		char *p = map_at(OFF_FILESHARED, FILE_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
		madvise(p, FILE_PAGES * PAGE, MADV_NOHUGEPAGE);
		close(fd);
		file_part("fileshared", p, 5);
	}

	if (has(argc, argv, "shmem", NULL)) {
		char *p = map_at(OFF_SHMEM, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
		madvise(p, 16 * PAGE, MADV_NOHUGEPAGE);
		fill(p, 16 * PAGE, 6);
		region("shmem", p, 16 * PAGE);
	}

	if (has(argc, argv, "mlock", NULL)) {
		char *p = anon_at(OFF_MLOCK, 8 * PAGE, MADV_NOHUGEPAGE);
		fill(p, 8 * PAGE, 8);
		printf("note mlock rc=%d\n", mlock(p, 8 * PAGE) ? errno : 0);
		region("mlock", p, 8 * PAGE);
	}

	if (has(argc, argv, "guard", NULL)) {
		char *p = anon_at(OFF_GUARD, 8 * PAGE, MADV_NOHUGEPAGE);
		fill(p, 2 * PAGE, 9);
		int rc = madvise(p + 2 * PAGE, 2 * PAGE, MADV_GUARD_INSTALL);
		printf("note guard install=%d\n", rc ? errno : 0);
		region("guard", p, 8 * PAGE);
		region("guard.written", p, 2 * PAGE);
		region("guard.markers", p + 2 * PAGE, 2 * PAGE);
		region("guard.untouched", p + 4 * PAGE, 4 * PAGE);
	}

	if (has(argc, argv, "protnone", NULL)) {
		char *p = anon_at(OFF_PROTNONE, 4 * PAGE, MADV_NOHUGEPAGE);
		fill(p, 4 * PAGE, 10);
		if (mprotect(p, 4 * PAGE, PROT_NONE))
			die("mprotect");
		region("protnone", p, 4 * PAGE);
	}

	if (has(argc, argv, "free", NULL)) {
		char *p = anon_at(OFF_FREE, 8 * PAGE, MADV_NOHUGEPAGE);
		fill(p, 8 * PAGE, 11);
		int rc = madvise(p, 8 * PAGE, MADV_FREE);
		printf("note free rc=%d present=%d\n", rc ? errno : 0, present_pages(p, 8 * PAGE));
		region("free", p, 8 * PAGE);
	}

	if (has(argc, argv, "pageout", NULL)) {
		char *p = anon_at(OFF_PAGEOUT, 8 * PAGE, MADV_NOHUGEPAGE);
		fill(p, 8 * PAGE, 12);
		int rc = madvise(p, 8 * PAGE, MADV_PAGEOUT);
		printf("note pageout rc=%d present=%d\n", rc ? errno : 0, present_pages(p, 8 * PAGE));
		region("pageout", p, 8 * PAGE);
	}

	drain_lru_batches();
	printf("ready\n");
	fflush(stdout);

	/* Hold still until the test closes our stdin (or kills us). */
	char buf[64];
	while (read(0, buf, sizeof buf) > 0)
		;
	return 0;
}
