/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Privileges and process behaviour: credential changes, capability sets and
 * uses, prctl calls the policy names, signals to other processes (above all
 * to this agent), and namespace changes.
 *
 *   SETUID, SETGID  args: the call's ids as given (-1: unchanged; setuid/setgid: args[0] only),
 *                         args[3]: 1 for setfsuid/setfsgid,
 *                         args[4]: real id before, args[5]: effective id before
 *                   (the header holds the ids after the call)
 *   CAPSET          args: target pid, effective, permitted, inheritable (64-bit sets)
 *   PRCTL           args: option, arg2..arg5             str0: PR_SET_NAME's new name
 *   CAP_USE         args: capability, 1 when checked in the initial user namespace
 *                   ret: 0 granted, -EPERM denied; nr: -1 (not a system call)
 *   SIGNAL          args: target pid (kill: as given, may be <= 0), signal, target tid or 0
 *                   (kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal)
 *                   FLAG_TARGET_IS_AGENT when it aims at the agent
 *   SETNS           args: fd, nstype, namespace inode, pid of a pidfd's process
 *                   str2: namespace kind ("mnt", "net", ...) when fd is a namespace file
 *   UNSHARE         args: flags (CLONE_NEW*)
 */
#ifndef OKR_PROBES_CREDS_H
#define OKR_PROBES_CREDS_H

#include "../lib/syscall.h"

#define PR_SET_NAME 15
#define CAP_LAST 63
#define CLONE_NEW_ANY 0xfe020080ull /* NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME */

/* ids before the change: real in the low half, effective in the high half */
static __always_inline __u64 old_ids(int group)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const struct cred *cred = BPF_CORE_READ(task, real_cred);
	if (group)
		return BPF_CORE_READ(cred, gid.val) | ((__u64)BPF_CORE_READ(cred, egid.val) << 32);
	return BPF_CORE_READ(cred, uid.val) | ((__u64)BPF_CORE_READ(cred, euid.val) << 32);
}

/*
 * An id change is reported whatever the process rules say: changing ids is how a process would
 * move from a watched uid to an ignored one, and how an ignored root hands work to another user.
 */
static __always_inline int id_enter(struct trace_event_raw_sys_enter *ctx, __u32 type, int nargs)
{
	if (!(type_policy(type) & TYPE_ENABLED) || !aimed_at_agent_by_other(1))
		return 0;
	int wanted = policy_wants(type);
	sys_stash(ctx, type, nargs, old_ids(type == EVENT_SETGID));
	struct pending *p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, 0);
	if (p && !wanted)
		p->uhash = 1; /* the rules would have dropped it: the exit keeps it only if ids changed */
	return 0;
}

/*
 * One layout for both types (the SETUID constants are used), and the ids as given stay where
 * sys_begin put the call's arguments: set*id(id0, id1, id2).
 */
_Static_assert(SETGID_ARG_ID0 == SETUID_ARG_ID0 && SETGID_ARG_ID1 == SETUID_ARG_ID1 && SETGID_ARG_ID2 == SETUID_ARG_ID2
		       && SETGID_ARG_FILESYSTEM == SETUID_ARG_FILESYSTEM
		       && SETGID_ARG_PREVIOUS_REAL == SETUID_ARG_PREVIOUS_REAL
		       && SETGID_ARG_PREVIOUS_EFFECTIVE == SETUID_ARG_PREVIOUS_EFFECTIVE,
	       "id_exit writes SETUID and SETGID records alike");
_Static_assert(SETUID_ARG_ID0 == 0 && SETUID_ARG_ID1 == 1 && SETUID_ARG_ID2 == 2,
	       "the ids are the call's arguments 0..2, left in place");

/* nargs ids as given, -1 for those the call has not */
static __always_inline int id_exit(struct trace_event_raw_sys_exit *ctx, int nargs, int fs)
{
	__u64 old = 0;
	struct sys_scratch *s = sys_begin(ctx, &old);
	if (!s)
		return 0;
	if (s->uhash == 1) {
		/* a process the rules ignore: only a change counts (servers that switch per request to
		 * the same ids, setfsuid(-1) queries and glibc's per-thread broadcast would flood) */
		__u64 now = old_ids(s->ev.hdr.type == EVENT_SETGID);
		if (now == old || s->ev.ret < 0)
			return 0;
	}
	if (nargs < 3)
		s->ev.args[SETUID_ARG_ID2] = (__u32)-1;
	if (nargs < 2)
		s->ev.args[SETUID_ARG_ID1] = (__u32)-1;
	s->ev.args[SETUID_ARG_FILESYSTEM] = fs;
	s->ev.args[SETUID_ARG_PREVIOUS_REAL] = (__u32)old;
	s->ev.args[SETUID_ARG_PREVIOUS_EFFECTIVE] = old >> 32;
	return sys_submit(s);
}

#define ID_PROBE(sys, type, nargs, fs)                                                    \
	SEC("tp/syscalls/sys_enter_" #sys)                                                \
	int enter_##sys(struct trace_event_raw_sys_enter *ctx) { return id_enter(ctx, type, nargs); } \
	SEC("tp/syscalls/sys_exit_" #sys)                                                 \
	int exit_##sys(struct trace_event_raw_sys_exit *ctx) { return id_exit(ctx, nargs, fs); }

ID_PROBE(setuid, EVENT_SETUID, 1, 0)
ID_PROBE(setreuid, EVENT_SETUID, 2, 0)
ID_PROBE(setresuid, EVENT_SETUID, 3, 0)
ID_PROBE(setfsuid, EVENT_SETUID, 1, 1)
ID_PROBE(setgid, EVENT_SETGID, 1, 0)
ID_PROBE(setregid, EVENT_SETGID, 2, 0)
ID_PROBE(setresgid, EVENT_SETGID, 3, 0)
ID_PROBE(setfsgid, EVENT_SETGID, 1, 1)

/* capset(header, data): data is two __user_cap_data_struct (low and high 32 bits) */
struct cap_data {
	__u32 effective, permitted, inheritable;
};

ENTER(capset, EVENT_CAPSET, 2)
SEC("tp/syscalls/sys_exit_capset")
int exit_capset(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	const void *hdr = (const void *)s->ev.args[0];
	const void *data = (const void *)s->ev.args[1];
	struct cap_data d[2] = {};
	int pid = 0;
	bpf_probe_read_user(&pid, sizeof(pid), hdr + 4); /* __user_cap_header_struct { version, pid } */
	if (data)
		bpf_probe_read_user(d, sizeof(d), data);
	s->ev.args[CAPSET_ARG_PID] = pid;
	s->ev.args[CAPSET_ARG_EFFECTIVE] = d[0].effective | ((__u64)d[1].effective << 32);
	s->ev.args[CAPSET_ARG_PERMITTED] = d[0].permitted | ((__u64)d[1].permitted << 32);
	s->ev.args[CAPSET_ARG_INHERITABLE] = d[0].inheritable | ((__u64)d[1].inheritable << 32);
	return sys_submit(s);
}

/* prctl: the options the policy names; threads naming themselves are routine, processes less so */
SEC("tp/syscalls/sys_enter_prctl")
int enter_prctl(struct trace_event_raw_sys_enter *ctx)
{
	__u64 option = ctx->args[0];
	if (option > CAP_LAST)
		return 0;
	struct policy_global *g = policy();
	if (!g || !((g->prctl_options >> option) & 1))
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	if (option == PR_SET_NAME && (__u32)id != (id >> 32))
		return 0;
	return sys_enter(ctx, EVENT_PRCTL, 5);
}

/* prctl(option, arg2, arg3, arg4, arg5): the record's args are the call's, left in place */
_Static_assert(PRCTL_ARG_OPTION == 0 && PRCTL_ARG_ARG2 == 1 && PRCTL_ARG_ARG3 == 2 && PRCTL_ARG_ARG4 == 3
		       && PRCTL_ARG_ARG5 == 4,
	       "prctl's arguments are the payload as given");

SEC("tp/syscalls/sys_exit_prctl")
int exit_prctl(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	if (s->ev.args[0] == PR_SET_NAME) /* the call's option and arg2 (the new name) */
		sys_put_user_str(s, PRCTL_STR_NAME, (const char *)s->ev.args[1], 16);
	return sys_submit(s);
}

/*
 * Use of a capability the policy names, where the kernel checks it. The
 * tracepoint fires in the acting task for every check, granted or not.
 */
SEC("tp/capability/cap_capable")
int handle_cap_capable(struct trace_event_raw_cap_capable *ctx)
{
	int cap = ctx->cap;
	if (cap < 0 || cap > CAP_LAST)
		return 0;
	struct policy_global *g = policy();
	if (!g || !((g->cap_mask >> cap) & 1))
		return 0;
	if (!policy_wants(EVENT_CAP_USE))
		return 0;
	struct sys_scratch *s = sys_begin_now(EVENT_CAP_USE, ctx->ret, (__u32)-1);
	if (!s)
		return 0;
	s->ev.args[CAP_USE_ARG_CAPABILITY] = cap;
	/* level 0: the initial user namespace, where a capability is real host power */
	s->ev.args[CAP_USE_ARG_INITIAL_NAMESPACE] = BPF_CORE_READ(ctx->target_ns, level) == 0;
	return sys_submit(s);
}

/*
 * Signals: kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal. Signal 0 (a
 * liveness probe) and self-signals are skipped, except towards the agent: target is kill's (a pid,
 * 0, -1 or -pgid), tid a thread the call names (0: none).
 */
static __always_inline int signal_enter(struct trace_event_raw_sys_enter *ctx, __s64 target, __s64 tid, __s64 sig,
					int nargs, int kill_groups)
{
	__u32 self = bpf_get_current_pid_tgid() >> 32;
	/* 0, -1 and -pgid name groups for kill only; the others refuse them */
	int hit = (kill_groups ? signal_hits_agent(target) : is_agent_task(target)) || is_agent_task(tid);
	if (aimed_at_agent_by_other(hit)) {
		/* tampering with the sensor: reported whatever the sender's rules say */
		if (type_policy(EVENT_SIGNAL) & TYPE_ENABLED)
			sys_stash(ctx, EVENT_SIGNAL, nargs, 1);
		return 0;
	}
	if (sig == 0 || target == self)
		return 0;
	if (policy_wants(EVENT_SIGNAL))
		sys_stash(ctx, EVENT_SIGNAL, nargs, 0);
	return 0;
}

/* Where a signal call names its target process, thread and signal: ARG(n), or absent (0). */
struct signal_call {
	__u8 pid;
	__u8 tid;
	__u8 sig;
};

static __always_inline int signal_exit(struct trace_event_raw_sys_exit *ctx, struct signal_call c)
{
	__u64 agent = 0;
	struct sys_scratch *s = sys_begin(ctx, &agent);
	if (!s)
		return 0;
	__u64 pid = ARG_VALUE(s, c.pid, 0);
	__u64 sig = ARG_VALUE(s, c.sig, 0);
	__u64 tid = ARG_VALUE(s, c.tid, 0);
	s->ev.args[SIGNAL_ARG_PID] = pid;
	s->ev.args[SIGNAL_ARG_SIGNAL] = sig;
	s->ev.args[SIGNAL_ARG_TID] = tid;
	s->ev.args[3] = 0; /* rt_tgsigqueueinfo's info, no SIGNAL slot: cleared by number */
	if (agent)
		s->ev.hdr.flags |= FLAG_TARGET_IS_AGENT;
	return sys_submit(s);
}

SEC("tp/syscalls/sys_enter_kill")
int enter_kill(struct trace_event_raw_sys_enter *ctx)
{
	return signal_enter(ctx, (int)ctx->args[0], 0, ctx->args[1], 2, 1);
}
SEC("tp/syscalls/sys_exit_kill")
int exit_kill(struct trace_event_raw_sys_exit *ctx)
{
	return signal_exit(ctx, (struct signal_call){.pid = ARG(0), .sig = ARG(1)});
}

SEC("tp/syscalls/sys_enter_tkill")
int enter_tkill(struct trace_event_raw_sys_enter *ctx)
{
	return signal_enter(ctx, (int)ctx->args[0], (int)ctx->args[0], ctx->args[1], 2, 0);
}
SEC("tp/syscalls/sys_exit_tkill")
int exit_tkill(struct trace_event_raw_sys_exit *ctx)
{
	return signal_exit(ctx, (struct signal_call){.tid = ARG(0), .sig = ARG(1)});
}

SEC("tp/syscalls/sys_enter_tgkill")
int enter_tgkill(struct trace_event_raw_sys_enter *ctx)
{
	return signal_enter(ctx, (int)ctx->args[0], (int)ctx->args[1], ctx->args[2], 3, 0);
}
SEC("tp/syscalls/sys_exit_tgkill")
int exit_tgkill(struct trace_event_raw_sys_exit *ctx)
{
	return signal_exit(ctx, (struct signal_call){.pid = ARG(0), .tid = ARG(1), .sig = ARG(2)});
}

/* rt_sigqueueinfo(tgid, sig, info) and rt_tgsigqueueinfo(tgid, tid, sig, info): a signal with a forged siginfo */
SEC("tp/syscalls/sys_enter_rt_sigqueueinfo")
int enter_rt_sigqueueinfo(struct trace_event_raw_sys_enter *ctx)
{
	return signal_enter(ctx, (int)ctx->args[0], 0, ctx->args[1], 3, 0);
}
SEC("tp/syscalls/sys_exit_rt_sigqueueinfo")
int exit_rt_sigqueueinfo(struct trace_event_raw_sys_exit *ctx)
{
	return signal_exit(ctx, (struct signal_call){.pid = ARG(0), .sig = ARG(1)});
}

SEC("tp/syscalls/sys_enter_rt_tgsigqueueinfo")
int enter_rt_tgsigqueueinfo(struct trace_event_raw_sys_enter *ctx)
{
	return signal_enter(ctx, (int)ctx->args[0], (int)ctx->args[1], ctx->args[2], 4, 0);
}
SEC("tp/syscalls/sys_exit_rt_tgsigqueueinfo")
int exit_rt_tgsigqueueinfo(struct trace_event_raw_sys_exit *ctx)
{
	return signal_exit(ctx, (struct signal_call){.pid = ARG(0), .tid = ARG(1), .sig = ARG(2)});
}

/* Slots cleared by number after the payload is written must hold none of it. */
_Static_assert(SIGNAL_ARG_PID != 3 && SIGNAL_ARG_SIGNAL != 3 && SIGNAL_ARG_TID != 3, "args[3] is no SIGNAL slot");

/* The process behind a pidfd (private_data is its struct pid), or 0. */
static __always_inline __u32 pidfd_pid(int fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return 0;
	struct pid *p = BPF_CORE_READ(f, private_data);
	return p ? BPF_CORE_READ(p, numbers[0].nr) : 0;
}

SEC("tp/syscalls/sys_enter_pidfd_send_signal")
int enter_pidfd_send_signal(struct trace_event_raw_sys_enter *ctx)
{
	return signal_enter(ctx, pidfd_pid((int)ctx->args[0]), 0, ctx->args[1], 4, 0);
}
SEC("tp/syscalls/sys_exit_pidfd_send_signal")
int exit_pidfd_send_signal(struct trace_event_raw_sys_exit *ctx)
{
	__u64 aux = 0;
	struct sys_scratch *s = sys_begin(ctx, &aux);
	if (!s)
		return 0;
	__u32 pid = pidfd_pid((int)s->ev.args[0]); /* the call's pidfd */
	/* pidfd_send_signal(pidfd, sig, info, flags): the signal stays where the call had it */
	_Static_assert(SIGNAL_ARG_SIGNAL == 1, "the call's sig is the record's signal");
	s->ev.args[SIGNAL_ARG_PID] = pid;
	s->ev.args[SIGNAL_ARG_TID] = 0;
	s->ev.args[3] = 0; /* the call's flags, not a SIGNAL slot: cleared by number */
	/* aux: the entry saw the agent behind the fd (another thread may have swapped the fd since) */
	if (aux || is_agent_task(pid))
		s->ev.hdr.flags |= FLAG_TARGET_IS_AGENT;
	return sys_submit(s);
}

/* setns(fd, nstype): fd is a namespace file (/proc/PID/ns/NAME) or a pidfd; both stay in place */
_Static_assert(SETNS_ARG_FD == 0 && SETNS_ARG_NSTYPE == 1, "setns's arguments are the payload as given");
ENTER(setns, EVENT_SETNS, 2)
SEC("tp/syscalls/sys_exit_setns")
int exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	int fd = (int)s->ev.args[0];
	struct file *f = fd_file(fd);
	s->ev.args[SETNS_ARG_INODE] = 0;
	s->ev.args[SETNS_ARG_PID] = 0;
	if (f) {
		struct inode *inode = BPF_CORE_READ(f, f_inode);
		__u64 magic = BPF_CORE_READ(inode, i_sb, s_magic);
		if (magic == 0x6e736673) { /* NSFS_MAGIC: i_private is the namespace */
			struct ns_common *ns = BPF_CORE_READ(inode, i_private);
			s->ev.args[SETNS_ARG_INODE] = BPF_CORE_READ(inode, i_ino);
			const char *kind = BPF_CORE_READ(ns, ops, name);
			char *dst = sys_slot(s, SETNS_STR_KIND);
			if (dst && kind) {
				long n = bpf_probe_read_kernel_str(dst, 16, kind);
				sys_commit(s, SETNS_STR_KIND, n > 0 ? n - 1 : 0);
			}
		} else {
			s->ev.args[SETNS_ARG_PID] = pidfd_pid(fd);
		}
	}
	return sys_submit(s);
}

/* setsid(): the session the caller leaves, read at entry (at exit the header holds the new one) */
SEC("tp/syscalls/sys_enter_setsid")
int enter_setsid(void *ctx)
{
	if (!policy_wants(EVENT_SETSID))
		return 0;
	/* not sys_stash: a call without arguments has a 12-byte record, whose __syscall_nr is an int
	 * (trace_event_raw_sys_enter's 8-byte id would read past its end, and the attach is refused) */
	struct pending *p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0,
						 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p) {
		count_stash_fail(EVENT_SETSID);
		return 0;
	}
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	p->aux = BPF_CORE_READ(task, signal, pids[PIDTYPE_SID], numbers[0].nr);
	p->uhash = 0;
	p->nr = (__u32)*(__s32 *)((char *)ctx + 8);
	p->type = EVENT_SETSID;
#pragma unroll
	for (int i = 0; i < 6; i++)
		p->args[i] = 0;
	p->valid = 1;
	return 0;
}
SEC("tp/syscalls/sys_exit_setsid")
int exit_setsid(struct trace_event_raw_sys_exit *ctx)
{
	__u64 previous = 0;
	struct sys_scratch *s = sys_begin(ctx, &previous);
	if (!s)
		return 0;
	s->ev.args[SETSID_ARG_PREVIOUS_SESSION] = previous;
	return sys_submit(s);
}

/* unshare(flags): only calls that make new namespaces; the flags stay in place */
_Static_assert(UNSHARE_ARG_FLAGS == 0, "unshare's flags are the payload as given");
SEC("tp/syscalls/sys_enter_unshare")
int enter_unshare(struct trace_event_raw_sys_enter *ctx)
{
	if (!(ctx->args[0] & CLONE_NEW_ANY))
		return 0;
	return sys_enter(ctx, EVENT_UNSHARE, 1);
}
SEC("tp/syscalls/sys_exit_unshare")
int exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	return s ? sys_submit(s) : 0;
}

#endif
