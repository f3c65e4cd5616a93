// Paced opens: RATE openat(PATH) + close per second for SECS seconds, in 1 ms steps, to load the
// agent at a known event rate. Prints "opens=N secs=S rate=R/s" (R: the rate achieved).
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: open-rate RATE SECS PATH\n"); return 2; }
  double rate = atof(argv[1]), secs = atof(argv[2]);
  const char *path = argv[3];
  long done = 0, total = (long)(rate * secs);
  double start = now();
  while (done < total) {
    long due = (long)((now() - start) * rate) + 1;
    if (due > total) due = total;
    while (done < due) {
      int fd = openat(AT_FDCWD, path, O_RDONLY);
      if (fd >= 0) close(fd);
      done++;
    }
    struct timespec ms = {0, 1000000};
    if (done < total && (long)((now() - start) * rate) < done) nanosleep(&ms, NULL);
  }
  double t = now() - start;
  printf("opens=%ld secs=%.3f rate=%.0f/s\n", done, t, done / t);
  return 0;
}
