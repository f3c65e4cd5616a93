/*
 * Submits file and network operations through io_uring only, for IoUringIT. Raw system calls
 * (no liburing): io_uring_setup, mmap of the rings, io_uring_enter.
 *
 *   uring_ops <new file> <sqpoll file> <port>
 *
 * Ring 1 (no flags): IORING_OP_OPENAT (O_CREAT|O_WRONLY) of <new file>, IORING_OP_UNLINKAT of it,
 * IORING_OP_CONNECT to 127.0.0.1:<port>. Ring 2 (IORING_SETUP_SQPOLL): IORING_OP_OPENAT of
 * <sqpoll file>, submitted by the kernel's iou-sqp thread. Prints each result as "op=res".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ring {
	int fd;
	unsigned flags;
	unsigned *sq_tail, *sq_mask, *sq_array, *sq_flags;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_init(struct ring *r, unsigned flags)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.sq_thread_idle = 2000;
	r->fd = syscall(__NR_io_uring_setup, 8, &p);
	if (r->fd < 0) {
		perror("io_uring_setup");
		return -1;
	}
	r->flags = flags;
	size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	char *sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	char *cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->sq_flags = (unsigned *)(sq + p.sq_off.flags);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Submits one SQE and waits for its CQE; returns the CQE's res. */
static int ring_run(struct ring *r, const struct io_uring_sqe *in)
{
	unsigned tail = atomic_load_explicit((_Atomic unsigned *)r->sq_tail, memory_order_relaxed);
	unsigned idx = tail & *r->sq_mask;
	r->sqes[idx] = *in;
	r->sq_array[idx] = idx;
	atomic_store_explicit((_Atomic unsigned *)r->sq_tail, tail + 1, memory_order_release);
	unsigned enter_flags = IORING_ENTER_GETEVENTS;
	int to_submit = 1;
	if (r->flags & IORING_SETUP_SQPOLL) {
		to_submit = 0; /* the kernel thread picks it up; wake it if it went to sleep */
		atomic_thread_fence(memory_order_seq_cst);
		if (atomic_load((_Atomic unsigned *)r->sq_flags) & IORING_SQ_NEED_WAKEUP)
			enter_flags |= IORING_ENTER_SQ_WAKEUP;
	}
	for (;;) {
		unsigned head = atomic_load_explicit((_Atomic unsigned *)r->cq_head, memory_order_relaxed);
		if (head != atomic_load_explicit((_Atomic unsigned *)r->cq_tail, memory_order_acquire)) {
			int res = r->cqes[head & *r->cq_mask].res;
			atomic_store_explicit((_Atomic unsigned *)r->cq_head, head + 1, memory_order_release);
			return res;
		}
		if (syscall(__NR_io_uring_enter, r->fd, to_submit, 1, enter_flags, NULL, 0) < 0) {
			perror("io_uring_enter");
			return -1000;
		}
		to_submit = 0;
		if (r->flags & IORING_SETUP_SQPOLL)
			enter_flags = IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP;
	}
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s <new file> <sqpoll file> <port>\n", argv[0]);
		return 2;
	}
	struct ring r1, r2;
	struct io_uring_sqe sqe;
	if (ring_init(&r1, 0) < 0)
		return 1;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_OPENAT;
	sqe.fd = AT_FDCWD;
	sqe.addr = (unsigned long)argv[1];
	sqe.open_flags = O_CREAT | O_WRONLY | O_CLOEXEC;
	sqe.len = 0600; /* mode */
	int fd = ring_run(&r1, &sqe);
	printf("openat=%d\n", fd);
	if (fd >= 0)
		close(fd);

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_UNLINKAT;
	sqe.fd = AT_FDCWD;
	sqe.addr = (unsigned long)argv[1];
	printf("unlinkat=%d\n", ring_run(&r1, &sqe));

	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[3]))};
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_CONNECT;
	sqe.fd = s;
	sqe.addr = (unsigned long)&sin;
	sqe.off = sizeof(sin); /* addr2: the address length */
	printf("connect=%d\n", ring_run(&r1, &sqe));
	close(s);

	if (ring_init(&r2, IORING_SETUP_SQPOLL) < 0)
		return 1;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_OPENAT;
	sqe.fd = AT_FDCWD;
	sqe.addr = (unsigned long)argv[2];
	sqe.open_flags = O_CREAT | O_WRONLY | O_CLOEXEC;
	sqe.len = 0600;
	fd = ring_run(&r2, &sqe);
	printf("sqpoll_openat=%d\n", fd);
	if (fd >= 0)
		close(fd);
	fflush(stdout);
	return 0;
}
