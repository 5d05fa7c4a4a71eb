/*
 * pagewalk builder scenario program: runs the memory system calls named on its command line, so
 * that a test can run the same calls through SyntheticProcess and compare the two address spaces.
 * Owned by the synthetic-builder tests (see BuilderScenarioTest); fixture.c is a different program.
 *
 * Usage: ops ARENA_BYTES OP...
 *
 * The program first re-executes itself with ADDR_NO_RANDOMIZE, so mmap_base is the kernel's
 * fixed one ("randomized 0"; 1 if that was refused), prints every VMA it has ("vma 0xSTART
 * 0xEND"), then reserves a PROT_NONE
 * MAP_NORESERVE arena of ARENA_BYTES + 2 MiB with mmap(NULL) ("raw 0xADDR") and uses its first
 * 2 MiB-aligned address as the base of every offset ("arena 0xSTART 0xEND").
 *
 * OPs, numbers in C syntax (0x.. allowed), fields separated by commas:
 *   file,PAGES            a temp file of PAGES pages written with write(), unlinked ("file N PATH");
 *                         files are numbered from 0 in order; opened O_RDWR
 *   rofile,N              reopen file N read-only as a new file number (same inode)
 *   map,OFF,LEN,PROT,FLAGS[,FILE,FOFF]   mmap(arena+OFF, ...) with FLAGS as given (add MAP_FIXED yourself)
 *   mapany,LEN,PROT,FLAGS[,FILE,FOFF]    mmap(NULL, ...)
 *   touch,OFF,LEN,r|w     read or write (non-zero data) every page
 *   madvise,OFF,LEN,ADVICE / mprotect,OFF,LEN,PROT / munmap,OFF,LEN / mlock,OFF,LEN / munlock,OFF,LEN
 *   fork                  fork(); the child waits while the parent runs the rest of its ops
 *   c:OP                  run OP in the fork child instead (after the parent is done)
 * Each op reports "op INDEX 0xRESULT ERRNO" (RESULT is the return value, the address for maps,
 * ERRNO 0 on success), child ops "cop ...". A read or write that faults reports "op INDEX
 * 0xffffffffffffffff 14". Then "ready"; the program holds still until stdin closes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <unistd.h>

#define PAGE 4096UL
#define HPAGE (2UL << 20)

static char *arena;
static int fds[16];
static int nfiles;
static sigjmp_buf fault_jmp;
static volatile char sink;
static char outbuf[1 << 16];

static void on_fault(int sig)
{
	(void)sig;
	siglongjmp(fault_jmp, 1);
}

static unsigned long num(const char *s)
{
	return strtoul(s, NULL, 0);
}

static int split(char *s, char **f, int max)
{
	int n = 0;
	for (char *t = strtok(s, ","); t && n < max; t = strtok(NULL, ","))
		f[n++] = t;
	return n;
}

static void temp_file(unsigned long pages)
{
	char path[] = "/tmp/pagewalk-ops-XXXXXX";
	static char page[PAGE];
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		exit(2);
	}
	for (unsigned long i = 0; i < pages; i++) {
		memset(page, 'a' + (i % 26), PAGE);
		if (write(fd, page, PAGE) != (ssize_t)PAGE)
			exit(2);
	}
	unlink(path);
	printf("file %d %s\n", nfiles, path);
	fds[nfiles++] = fd;
}

/* Runs one op; returns its result and sets *err. */
static long run(char *op, int *err)
{
	char *f[8];
	int n = split(op, f, 8);
	long rc = 0;
	errno = 0;
	if (!strcmp(f[0], "file")) {
		temp_file(num(f[1]));
	} else if (!strcmp(f[0], "rofile")) {
		char proc[64];
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", fds[num(f[1])]);
		fds[nfiles] = open(proc, O_RDONLY);
		printf("file %d (read-only %lu)\n", nfiles, num(f[1]));
		nfiles++;
	} else if (!strcmp(f[0], "map") || !strcmp(f[0], "mapany")) {
		int any = !strcmp(f[0], "mapany");
		int k = any ? 1 : 2;
		int fd = n > k + 3 ? fds[num(f[k + 3])] : -1;
		off_t off = n > k + 4 ? (off_t)num(f[k + 4]) : 0;
		void *p = mmap(any ? NULL : arena + num(f[1]), num(f[k]), (int)num(f[k + 1]), (int)num(f[k + 2]), fd, off);
		rc = (long)p;
	} else if (!strcmp(f[0], "touch")) {
		char *p = arena + num(f[1]);
		unsigned long len = num(f[2]);
		int w = f[3][0] == 'w';
		if (sigsetjmp(fault_jmp, 1)) {
			errno = EFAULT;
			rc = -1;
		} else {
			for (unsigned long i = 0; i < len; i += PAGE) {
				if (w)
					p[i] = 0x41 + (i / PAGE) % 50;
				else
					sink += p[i];
			}
		}
	} else if (!strcmp(f[0], "madvise")) {
		rc = madvise(arena + num(f[1]), num(f[2]), (int)num(f[3]));
	} else if (!strcmp(f[0], "mprotect")) {
		rc = mprotect(arena + num(f[1]), num(f[2]), (int)num(f[3]));
	} else if (!strcmp(f[0], "munmap")) {
		rc = munmap(arena + num(f[1]), num(f[2]));
	} else if (!strcmp(f[0], "mlock")) {
		rc = mlock(arena + num(f[1]), num(f[2]));
	} else if (!strcmp(f[0], "munlock")) {
		rc = munlock(arena + num(f[1]), num(f[2]));
	} else {
		fprintf(stderr, "ops: unknown op %s\n", f[0]);
		exit(2);
	}
	*err = rc == -1 ? errno : 0;
	return rc;
}

static void print_vmas(void)
{
	static char buf[1 << 16];
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t n, len = 0;
	while ((n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long s, e;
		if (sscanf(line, "%lx-%lx", &s, &e) == 2)
			printf("vma 0x%lx 0x%lx\n", s, e);
	}
}

int main(int argc, char **argv)
{
	int pers = personality(0xffffffff);
	if (pers != -1 && !(pers & ADDR_NO_RANDOMIZE)) {
		personality(pers | ADDR_NO_RANDOMIZE);
		execv("/proc/self/exe", argv);
		/* fall through: run randomized */
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	if (argc < 2) {
		fprintf(stderr, "usage: ops ARENA_BYTES OP...\n");
		return 2;
	}
	struct sigaction sa = {0};
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	printf("pid %d\n", getpid());
	pers = personality(0xffffffff);
	printf("randomized %d\n", pers == -1 || !(pers & ADDR_NO_RANDOMIZE));
	print_vmas();
	unsigned long size = num(argv[1]);
	char *raw = mmap(NULL, size + HPAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED) {
		perror("mmap arena");
		return 2;
	}
	arena = (char *)(((unsigned long)raw + HPAGE - 1) & ~(HPAGE - 1));
	printf("raw 0x%lx\narena 0x%lx 0x%lx\n", (unsigned long)raw, (unsigned long)arena, (unsigned long)arena + size);

	int go[2], done[2];
	pid_t child = 0;
	int forked_at = argc;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "fork")) {
			if (pipe(go) || pipe(done))
				return 2;
			fflush(stdout);
			pid_t parent = getpid();
			child = fork();
			if (child == 0) {
				char c;
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				if (getppid() != parent)
					_exit(0);
				if (read(go[0], &c, 1) != 1)
					_exit(0);
				for (int j = i + 1; j < argc; j++) {
					if (strncmp(argv[j], "c:", 2))
						continue;
					int err;
					char op[256];
					snprintf(op, sizeof op, "%s", argv[j] + 2);
					long rc = run(op, &err);
					printf("cop %d 0x%lx %d\n", j - 2, (unsigned long)rc, err);
				}
				fflush(stdout);
				if (write(done[1], "x", 1) != 1)
					_exit(0);
				int devnull = open("/dev/null", O_RDWR);
				dup2(devnull, 0);
				dup2(devnull, 1);
				for (;;)
					pause();
			}
			printf("child %d\n", child);
			printf("op %d 0x%lx 0\n", i - 2, (unsigned long)child);
			forked_at = i;
			continue;
		}
		if (i > forked_at && !strncmp(argv[i], "c:", 2))
			continue;
		int err;
		char op[256];
		snprintf(op, sizeof op, "%s", argv[i]);
		long rc = run(op, &err);
		printf("op %d 0x%lx %d\n", i - 2, (unsigned long)rc, err);
	}
	if (child > 0) {
		char c;
		fflush(stdout);
		if (write(go[1], "x", 1) != 1 || read(done[0], &c, 1) != 1)
			return 2;
	}
	printf("ready\n");
	fflush(stdout);
	char buf[64];
	while (read(0, buf, sizeof buf) > 0)
		;
	return 0;
}
