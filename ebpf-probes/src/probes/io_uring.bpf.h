/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * io_uring: rings being set up and configured, and the operations submitted through them. An
 * operation a ring carries out (open, unlink, connect...) calls no system call of its own, so
 * the syscall tracepoints of the other probes never see it: these records are the only trace.
 *
 *   IO_URING_SETUP     args: entries, setup flags (IORING_SETUP_*), sq_thread_cpu, sq_thread_idle,
 *                            features the kernel answered, wq_fd          ret: the ring's fd
 *   IO_URING_REGISTER  args: ring fd, opcode (IORING_REGISTER_*, without USE_REGISTERED_RING),
 *                            nr_args, 1 when the fd is a registered ring's index
 *   IO_URING_SUBMIT    nr is -1 (no system call); ret is the operation's CQE result, or 0 with
 *                      FLAG_NO_OUTCOME when it was sent at submission
 *                      args: opcode (IORING_OP_*), fd the operation names (the directory fd for
 *                            path operations; a fixed-file index when URING_FIXED_FILE),
 *                            the operation's flags (open flags, unlinkat/renameat/linkat flags,
 *                            xattr flags, accept flags, msg flags, uring_cmd's cmd_op), mode
 *                            (open, mkdir) or destination port, address family (network
 *                            operations), URING_* bits
 *                      str0: path (OPENAT, OPENAT2, UNLINKAT, MKDIRAT, SETXATTR; RENAMEAT and
 *                            LINKAT the old path; SYMLINKAT the new link; FSETXATTR, FTRUNCATE,
 *                            URING_CMD the file behind a plain fd), or the destination address
 *                            (CONNECT, SEND*: 4 or 16 bytes; AF_UNIX: the socket path)
 *                      str1: RENAMEAT, LINKAT: the new path; SYMLINKAT: the target as given
 *                      str2: SETXATTR, FSETXATTR: the attribute's name
 *
 * Submissions come from tp_btf/io_uring_submit_req, which fires in io_submit_sqe after the
 * request was prepared: paths are read from the copies the kernel made (struct filename), which
 * the submitter can no longer change, not from user memory (a connect's address excepted, see
 * uring_put_addr). The record is then held in uring_inflight until tp_btf/io_uring_complete gives the
 * outcome; an operation that may wait indefinitely (ACCEPT, URING_CMD) or posts no completion on
 * success (IOSQE_CQE_SKIP_SUCCESS), or that finds uring_inflight full, is sent at submission with
 * FLAG_NO_OUTCOME. Reads, writes, polls and the other opcodes are not recorded: a ring does
 * millions of them, and their syscall counterparts are not recorded either.
 *
 * The submitter is the task in io_uring_enter, or with IORING_SETUP_SQPOLL the ring's kernel
 * thread "iou-sqp-<pid>", a thread of the owner's process (same tgid, files and credentials): its
 * records name the owner's process, with the owner's comm, the thread's tid and URING_SQ_THREAD.
 */
#ifndef OKR_PROBES_IO_URING_H
#define OKR_PROBES_IO_URING_H

#include "../lib/syscall.h"
#include "file.bpf.h"
#include "network.bpf.h"

/* enum io_uring_op: an ABI, numbered in order; defined here so an older vmlinux.h still builds */
#define UOP_SENDMSG 9
#define UOP_ACCEPT 13
#define UOP_CONNECT 16
#define UOP_OPENAT 18
#define UOP_SEND 26
#define UOP_OPENAT2 28
#define UOP_RENAMEAT 35
#define UOP_UNLINKAT 36
#define UOP_MKDIRAT 37
#define UOP_SYMLINKAT 38
#define UOP_LINKAT 39
#define UOP_FSETXATTR 41
#define UOP_SETXATTR 42
#define UOP_URING_CMD 46
#define UOP_SEND_ZC 47
#define UOP_SENDMSG_ZC 48
#define UOP_FTRUNCATE 55
#define UOP_BIND 56
#define UOP_LISTEN 57

/* req->flags: the low bits are the SQE's IOSQE_* flags (the kernel asserts they match) */
#define REQ_FIXED_FILE (1ULL << 0)
#define REQ_CQE_SKIP (1ULL << 6)
#define PF_IO_WORKER 0x00000010
#define IORING_REGISTER_USE_REGISTERED_RING (1U << 31)

/* IO_URING_SUBMIT_ARG_BITS */
#define URING_FIXED_FILE (1u << 0) /* the fd is an index into the ring's registered files */
#define URING_SQ_THREAD  (1u << 1) /* submitted by the ring's SQPOLL kernel thread */

/* Submissions held for their completion, by request address. Preallocated (tracing programs on
 * kernels before 6.1 may use no other hash): 64 records in flight, about 1 MiB. */
#define URING_INFLIGHT_MAX 64
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, URING_INFLIGHT_MAX);
	__type(key, __u64);
	__type(value, struct sys_scratch);
} uring_inflight SEC(".maps");

struct io_uring_params___head {
	__u32 sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd;
};

/* io_uring_setup(entries, params): the flags are read at exit, the features the kernel filled in too */
_Static_assert(IO_URING_SETUP_ARG_ENTRIES == 0, "io_uring_setup's entries are the payload as given");
ENTER(io_uring_setup, EVENT_IO_URING_SETUP, 2)
SEC("tp/syscalls/sys_exit_io_uring_setup")
int exit_io_uring_setup(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	struct io_uring_params___head p = {};
	bpf_probe_read_user(&p, sizeof(p), (const void *)s->ev.args[1]); /* the call's params */
	s->ev.args[IO_URING_SETUP_ARG_FLAGS] = p.flags;
	s->ev.args[IO_URING_SETUP_ARG_SQ_THREAD_CPU] = p.sq_thread_cpu;
	s->ev.args[IO_URING_SETUP_ARG_SQ_THREAD_IDLE] = p.sq_thread_idle;
	s->ev.args[IO_URING_SETUP_ARG_FEATURES] = s->ev.ret >= 0 ? p.features : 0;
	s->ev.args[IO_URING_SETUP_ARG_WQ_FD] = p.wq_fd;
	return sys_submit(s);
}

/* io_uring_register(fd, opcode, arg, nr_args) */
_Static_assert(IO_URING_REGISTER_ARG_RING_FD == 0, "io_uring_register's fd is the payload as given");
ENTER(io_uring_register, EVENT_IO_URING_REGISTER, 4)
SEC("tp/syscalls/sys_exit_io_uring_register")
int exit_io_uring_register(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	__u64 op = s->ev.args[1];           /* the call's opcode */
	__u64 nr_args = s->ev.args[3];      /* and nr_args */
	s->ev.args[IO_URING_REGISTER_ARG_OPCODE] = op & ~(__u64)IORING_REGISTER_USE_REGISTERED_RING;
	s->ev.args[IO_URING_REGISTER_ARG_NR_ARGS] = nr_args;
	s->ev.args[IO_URING_REGISTER_ARG_REGISTERED_RING] = (op & IORING_REGISTER_USE_REGISTERED_RING) ? 1 : 0;
	return sys_submit(s);
}

static __always_inline int uring_recorded(__u8 op)
{
	switch (op) {
	case UOP_SENDMSG: case UOP_ACCEPT: case UOP_CONNECT: case UOP_OPENAT: case UOP_SEND:
	case UOP_OPENAT2: case UOP_RENAMEAT: case UOP_UNLINKAT: case UOP_MKDIRAT: case UOP_SYMLINKAT:
	case UOP_LINKAT: case UOP_FSETXATTR: case UOP_SETXATTR: case UOP_URING_CMD: case UOP_SEND_ZC:
	case UOP_SENDMSG_ZC: case UOP_FTRUNCATE: case UOP_BIND: case UOP_LISTEN:
		return 1;
	default:
		return 0;
	}
}

/* The path rules of the file event an operation stands for; 0: none apply (network, commands). */
static __always_inline __u32 uring_path_type(__u8 op, __u64 flags)
{
	switch (op) {
	case UOP_OPENAT:
	case UOP_OPENAT2:
		return open_type(flags);
	case UOP_UNLINKAT:
		return (flags & AT_REMOVEDIR) ? EVENT_FILE_RMDIR : EVENT_FILE_UNLINK;
	case UOP_RENAMEAT:
		return EVENT_FILE_RENAME;
	case UOP_LINKAT:
		return EVENT_FILE_LINK;
	case UOP_SYMLINKAT:
		return EVENT_FILE_SYMLINK;
	case UOP_MKDIRAT:
		return EVENT_FILE_MKDIR;
	case UOP_SETXATTR:
	case UOP_FSETXATTR:
		return EVENT_FILE_SETXATTR;
	case UOP_FTRUNCATE:
		return EVENT_FILE_TRUNCATE;
	default:
		return 0;
	}
}

static __always_inline int uring_path_ok(struct sys_scratch *s, int slot, const char *path, __u32 len, __u32 rules)
{
	if (s->ev.hdr.flags & str_flag(slot, FLAG_STR0_PARTIAL))
		return 1;
	return policy_path_ok_as(EVENT_IO_URING_SUBMIT, rules, path, len);
}

/*
 * The socket address of a connect or send. A connect's comes from the caller's sockaddr, which the
 * caller could still change before the kernel reads it: on 6.18 the request's io_async_msghdr
 * (often recycled from a cache) does not yet hold the kernel's copy at submission, measured. A
 * send's destination is the kernel's copy that prep makes (msg_name points at it); unverified.
 */
static __always_inline void uring_put_addr(struct sys_scratch *s, struct io_kiocb *req, int op)
{
	const void *addr;
	int user = op == UOP_CONNECT;
	if (user) {
		addr = BPF_CORE_READ((struct io_connect *)&req->cmd, addr);
	} else {
		struct io_async_msghdr *io = BPF_CORE_READ(req, async_data);
		if (!io || !BPF_CORE_READ(io, msg.msg_name))
			return; /* no destination: a connected socket, reported at its connect */
		addr = &io->addr;
	}
	struct sa_head h = {};
	if (user)
		bpf_probe_read_user(&h, sizeof(h), addr);
	else
		bpf_probe_read_kernel(&h, sizeof(h), addr);
	s->ev.args[IO_URING_SUBMIT_ARG_MODE_OR_PORT] = bpf_ntohs(h.port);
	s->ev.args[IO_URING_SUBMIT_ARG_FAMILY] = h.family;
	/* the address goes to the path's slot (a unix socket's path is one) */
	if (h.family == AF_INET)
		sys_put_bytes(s, IO_URING_SUBMIT_STR_PATH, addr + 4, 4, user);
	else if (h.family == AF_INET6)
		sys_put_bytes(s, IO_URING_SUBMIT_STR_PATH, addr + 8, 16, user);
	else if (h.family == AF_UNIX) {
		s->ev.args[IO_URING_SUBMIT_ARG_MODE_OR_PORT] = 0;
		sys_put_bytes(s, IO_URING_SUBMIT_STR_PATH, addr + 2, UNIX_PATH_MAX, user);
	}
}

/* Fills the header as sys_submit does, naming the ring owner's process for an SQPOLL thread. */
static __always_inline void uring_header(struct sys_scratch *s)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 flags = s->ev.hdr.flags;
	fill_header(&s->ev.hdr, task, s->ev.hdr.type);
	s->ev.hdr.flags = flags;
	if (BPF_CORE_READ(task, flags) & PF_IO_WORKER) {
		BPF_CORE_READ_STR_INTO(&s->ev.hdr.comm, task, group_leader, comm);
		s->ev.args[IO_URING_SUBMIT_ARG_BITS] |= URING_SQ_THREAD;
	}
}

static __always_inline void uring_output(struct sys_scratch *s)
{
	__u64 size = sizeof(struct sys_event) + s->off;
	barrier_var(size);
	if (size > sizeof(struct sys_event) + SYS_DATA_MAX)
		size = sizeof(struct sys_event) + SYS_DATA_MAX;
	if (bpf_ringbuf_output(&events, &s->ev, size, wakeup_flags()) < 0)
		count_drop(EVENT_IO_URING_SUBMIT);
}

/* Sends a record held for a request whose completion was never seen (its address is reused). */
static __always_inline void uring_flush_stale(__u64 key)
{
	struct sys_scratch *old = bpf_map_lookup_elem(&uring_inflight, &key);
	if (!old)
		return;
	old->ev.hdr.flags |= FLAG_NO_OUTCOME;
	uring_output(old);
	bpf_map_delete_elem(&uring_inflight, &key);
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(uring_submit, struct io_kiocb *req)
{
	__u8 op = BPF_CORE_READ(req, opcode);
	if (!uring_recorded(op))
		return 0;
	if (!policy_wants(EVENT_IO_URING_SUBMIT))
		return 0;
	struct sys_scratch *s = sys_begin_now(EVENT_IO_URING_SUBMIT, 0, (__u32)-1);
	if (!s)
		return 0;
	__u64 rflags = BPF_CORE_READ(req, flags);
	void *cmd = &req->cmd; /* the operation's own struct (io_open, io_rename...) */
	int fd = BPF_CORE_READ(req, cqe.fd);
	__u64 flags = 0;
	s->ev.args[IO_URING_SUBMIT_ARG_OPCODE] = op;
	if (rflags & REQ_FIXED_FILE)
		s->ev.args[IO_URING_SUBMIT_ARG_BITS] |= URING_FIXED_FILE;
	__u32 rules = 0;
	int hold = 1;

	switch (op) {
	case UOP_OPENAT:
	case UOP_OPENAT2: {
		struct io_open *o = cmd;
		fd = BPF_CORE_READ(o, dfd);
		flags = BPF_CORE_READ(o, how.flags);
		s->ev.args[IO_URING_SUBMIT_ARG_MODE_OR_PORT] = BPF_CORE_READ(o, how.mode);
		sys_put_kernel_path(s, IO_URING_SUBMIT_STR_PATH, fd, BPF_CORE_READ(o, filename, name));
		break;
	}
	case UOP_UNLINKAT: {
		struct io_unlink *u = cmd;
		fd = BPF_CORE_READ(u, dfd);
		flags = BPF_CORE_READ(u, flags);
		sys_put_kernel_path(s, IO_URING_SUBMIT_STR_PATH, fd, BPF_CORE_READ(u, filename, name));
		break;
	}
	case UOP_MKDIRAT: {
		struct io_mkdir *m = cmd;
		fd = BPF_CORE_READ(m, dfd);
		s->ev.args[IO_URING_SUBMIT_ARG_MODE_OR_PORT] = BPF_CORE_READ(m, mode);
		sys_put_kernel_path(s, IO_URING_SUBMIT_STR_PATH, fd, BPF_CORE_READ(m, filename, name));
		break;
	}
	case UOP_RENAMEAT:
	case UOP_LINKAT: { /* struct io_rename and struct io_link have the same shape */
		struct io_rename *r = cmd;
		fd = BPF_CORE_READ(r, old_dfd);
		flags = BPF_CORE_READ(r, flags);
		sys_put_kernel_path(s, IO_URING_SUBMIT_STR_PATH, fd, BPF_CORE_READ(r, oldpath, name));
		sys_put_kernel_path(s, IO_URING_SUBMIT_STR_TARGET, BPF_CORE_READ(r, new_dfd),
				    BPF_CORE_READ(r, newpath, name));
		break;
	}
	case UOP_SYMLINKAT: { /* io_link: oldpath is the target, stored as given; newpath the new link */
		struct io_link *l = cmd;
		fd = BPF_CORE_READ(l, new_dfd);
		sys_put_kernel_path(s, IO_URING_SUBMIT_STR_PATH, fd, BPF_CORE_READ(l, newpath, name));
		sys_put_kernel_str(s, IO_URING_SUBMIT_STR_TARGET, BPF_CORE_READ(l, oldpath, name), SYS_STR_MAX - 1);
		break;
	}
	case UOP_SETXATTR:
	case UOP_FSETXATTR: {
		struct io_xattr *x = cmd;
		flags = BPF_CORE_READ(x, ctx.flags);
		if (op == UOP_SETXATTR)
			sys_put_kernel_path(s, IO_URING_SUBMIT_STR_PATH, AT_FDCWD, BPF_CORE_READ(x, filename, name));
		else if (!(rflags & REQ_FIXED_FILE))
			sys_put_fd_path(s, IO_URING_SUBMIT_STR_PATH, fd);
		struct xattr_name *n = BPF_CORE_READ(x, ctx.kname);
		if (n)
			sys_put_kernel_str(s, IO_URING_SUBMIT_STR_XATTR_NAME, n->name, SYS_STR_SMALL);
		break;
	}
	case UOP_FTRUNCATE:
		if (!(rflags & REQ_FIXED_FILE))
			sys_put_fd_path(s, IO_URING_SUBMIT_STR_PATH, fd);
		break;
	case UOP_URING_CMD: {
		struct io_uring_cmd *c = cmd;
		flags = BPF_CORE_READ(c, cmd_op);
		if (!(rflags & REQ_FIXED_FILE))
			sys_put_fd_path(s, IO_URING_SUBMIT_STR_PATH, fd);
		hold = 0; /* a command may stay in flight for good (ublk's fetch) */
		break;
	}
	case UOP_ACCEPT: {
		struct io_accept *a = cmd;
		flags = BPF_CORE_READ(a, flags);
		hold = 0; /* waits for a connection, for as long as it takes */
		break;
	}
	case UOP_CONNECT:
		uring_put_addr(s, req, op);
		if (s->ev.args[IO_URING_SUBMIT_ARG_FAMILY] == AF_UNIX)
			rules = EVENT_NET_UNIX_CONNECT;
		break;
	case UOP_BIND: /* its address is not known at submission (io_bind keeps no pointer to it) */
	case UOP_LISTEN:
		break;
	default: { /* SEND, SENDMSG and their zero-copy forms: datagrams to a watched port */
		struct io_sr_msg *m = cmd;
		flags = BPF_CORE_READ(m, msg_flags);
		uring_put_addr(s, req, op);
		__u64 family = s->ev.args[IO_URING_SUBMIT_ARG_FAMILY];
		if ((family != AF_INET && family != AF_INET6)
		    || !udp_port_watched((__u16)s->ev.args[IO_URING_SUBMIT_ARG_MODE_OR_PORT]))
			return 0;
		break;
	}
	}
	s->ev.args[IO_URING_SUBMIT_ARG_FD] = (__u64)(__s64)fd;
	s->ev.args[IO_URING_SUBMIT_ARG_FLAGS] = flags;

	if (!rules)
		rules = uring_path_type(op, flags);
	/* the path is the first string written, the target (rename, link) the second */
	if (rules && s->ev.str_len[IO_URING_SUBMIT_STR_PATH] > 0) {
		int keep = uring_path_ok(s, IO_URING_SUBMIT_STR_PATH, s->data, s->ev.str_len[IO_URING_SUBMIT_STR_PATH],
					 rules);
		if (!keep && (op == UOP_RENAMEAT || op == UOP_LINKAT)) /* either path may be the telling one */
			keep = uring_path_ok(s, IO_URING_SUBMIT_STR_TARGET,
					     s->data + (s->ev.str_len[IO_URING_SUBMIT_STR_PATH] & SYS_OFF_MASK),
					     s->ev.str_len[IO_URING_SUBMIT_STR_TARGET], rules);
		if (!keep)
			return 0;
	}

	uring_header(s);
	if (rflags & REQ_CQE_SKIP)
		hold = 0; /* no completion will say how it ended */
	__u64 key = (__u64)req;
	if (hold) {
		uring_flush_stale(key);
		if (bpf_map_update_elem(&uring_inflight, &key, s, BPF_NOEXIST) == 0)
			return 0;
	}
	s->ev.hdr.flags |= FLAG_NO_OUTCOME;
	uring_output(s);
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(uring_complete, struct io_ring_ctx *ring, void *req, struct io_uring_cqe *cqe)
{
	if (!req)
		return 0; /* an auxiliary CQE (multishot, msg_ring): not a request's end */
	if (!uring_recorded(BPF_CORE_READ((struct io_kiocb *)req, opcode)))
		return 0;
	__u64 key = (__u64)req;
	struct sys_scratch *v = bpf_map_lookup_elem(&uring_inflight, &key);
	if (!v)
		return 0;
	v->ev.ret = BPF_CORE_READ(cqe, res);
	uring_output(v);
	bpf_map_delete_elem(&uring_inflight, &key);
	return 0;
}

#endif
