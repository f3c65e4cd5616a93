// Loopback connect storm: N x (socket, connect to a local listener, close), the listener accepting
// and closing in a second thread. Prints "connects=N secs=S rate=R/s".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int listener;

static void *acceptor(void *arg) {
  (void)arg;
  for (;;) {
    int c = accept(listener, NULL, NULL);
    if (c >= 0) close(c);
  }
  return NULL;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 20000;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(listener, (struct sockaddr *)&a, sizeof(a)) || listen(listener, 4096)) { perror("listen"); return 1; }
  socklen_t len = sizeof(a);
  getsockname(listener, (struct sockaddr *)&a, &len);
  pthread_t t;
  pthread_create(&t, NULL, acceptor, NULL);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    // RST on close: no TIME_WAIT pile-up exhausting the ephemeral ports over a long storm
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    if (connect(s, (struct sockaddr *)&a, sizeof(a))) { perror("connect"); return 1; }
    close(s);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("connects=%ld secs=%.3f rate=%.0f/s\n", n, secs, n / secs);
  return 0;
}
