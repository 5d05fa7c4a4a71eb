/*
 * pagewalk plugin test program: maps an anonymous region and a file region, reports where they
 * are, then changes its own memory on command, so that a test can compare a plugin's change to a
 * model with the kernel's change to the real process.
 *
 * Start: mutator  -> writes "pid N", "region anon 0xS 0xE", "region file 0xS 0xE", "ready".
 *   anon: 32 pages private anonymous, MADV_NOHUGEPAGE, pages 0-15 written (non-zero), 16-31 untouched;
 *         followed by an 8-page hole (nothing mapped), so that ranges running past its end fail
 *   thp:  2 MiB, 2 MiB-aligned, MADV_HUGEPAGE, written fully (one PMD THP where THP is "madvise"
 *         or "always"; "note thp N" says how many of its pages pagemap shows present)
 *   file: 16 pages MAP_SHARED over an unlinked temp file written with write() and fsync()ed,
 *         every page read through the mapping
 * Commands on stdin, one per line (PAGE and N count pages from the region's start); each
 * answers "done RC ERRNO":
 *   guard REGION PAGE N     madvise(MADV_GUARD_INSTALL)
 *   unguard REGION PAGE N   madvise(MADV_GUARD_REMOVE)
 *   write REGION PAGE N     write one byte in each page
 *   read REGION PAGE N      read one byte of each page
 *   pread PAGE N            pread() file pages (marks the page-cache pages accessed)
 * EOF on stdin ends the program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103
#endif

#define PAGE 4096UL
#define ANON_PAGES 32
#define HOLE_PAGES 8
#define HPAGE (2UL << 20)
#define FILE_PAGES 16

static char *anon;
static char *file;
static int fd;

static char *thp;

static char *base(const char *region) {
    if (strcmp(region, "thp") == 0) {
        return thp;
    }
    return strcmp(region, "file") == 0 ? file : anon;
}

int main(void) {
    char path[] = "/tmp/pagewalk-mutator-XXXXXX";
    setvbuf(stdout, NULL, _IOLBF, 0);
    anon = mmap(NULL, (ANON_PAGES + HOLE_PAGES) * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (anon == MAP_FAILED) {
        perror("mmap anon");
        return 1;
    }
    munmap(anon + ANON_PAGES * PAGE, HOLE_PAGES * PAGE);
    madvise(anon, ANON_PAGES * PAGE, MADV_NOHUGEPAGE);
    for (unsigned long i = 0; i < 16; i++) {
        anon[i * PAGE] = 1 + (char) i;
    }
    char *big = mmap(NULL, 2 * HPAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (big == MAP_FAILED) {
        perror("mmap thp");
        return 1;
    }
    thp = (char *) (((unsigned long) big + HPAGE - 1) & ~(HPAGE - 1));
    madvise(thp, HPAGE, MADV_HUGEPAGE);
    memset(thp, 3, HPAGE);
    fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    unlink(path);
    char buf[PAGE];
    memset(buf, 7, sizeof buf);
    for (int i = 0; i < FILE_PAGES; i++) {
        if (write(fd, buf, sizeof buf) != (ssize_t) sizeof buf) {
            perror("write");
            return 1;
        }
    }
    fsync(fd);
    file = mmap(NULL, FILE_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (file == MAP_FAILED) {
        perror("mmap file");
        return 1;
    }
    madvise(file, FILE_PAGES * PAGE, MADV_NOHUGEPAGE);
    volatile char sink = 0;
    for (int i = 0; i < FILE_PAGES; i++) {
        sink += file[i * PAGE];
    }
    printf("pid %d\n", getpid());
    printf("region anon %p %p\n", (void *) anon, (void *) (anon + ANON_PAGES * PAGE));
    printf("region file %p %p\n", (void *) file, (void *) (file + FILE_PAGES * PAGE));
    printf("region thp %p %p\n", (void *) thp, (void *) (thp + HPAGE));
    printf("ready\n");

    char line[256];
    while (fgets(line, sizeof line, stdin) != NULL) {
        char cmd[32], region[32];
        unsigned long page = 0, n = 0;
        int rc = 0;
        errno = 0;
        if (sscanf(line, "pread %lu %lu", &page, &n) == 2) {
            for (unsigned long i = 0; i < n; i++) {
                if (pread(fd, buf, 1, (off_t) ((page + i) * PAGE)) != 1) {
                    rc = -1;
                }
            }
        } else if (sscanf(line, "%31s %31s %lu %lu", cmd, region, &page, &n) == 4) {
            char *p = base(region) + page * PAGE;
            if (strcmp(cmd, "guard") == 0) {
                rc = madvise(p, n * PAGE, MADV_GUARD_INSTALL);
            } else if (strcmp(cmd, "unguard") == 0) {
                rc = madvise(p, n * PAGE, MADV_GUARD_REMOVE);
            } else if (strcmp(cmd, "write") == 0) {
                for (unsigned long i = 0; i < n; i++) {
                    p[i * PAGE] = 0x5a;
                }
            } else if (strcmp(cmd, "read") == 0) {
                for (unsigned long i = 0; i < n; i++) {
                    sink += p[i * PAGE];
                }
            } else {
                rc = -1;
                errno = EINVAL;
            }
        } else {
            rc = -1;
            errno = EINVAL;
        }
        printf("done %d %d\n", rc, rc ? errno : 0);
    }
    return 0;
}
