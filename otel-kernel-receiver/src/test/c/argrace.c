/*
 * An argument race on the sensor (the "phantom" attack): one thread calls unlinkat or connect on a
 * buffer another thread keeps flipping, so the kernel and a probe that reads the buffer too may
 * see different values. Prints what the kernel did with each call, so the test can tell which
 * value it acted on:
 *
 *   argrace unlink DIR N     DIR/a exists before every call, DIR/b never does: success means the
 *                            kernel removed a, ENOENT that it looked for b
 *   argrace unlink1 DIR N    the same without the flipping thread (the control: nothing to mark)
 *   argrace connect A B N    127.0.0.1:A listens, :B does not: success means A, ECONNREFUSED B
 *
 * Output: one line per call, "ok" or "err ERRNO".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char path[4096];
static struct sockaddr_in addr;
static volatile char *flip_byte;
static char flip_values[2];
static volatile unsigned short *flip_port;
static unsigned short ports[2];
static atomic_int stop;

static void *flipper(void *unused)
{
	(void)unused;
	for (unsigned long i = 0; !atomic_load_explicit(&stop, memory_order_relaxed); i++) {
		if (flip_byte)
			*flip_byte = flip_values[i & 1];
		else
			*flip_port = ports[i & 1];
	}
	return NULL;
}

static void touch(const char *p)
{
	int fd = open(p, O_CREAT | O_WRONLY, 0600);
	if (fd < 0) {
		perror(p);
		exit(2);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: argrace unlink|unlink1 DIR N | connect PORT_A PORT_B N\n");
		return 2;
	}
	int race = strcmp(argv[1], "unlink1") != 0;
	int n;
	char a[4096];
	if (strcmp(argv[1], "connect") == 0) {
		if (argc < 5)
			return 2;
		ports[0] = htons((unsigned short)atoi(argv[2]));
		ports[1] = htons((unsigned short)atoi(argv[3]));
		n = atoi(argv[4]);
		addr.sin_family = AF_INET;
		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		addr.sin_port = ports[0];
		flip_port = &addr.sin_port;
	} else {
		snprintf(a, sizeof(a), "%s/a", argv[2]);
		snprintf(path, sizeof(path), "%s", a);
		flip_byte = path + strlen(path) - 1;
		flip_values[0] = 'a';
		flip_values[1] = 'b';
		n = atoi(argv[3]);
	}
	pthread_t t;
	if (race && pthread_create(&t, NULL, flipper, NULL) != 0)
		return 2;
	for (int i = 0; i < n; i++) {
		int rc;
		if (flip_port) {
			int s = socket(AF_INET, SOCK_STREAM, 0);
			rc = connect(s, (struct sockaddr *)&addr, sizeof(addr));
			int e = errno;
			close(s);
			errno = e;
		} else {
			touch(a);
			rc = unlinkat(AT_FDCWD, path, 0);
		}
		if (rc == 0)
			printf("ok\n");
		else
			printf("err %d\n", errno);
	}
	atomic_store(&stop, 1);
	if (race)
		pthread_join(t, NULL);
	return 0; /* a may be left behind: the test's directory goes with it */
}
