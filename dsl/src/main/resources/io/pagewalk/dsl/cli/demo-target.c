/* The demo's target: a little anonymous memory (heap and mmap, some of it touched), a file
 * mapping read through, then it waits for its parent to close stdin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <fcntl.h>

int main(void) {
    size_t heap = 8 << 20, anon = 16 << 20;
    char *h = malloc(heap);
    memset(h, 1, heap);
    char *a = mmap(NULL, anon, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED) return 1;
    for (size_t i = 0; i < anon / 2; i += 4096) a[i] = 2;
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
