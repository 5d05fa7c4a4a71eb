/* The demo's target: anonymous memory (heap and mmap, half of it touched), a 2 MiB transparent
 * huge page (where the THP mode allows one), a forked child that shares all of that
 * copy-on-write (Pss halves, Shared_Dirty), a file mapping read through; then it waits for its
 * parent to close stdin. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#define HPAGE (2UL << 20)

int main(void) {
    size_t heap = 8 << 20, anon = 16 << 20;
    char *h = malloc(heap);
    memset(h, 1, heap);
    char *a = mmap(NULL, anon, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED) return 1;
    for (size_t i = 0; i < anon / 2; i += 4096) a[i] = 2;

    /* A 2 MiB-aligned MADV_HUGEPAGE range, written whole: one PMD-mapped THP. */
    char *raw = mmap(NULL, 2 * HPAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return 1;
    char *thp = (char *)(((unsigned long)raw + HPAGE - 1) & ~(HPAGE - 1));
    madvise(thp, HPAGE, MADV_HUGEPAGE);
    memset(thp, 3, HPAGE);

    if (fork() == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        char c;
        while (read(0, &c, 1) > 0) {
        }
        _exit(0);
    }

    int fd = open("/proc/self/exe", O_RDONLY);
    off_t len = lseek(fd, 0, SEEK_END);
    volatile char *f = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    long sum = 0;
    for (off_t i = 0; i < len; i += 4096) sum += f[i];
    printf("ready %ld\n", sum & 1);
    fflush(stdout);
    char buf[16];
    while (read(0, buf, sizeof buf) > 0) {
    }
    return 0;
}
