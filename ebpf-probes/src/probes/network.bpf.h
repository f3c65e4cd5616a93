/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Network activity with its owning process: TCP connects and accepts with
 * the full 4-tuple, listen and bind, UDP to the ports the policy names
 * (DNS by default), and connects to unix sockets. Read from the system calls,
 * not from the packet path, so each record names the process that acted.
 *
 *   NET_CONNECT, NET_ACCEPT, NET_LISTEN, NET_BIND, NET_SEND
 *       args: family, protocol (IPPROTO_*), local port, remote port, socket type, fd
 *             (NET_LISTEN: args[5] is the backlog; NET_SEND: ret is the byte count)
 *       str0: local address (4 or 16 bytes), str1: remote address (4 or 16 bytes)
 *   NET_UNIX_CONNECT
 *       args: family, 0, 0, 0, socket type, fd
 *       str0: socket path (a leading NUL: abstract namespace), so the path rules apply
 *
 * The remote address of a connect that succeeded (or is in progress) comes from
 * the socket, which the caller cannot change; of a failed connect and of a
 * send, from the caller's sockaddr, read at entry and at exit and marked when
 * they differ or the memory was shared (FLAG_ARGS_*, see lib/syscall.h). Which
 * connect is a candidate is decided by the socket's own family and protocol,
 * not by the caller's sockaddr. Local addresses and those of accept come from
 * the socket. An address or port of 0 means "not known".
 */
#ifndef OKR_PROBES_NETWORK_H
#define OKR_PROBES_NETWORK_H

#include <bpf/bpf_endian.h>
#include "../lib/syscall.h"

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define EAGAIN 11
#define EINTR 4
#define EINPROGRESS 115
#define SOCKADDR_MAX 28 /* sockaddr_in6 */
#define UNIX_PATH_MAX 108

/* The socket behind a descriptor of the current task, or NULL when fd is not a socket. */
static __always_inline struct sock *fd_sock(int fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return NULL;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(sock, sk);
}

/* The first bytes of a user sockaddr: family and (for inet) port in network order. */
struct sa_head {
	__u16 family;
	__be16 port;
};

static __always_inline struct sa_head user_sa(const void *uaddr)
{
	struct sa_head h = {};
	if (uaddr)
		bpf_probe_read_user(&h, sizeof(h), uaddr);
	return h;
}

static __always_inline int udp_port_watched(__u16 port)
{
	return bpf_map_lookup_elem(&udp_ports, &port) != NULL;
}

/*
 * The NET_* types share one socket layout: the helpers below write it with the NET_CONNECT
 * constants, which every other type's must equal (NET_LISTEN has its backlog where the others
 * have the fd; NET_UNIX_CONNECT names only family, socket type, fd and its path).
 */
#define NET_SAME(T, F) (NET_##T##_ARG_##F == NET_CONNECT_ARG_##F)
#define NET_SAME_STR(T, F) (NET_##T##_STR_##F == NET_CONNECT_STR_##F)
#define NET_SAME_SOCKET(T)                                                                       \
	(NET_SAME(T, FAMILY) && NET_SAME(T, PROTOCOL) && NET_SAME(T, LOCAL_PORT) && NET_SAME(T, REMOTE_PORT) \
	 && NET_SAME(T, SOCKET_TYPE) && NET_SAME_STR(T, LOCAL_ADDRESS) && NET_SAME_STR(T, REMOTE_ADDRESS))
_Static_assert(NET_SAME_SOCKET(ACCEPT) && NET_SAME_SOCKET(LISTEN) && NET_SAME_SOCKET(BIND) && NET_SAME_SOCKET(SEND),
	       "the NET_* types share one socket layout");
_Static_assert(NET_SAME(ACCEPT, FD) && NET_SAME(BIND, FD) && NET_SAME(SEND, FD) && NET_SAME(UNIX_CONNECT, FD),
	       "the NET_* types with an fd keep it in one slot");
_Static_assert(NET_SAME(UNIX_CONNECT, FAMILY) && NET_SAME(UNIX_CONNECT, SOCKET_TYPE),
	       "NET_UNIX_CONNECT's family and socket type sit where the other types' do");
_Static_assert(NET_UNIX_CONNECT_STR_PATH == 0, "sys_submit_path checks string slot 0");
#undef NET_SAME_SOCKET
#undef NET_SAME_STR
#undef NET_SAME

/* Family, protocol, type and local address of a socket into args[] and str0. */
static __always_inline void put_local(struct sys_scratch *s, struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	s->ev.args[NET_CONNECT_ARG_FAMILY] = family;
	s->ev.args[NET_CONNECT_ARG_PROTOCOL] = BPF_CORE_READ(sk, sk_protocol);
	s->ev.args[NET_CONNECT_ARG_LOCAL_PORT] = BPF_CORE_READ(sk, __sk_common.skc_num);
	s->ev.args[NET_CONNECT_ARG_SOCKET_TYPE] = BPF_CORE_READ(sk, sk_type);
	if (family == AF_INET)
		sys_put_kernel_bytes(s, NET_CONNECT_STR_LOCAL_ADDRESS, &sk->__sk_common.skc_rcv_saddr, 4);
	else if (family == AF_INET6)
		sys_put_kernel_bytes(s, NET_CONNECT_STR_LOCAL_ADDRESS, &sk->__sk_common.skc_v6_rcv_saddr, 16);
}

/* The peer as the socket knows it (accepted connections). */
static __always_inline void put_peer(struct sys_scratch *s, struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	s->ev.args[NET_CONNECT_ARG_REMOTE_PORT] = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET)
		sys_put_kernel_bytes(s, NET_CONNECT_STR_REMOTE_ADDRESS, &sk->__sk_common.skc_daddr, 4);
	else if (family == AF_INET6)
		sys_put_kernel_bytes(s, NET_CONNECT_STR_REMOTE_ADDRESS, &sk->__sk_common.skc_v6_daddr, 16);
}

/* The peer as the caller named it in a sockaddr_in / sockaddr_in6. */
static __always_inline void put_user_peer(struct sys_scratch *s, const void *uaddr)
{
	struct sa_head h = user_sa(uaddr);
	s->ev.args[NET_CONNECT_ARG_REMOTE_PORT] = bpf_ntohs(h.port);
	if (h.family == AF_INET)
		sys_put_user_bytes(s, NET_CONNECT_STR_REMOTE_ADDRESS, uaddr + 4, 4);  /* sin_addr */
	else if (h.family == AF_INET6)
		sys_put_user_bytes(s, NET_CONNECT_STR_REMOTE_ADDRESS, uaddr + 8, 16); /* sin6_addr, after flowinfo */
}

/*
 * connect(fd, addr, len): TCP always, UDP to a watched port, unix sockets when their type is on.
 * Decided by the socket's family and protocol (the caller's sockaddr can change under us); a UDP
 * port is checked at exit, from the socket once connected.
 */
SEC("tp/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	int fd = (int)ctx->args[0];
	const void *uaddr = (const void *)ctx->args[1]; /* read before ctx moves (verifier) */
	__u64 len = ctx->args[2] < UNIX_PATH_MAX + 2 ? ctx->args[2] : UNIX_PATH_MAX + 2;
	struct sock *sk = fd_sock(fd);
	if (!sk)
		return 0;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family == AF_UNIX) {
		if (policy_wants(EVENT_NET_UNIX_CONNECT)) {
			sys_stash(ctx, EVENT_NET_UNIX_CONNECT, 3, 0);
			sys_hash_user_args(uaddr, len ? len : 1, NULL, 0);
		}
		return 0;
	}
	if (family != AF_INET && family != AF_INET6)
		return 0;
	__u16 proto = BPF_CORE_READ(sk, sk_protocol);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 0;
	if (policy_wants(EVENT_NET_CONNECT)) {
		sys_stash(ctx, EVENT_NET_CONNECT, 3, 0);
		sys_hash_user_args(uaddr, SOCKADDR_MAX, NULL, 0);
	}
	return 0;
}

_Static_assert(NET_UNIX_CONNECT_ARG_FAMILY != 3 && NET_UNIX_CONNECT_ARG_FD != 3,
	       "exit_connect clears args[3] of NET_UNIX_CONNECT by number");

SEC("tp/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	int fd = (int)s->ev.args[0];
	const void *uaddr = (const void *)s->ev.args[1];
	__u64 addrlen = s->ev.args[2];
	/* the call's addr and addrlen: put_local fills these slots for inet, NET_UNIX_CONNECT has none
	 * there (cleared by number) */
	s->ev.args[1] = 0;
	s->ev.args[2] = 0;
	s->ev.args[NET_CONNECT_ARG_FD] = fd;
	if (s->ev.hdr.type == EVENT_NET_UNIX_CONNECT) {
		struct sock *sk = fd_sock(fd);
		s->ev.args[NET_UNIX_CONNECT_ARG_FAMILY] = AF_UNIX;
		s->ev.args[3] = 0; /* no NET_UNIX_CONNECT slot: cleared by number */
		s->ev.args[NET_UNIX_CONNECT_ARG_SOCKET_TYPE] = sk ? BPF_CORE_READ(sk, sk_type) : 0;
		__u32 len = addrlen > 2 ? addrlen - 2 : 0;
		if (len > UNIX_PATH_MAX)
			len = UNIX_PATH_MAX;
		/* sun_path may hold no NUL (abstract names, exact-length paths): copy bytes, trim in the agent */
		sys_put_user_bytes(s, NET_UNIX_CONNECT_STR_PATH, uaddr + 2, len);
		__u64 hl = addrlen < UNIX_PATH_MAX + 2 ? addrlen : UNIX_PATH_MAX + 2;
		sys_check_user_args(s, uaddr, hl ? hl : 1, NULL, 0);
		return sys_submit_path(s);
	}
	struct sock *sk = fd_sock(fd);
	if (!sk)
		return 0;
	put_local(s, sk);
	int connected = s->ev.ret == 0 || s->ev.ret == -EINPROGRESS;
	if (connected) {
		/* where the kernel connected it, whatever the buffer says now (a cgroup/connect program may
		 * have rewritten it too: a service address to a backend) */
		put_peer(s, sk);
		sys_check_user_args(s, uaddr, SOCKADDR_MAX, NULL, 0); /* the buffer changing is evidence still */
	} else {
		put_user_peer(s, uaddr);
		sys_check_user_args(s, uaddr, SOCKADDR_MAX, NULL, 0);
	}
	if (s->ev.args[NET_CONNECT_ARG_PROTOCOL] == IPPROTO_UDP
	    && !udp_port_watched((__u16)s->ev.args[NET_CONNECT_ARG_REMOTE_PORT]))
		return 0;
	return sys_submit(s);
}

/* accept, accept4: the new connection's socket holds both ends. */
static __always_inline int accept_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	__s64 ret = s->ev.ret;
	/* an empty queue on a non-blocking listener is how event loops poll: not an event */
	if (ret == -EAGAIN || ret == -EINTR)
		return 0;
	int listener = (int)s->ev.args[0]; /* the call's fd */
	s->ev.args[NET_ACCEPT_ARG_PROTOCOL] = 0;
	s->ev.args[NET_ACCEPT_ARG_REMOTE_PORT] = 0;
	struct sock *sk = fd_sock(ret >= 0 ? (int)ret : listener);
	if (!sk)
		return 0;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	put_local(s, sk);
	if (ret >= 0)
		put_peer(s, sk);
	s->ev.args[NET_ACCEPT_ARG_FD] = listener;
	return sys_submit(s);
}

ENTER(accept, EVENT_NET_ACCEPT, 3)
SEC("tp/syscalls/sys_exit_accept")
int exit_accept(struct trace_event_raw_sys_exit *ctx) { return accept_exit(ctx); }
ENTER(accept4, EVENT_NET_ACCEPT, 4)
SEC("tp/syscalls/sys_exit_accept4")
int exit_accept4(struct trace_event_raw_sys_exit *ctx) { return accept_exit(ctx); }

/* listen(fd, backlog): a new server socket; its bound address and port. */
ENTER(listen, EVENT_NET_LISTEN, 2)
SEC("tp/syscalls/sys_exit_listen")
int exit_listen(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	int fd = (int)s->ev.args[0];
	__u64 backlog = s->ev.args[1];
	struct sock *sk = fd_sock(fd);
	if (!sk)
		return 0;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	s->ev.args[NET_LISTEN_ARG_REMOTE_PORT] = 0;
	put_local(s, sk);
	s->ev.args[NET_LISTEN_ARG_BACKLOG] = backlog;
	return sys_submit(s);
}

/* bind(fd, addr, len) to a chosen inet port; port 0 only picks a source address. */
SEC("tp/syscalls/sys_enter_bind")
int enter_bind(struct trace_event_raw_sys_enter *ctx)
{
	struct sa_head h = user_sa((const void *)ctx->args[1]);
	if ((h.family != AF_INET && h.family != AF_INET6) || h.port == 0)
		return 0;
	return sys_enter(ctx, EVENT_NET_BIND, 3);
}

SEC("tp/syscalls/sys_exit_bind")
int exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	int fd = (int)s->ev.args[0];
	const void *uaddr = (const void *)s->ev.args[1];
	struct sock *sk = fd_sock(fd);
	if (!sk)
		return 0;
	struct sa_head h = user_sa(uaddr);
	s->ev.args[NET_BIND_ARG_FAMILY] = h.family;
	s->ev.args[NET_BIND_ARG_PROTOCOL] = BPF_CORE_READ(sk, sk_protocol);
	s->ev.args[NET_BIND_ARG_LOCAL_PORT] = bpf_ntohs(h.port); /* the port asked for, even when refused */
	s->ev.args[NET_BIND_ARG_REMOTE_PORT] = 0;
	s->ev.args[NET_BIND_ARG_SOCKET_TYPE] = BPF_CORE_READ(sk, sk_type);
	s->ev.args[NET_BIND_ARG_FD] = fd;
	if (h.family == AF_INET)
		sys_put_user_bytes(s, NET_BIND_STR_LOCAL_ADDRESS, uaddr + 4, 4);
	else
		sys_put_user_bytes(s, NET_BIND_STR_LOCAL_ADDRESS, uaddr + 8, 16);
	return sys_submit(s);
}

/*
 * Datagrams to a watched UDP port with an explicit address (sendto, sendmsg).
 * A connected UDP socket was reported at its connect.
 */
static __always_inline int send_enter(struct trace_event_raw_sys_enter *ctx, int fd, const void *uaddr, int nargs)
{
	if (!uaddr)
		return 0;
	struct sa_head h = user_sa(uaddr);
	if (h.family != AF_INET && h.family != AF_INET6)
		return 0;
	if (!udp_port_watched(bpf_ntohs(h.port)))
		return 0;
	struct sock *sk = fd_sock(fd);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP)
		return 0;
	if (policy_wants(EVENT_NET_SEND)) {
		sys_stash(ctx, EVENT_NET_SEND, nargs, (__u64)uaddr);
		sys_hash_user_args(uaddr, SOCKADDR_MAX, NULL, 0);
	}
	return 0;
}

SEC("tp/syscalls/sys_enter_sendto")
int enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	return send_enter(ctx, (int)ctx->args[0], (const void *)ctx->args[4], 6);
}

SEC("tp/syscalls/sys_enter_sendmsg")
int enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	void *name = NULL;
	struct user_msghdr *msg = (struct user_msghdr *)ctx->args[1];
	bpf_probe_read_user(&name, sizeof(name), &msg->msg_name);
	return send_enter(ctx, (int)ctx->args[0], name, 3);
}

static __always_inline int send_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 uaddr = 0;
	struct sys_scratch *s = sys_begin(ctx, &uaddr);
	if (!s)
		return 0;
	int fd = (int)s->ev.args[0];
	struct sock *sk = fd_sock(fd);
	if (!sk)
		return 0;
	s->ev.args[NET_SEND_ARG_REMOTE_PORT] = 0;
	put_local(s, sk);
	put_user_peer(s, (const void *)uaddr);
	sys_check_user_args(s, (const void *)uaddr, SOCKADDR_MAX, NULL, 0);
	s->ev.args[NET_SEND_ARG_FD] = fd;
	return sys_submit(s);
}

SEC("tp/syscalls/sys_exit_sendto")
int exit_sendto(struct trace_event_raw_sys_exit *ctx) { return send_exit(ctx); }
SEC("tp/syscalls/sys_exit_sendmsg")
int exit_sendmsg(struct trace_event_raw_sys_exit *ctx) { return send_exit(ctx); }

#endif
