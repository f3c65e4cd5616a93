/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel and host integrity: module and kexec loads, BPF program loads,
 * mounts, root switches and clock changes.
 *
 *   MODULE_LOAD     args: fd (finit_module, else -1), flags, image length (init_module)
 *                   str0: module file (finit_module), str1: parameters
 *   MODULE_UNLOAD   args: flags                          str2: module name
 *   KEXEC_LOAD      args: entry, segments, flags, 1 for kexec_file_load
 *                   str0: kernel image (kexec_file_load), str1: command line
 *   BPF_LOAD        args: program type, instruction count, expected attach type, program id
 *                         (0 when the load failed), program flags
 *                   str0: program name
 *   BPF_TAMPER      args: bpf command, object kind (enum bpf_object_kind), object id
 *                   str0: object name                    FLAG_TARGET_IS_AGENT
 *                   Another process's bpf(2) call on one of the agent's maps, programs or links:
 *                   taking a descriptor by id, writing, deleting, freezing, pinning, detaching.
 *                   Reported whatever the caller's rules and policy_types say. A descriptor taken by id is named
 *                   from the descriptor the kernel returned, which the caller cannot change; the
 *                   other commands name the object from the descriptor read at entry and, when
 *                   that one is not the agent's, from the one read again at exit: a caller that
 *                   swaps the descriptor under the kernel must still have taken it by id first
 *                   (or by pidfd_getfd from the agent, reported as such).
 *   MOUNT           args: flags, 1 for move_mount       str0: target, str1: source, str2: fstype
 *   UMOUNT          args: flags                          str0: target
 *   PIVOT_ROOT      -                                    str0: new root, str1: where the old one went
 *   CLOCK_SET       args: clock id, seconds, nanoseconds, 1 when it is an offset (ADJ_SETOFFSET),
 *                         adjtimex modes
 *
 * Kernels built without module support have no tracepoints for the module and
 * kexec calls; for them one raw_tp/sys_exit program (fallback_sys_exit) looks
 * at every system call's exit and keeps those the agent marked in
 * fallback_syscalls. The agent loads it only when such tracepoints are
 * missing: it runs on every system call.
 */
#ifndef OKR_PROBES_INTEGRITY_H
#define OKR_PROBES_INTEGRITY_H

#include "../lib/syscall.h"

#define BPF_MAP_UPDATE_ELEM 2
#define BPF_MAP_DELETE_ELEM 3
#define BPF_PROG_LOAD 5
#define BPF_OBJ_PIN 6
#define BPF_PROG_DETACH 9
#define BPF_PROG_GET_FD_BY_ID 13
#define BPF_MAP_GET_FD_BY_ID 14
#define BPF_MAP_LOOKUP_AND_DELETE_ELEM 21
#define BPF_MAP_FREEZE 22
#define BPF_MAP_LOOKUP_AND_DELETE_BATCH 25
#define BPF_MAP_UPDATE_BATCH 26
#define BPF_MAP_DELETE_BATCH 27
#define BPF_LINK_UPDATE 29
#define BPF_LINK_GET_FD_BY_ID 30
#define BPF_LINK_DETACH 34
#define ADJ_SETOFFSET 0x0100
#define ADJ_NANO 0x2000
#define CLOCK_REALTIME 0

/* Which call a module or kexec record comes from (values of fallback_syscalls, set by the agent). */
enum fallback_kind {
	KIND_INIT_MODULE = 1,
	KIND_FINIT_MODULE = 2,
	KIND_DELETE_MODULE = 3,
	KIND_KEXEC_LOAD = 4,
	KIND_KEXEC_FILE_LOAD = 5,
};

/* args[] hold the call's arguments as given; rewrite them into the record's layout. */
static __always_inline int module_record(struct sys_scratch *s, __u32 kind)
{
	__u64 a0 = s->ev.args[0], a1 = s->ev.args[1], a2 = s->ev.args[2], a3 = s->ev.args[3], a4 = s->ev.args[4];
	for (int i = 0; i < 6; i++)
		s->ev.args[i] = 0;
	switch (kind) {
	case KIND_INIT_MODULE: /* (image, len, params) */
		s->ev.args[MODULE_LOAD_ARG_FD] = (__u64)-1;
		s->ev.args[MODULE_LOAD_ARG_IMAGE_LENGTH] = a1;
		sys_put_user_str(s, MODULE_LOAD_STR_PARAMETERS, (const char *)a2, SYS_STR_SMALL);
		break;
	case KIND_FINIT_MODULE: /* (fd, params, flags) */
		s->ev.args[MODULE_LOAD_ARG_FD] = a0;
		s->ev.args[MODULE_LOAD_ARG_FLAGS] = a2;
		sys_put_fd_path(s, MODULE_LOAD_STR_PATH, (int)a0);
		sys_put_user_str(s, MODULE_LOAD_STR_PARAMETERS, (const char *)a1, SYS_STR_SMALL);
		break;
	case KIND_DELETE_MODULE: /* (name, flags) */
		s->ev.args[MODULE_UNLOAD_ARG_FLAGS] = a1;
		sys_put_user_str(s, MODULE_UNLOAD_STR_NAME, (const char *)a0, 64);
		break;
	case KIND_KEXEC_LOAD: /* (entry, nr_segments, segments, flags) */
		s->ev.args[KEXEC_LOAD_ARG_ENTRY] = a0;
		s->ev.args[KEXEC_LOAD_ARG_SEGMENTS] = a1;
		s->ev.args[KEXEC_LOAD_ARG_FLAGS] = a3;
		break;
	case KIND_KEXEC_FILE_LOAD: /* (kernel_fd, initrd_fd, cmdline_len, cmdline, flags) */
		s->ev.args[KEXEC_LOAD_ARG_FLAGS] = a4;
		s->ev.args[KEXEC_LOAD_ARG_FILE_LOAD] = 1;
		sys_put_fd_path(s, KEXEC_LOAD_STR_IMAGE, (int)a0);
		sys_put_user_str(s, KEXEC_LOAD_STR_COMMAND_LINE, (const char *)a3, SYS_STR_SMALL);
		break;
	default:
		return 0;
	}
	return sys_submit(s);
}

#define MODULE_PROBE(sys, type, nargs, kind)                                              \
	ENTER(sys, type, nargs)                                                           \
	SEC("tp/syscalls/sys_exit_" #sys)                                                 \
	int exit_##sys(struct trace_event_raw_sys_exit *ctx)                              \
	{                                                                                 \
		struct sys_scratch *s = sys_begin(ctx, NULL);                             \
		return s ? module_record(s, kind) : 0;                                    \
	}

MODULE_PROBE(init_module, EVENT_MODULE_LOAD, 3, KIND_INIT_MODULE)
MODULE_PROBE(finit_module, EVENT_MODULE_LOAD, 3, KIND_FINIT_MODULE)
MODULE_PROBE(delete_module, EVENT_MODULE_UNLOAD, 2, KIND_DELETE_MODULE)
MODULE_PROBE(kexec_load, EVENT_KEXEC_LOAD, 4, KIND_KEXEC_LOAD)
MODULE_PROBE(kexec_file_load, EVENT_KEXEC_LOAD, 5, KIND_KEXEC_FILE_LOAD)

/* syscall number -> enum fallback_kind, for the calls whose tracepoints this kernel lacks */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} fallback_syscalls SEC(".maps");

struct pt_regs___arm64 {
	__u64 regs[31];
	__s32 syscallno;
} __attribute__((preserve_access_index));

SEC("raw_tp/sys_exit")
int fallback_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
#if defined(__TARGET_ARCH_x86)
	__u32 nr = BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	__u32 nr = BPF_CORE_READ((struct pt_regs___arm64 *)regs, syscallno);
#else
	__u32 nr = (__u32)-1;
#endif
	__u32 *kind = bpf_map_lookup_elem(&fallback_syscalls, &nr);
	if (!kind || !*kind)
		return 0;
	__u32 k = *kind;
	__u32 type = k == KIND_DELETE_MODULE ? EVENT_MODULE_UNLOAD
		: k >= KIND_KEXEC_LOAD ? EVENT_KEXEC_LOAD : EVENT_MODULE_LOAD;
	if (!policy_wants(type))
		return 0;
	struct sys_scratch *s = sys_begin_now(type, (__s64)ctx->args[1], nr);
	if (!s)
		return 0;
	/* the call's arguments by position, as sys_begin would have them: module_record makes the payload */
	s->ev.args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	s->ev.args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	s->ev.args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	s->ev.args[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	s->ev.args[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	return module_record(s, k);
}

/* bpf(BPF_PROG_LOAD, attr, size): the union bpf_attr prefix a program load uses */
struct prog_load_attr {
	__u32 prog_type;
	__u32 insn_cnt;
	__u64 insns, license;
	__u32 log_level, log_size;
	__u64 log_buf;
	__u32 kern_version, prog_flags;
	char prog_name[16];
	__u32 prog_ifindex;
	__u32 expected_attach_type;
};

/*
 * A descriptor taken by id: maps only. A map descriptor is how the agent's state is written; a
 * program's or a link's is what every `bpftool prog|link show` takes for every object on the host
 * (hundreds of records per listing), and what can be done with one that matters (detach, update)
 * is reported as its own command.
 */
static __always_inline int bpf_cmd_gets_fd_by_id(__u64 cmd)
{
	return cmd == BPF_MAP_GET_FD_BY_ID;
}

/* Where the descriptor a command acts on sits in its union bpf_attr member; -1: none we watch. */
static __always_inline int bpf_cmd_fd_offset(__u64 cmd)
{
	switch (cmd) {
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_DELETE_ELEM:
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
	case BPF_MAP_FREEZE:
	case BPF_LINK_UPDATE:
	case BPF_LINK_DETACH:
		return 0; /* map_fd, link_fd */
	case BPF_PROG_DETACH:
		return 4; /* attach_bpf_fd */
	case BPF_OBJ_PIN:
		return 8; /* bpf_fd, after the path */
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH:
		return 36; /* batch.map_fd, after four pointers and the count */
	default:
		return -1;
	}
}

/* The agent's object a command names through the descriptor in its attr, or 0. */
static __always_inline __u32 bpf_attr_agent_object(const void *uattr, int off, __u32 *kind, char name[16])
{
	__s32 fd = -1;
	bpf_probe_read_user(&fd, sizeof(fd), uattr + (off & 63));
	__u32 id = bpf_file_object(fd_file(fd), kind, name);
	return is_agent_object(*kind, id) ? id : 0;
}

static __always_inline int bpf_tamper_enter(struct trace_event_raw_sys_enter *ctx, __u64 cmd)
{
	int off = bpf_cmd_fd_offset(cmd);
	int by_id = bpf_cmd_gets_fd_by_id(cmd);
	/* not switched by policy_types: a tamperer's first write would switch its later ones off */
	if ((off < 0 && !by_id) || !aimed_at_agent_by_other(1))
		return 0;
	const void *uattr = (const void *)ctx->args[1];
	__u32 kind = 0, id = 0;
	char name[16];
	if (by_id) {
		/* the id is the attr's first word; the exit names the object from the returned descriptor */
		bpf_probe_read_user(&id, sizeof(id), uattr);
		kind = BPF_OBJECT_MAP;
	} else {
		__s32 fd = -1;
		if (bpf_probe_read_user(&fd, sizeof(fd), uattr + (off & 63)) < 0) {
			/* unreadable here (its page not in yet): the exit reads it again and decides */
			sys_stash(ctx, EVENT_BPF_TAMPER, 3, 0);
			return 0;
		}
		id = bpf_attr_agent_object(uattr, off, &kind, name);
	}
	if (!by_id && !id)
		return 0;
	sys_stash(ctx, EVENT_BPF_TAMPER, 3, ((__u64)kind << 32) | id);
	return 0;
}

SEC("tp/syscalls/sys_enter_bpf")
int enter_bpf(struct trace_event_raw_sys_enter *ctx)
{
	__u64 cmd = ctx->args[0];
	return cmd == BPF_PROG_LOAD ? sys_enter(ctx, EVENT_BPF_LOAD, 3) : bpf_tamper_enter(ctx, cmd);
}

/* bpf(cmd, attr, size): the command is the payload as given */
_Static_assert(BPF_TAMPER_ARG_COMMAND == 0, "bpf's cmd stays in place");

static __always_inline int bpf_tamper_exit(struct sys_scratch *s, __u64 aux)
{
	__u64 cmd = s->ev.args[0];
	const void *uattr = (const void *)s->ev.args[1];
	__u32 kind = aux >> 32, id = (__u32)aux, k = 0;
	char name[16] = {};
	if (bpf_cmd_gets_fd_by_id(cmd)) {
		__u32 got = s->ev.ret >= 0 ? bpf_file_object(fd_file((int)s->ev.ret), &k, name) : 0;
		if (got) {
			kind = k;
			id = got;
		}
		if (!is_agent_object(kind, id))
			return 0; /* someone else's object */
	} else {
		/* named at entry; read again for the name (and in case the caller swapped the descriptor) */
		__u32 again = bpf_attr_agent_object(uattr, bpf_cmd_fd_offset(cmd), &k, name);
		if (again && again != id) {
			kind = k;
			id = again;
		}
		if (!again)
			__builtin_memset(name, 0, sizeof(name)); /* whatever it names now is not ours */
		if (!is_agent_object(kind, id))
			return 0; /* unreadable at entry and not ours at exit */
	}
	s->ev.args[BPF_TAMPER_ARG_OBJECT_KIND] = kind;
	s->ev.args[BPF_TAMPER_ARG_OBJECT_ID] = id;
	s->ev.hdr.flags |= FLAG_TARGET_IS_AGENT;
	char *dst = sys_slot(s, BPF_TAMPER_STR_NAME);
	if (dst) {
		name[15] = 0;
		long n = bpf_probe_read_kernel_str(dst, 16, name);
		sys_commit(s, BPF_TAMPER_STR_NAME, n > 0 ? n - 1 : 0);
	}
	return sys_submit(s);
}

_Static_assert(BPF_LOAD_ARG_PROGRAM_TYPE != 5 && BPF_LOAD_ARG_INSTRUCTIONS != 5 && BPF_LOAD_ARG_ATTACH_TYPE != 5
		       && BPF_LOAD_ARG_PROGRAM_ID != 5 && BPF_LOAD_ARG_PROGRAM_FLAGS != 5,
	       "bpf_load_exit clears args[5] by number");

static __always_inline int bpf_load_exit(struct sys_scratch *s)
{
	const void *uattr = (const void *)s->ev.args[1];
	__u64 size = s->ev.args[2];
	struct prog_load_attr a = {};
	bpf_probe_read_user(&a, size < sizeof(a) ? (size & (sizeof(a) - 1)) : sizeof(a), uattr);
	s->ev.args[BPF_LOAD_ARG_PROGRAM_TYPE] = a.prog_type;
	s->ev.args[BPF_LOAD_ARG_INSTRUCTIONS] = a.insn_cnt;
	s->ev.args[BPF_LOAD_ARG_ATTACH_TYPE] = a.expected_attach_type;
	s->ev.args[BPF_LOAD_ARG_PROGRAM_ID] = 0;
	s->ev.args[BPF_LOAD_ARG_PROGRAM_FLAGS] = a.prog_flags;
	s->ev.args[5] = 0; /* no BPF_LOAD slot: cleared by number */
	if (s->ev.ret >= 0) {
		struct file *f = fd_file((int)s->ev.ret);
		struct bpf_prog *prog = f ? BPF_CORE_READ(f, private_data) : NULL;
		if (prog)
			s->ev.args[BPF_LOAD_ARG_PROGRAM_ID] = BPF_CORE_READ(prog, aux, id);
	}
	char *dst = sys_slot(s, BPF_LOAD_STR_NAME);
	if (dst) {
		a.prog_name[15] = 0;
		long n = bpf_probe_read_kernel_str(dst, 16, a.prog_name);
		sys_commit(s, BPF_LOAD_STR_NAME, n > 0 ? n - 1 : 0);
	}
	return sys_submit(s);
}

SEC("tp/syscalls/sys_exit_bpf")
int exit_bpf(struct trace_event_raw_sys_exit *ctx)
{
	__u64 aux = 0;
	struct sys_scratch *s = sys_begin(ctx, &aux);
	if (!s)
		return 0;
	return s->ev.hdr.type == EVENT_BPF_TAMPER ? bpf_tamper_exit(s, aux) : bpf_load_exit(s);
}

/* mount(source, target, fstype, flags, data) */
ENTER(mount, EVENT_MOUNT, 5)
SEC("tp/syscalls/sys_exit_mount")
int exit_mount(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	const char *source = (const char *)s->ev.args[0];
	const char *target = (const char *)s->ev.args[1];
	const char *fstype = (const char *)s->ev.args[2];
	__u64 flags = s->ev.args[3];
	for (int i = 0; i < 6; i++)
		s->ev.args[i] = 0;
	s->ev.args[MOUNT_ARG_FLAGS] = flags;
	sys_put_user_path(s, MOUNT_STR_TARGET, AT_FDCWD, target);
	sys_put_user_str(s, MOUNT_STR_SOURCE, source, SYS_STR_SMALL);
	sys_put_user_str(s, MOUNT_STR_FSTYPE, fstype, 64);
	return sys_submit(s);
}

/* move_mount(from_dfd, from_path, to_dfd, to_path, flags): how the new mount API attaches */
ENTER(move_mount, EVENT_MOUNT, 5)
SEC("tp/syscalls/sys_exit_move_mount")
int exit_move_mount(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	int from_dfd = (int)s->ev.args[0];
	const char *from = (const char *)s->ev.args[1];
	int to_dfd = (int)s->ev.args[2];
	const char *to = (const char *)s->ev.args[3];
	__u64 flags = s->ev.args[4];
	for (int i = 0; i < 6; i++)
		s->ev.args[i] = 0;
	s->ev.args[MOUNT_ARG_FLAGS] = flags;
	s->ev.args[MOUNT_ARG_MOVE] = 1;
	sys_put_user_path(s, MOUNT_STR_TARGET, to_dfd, to);
	sys_put_user_path(s, MOUNT_STR_SOURCE, from_dfd, from);
	return sys_submit(s);
}

/* umount2(target, flags): the tracepoint is named after the kernel's sys_umount */
_Static_assert(UMOUNT_ARG_FLAGS != 1, "exit_umount clears args[1] by number");
ENTER(umount, EVENT_UMOUNT, 2)
SEC("tp/syscalls/sys_exit_umount")
int exit_umount(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	const char *target = (const char *)s->ev.args[0];
	s->ev.args[UMOUNT_ARG_FLAGS] = s->ev.args[1]; /* the call's flags */
	s->ev.args[1] = 0; /* no UMOUNT slot: cleared by number */
	sys_put_user_path(s, UMOUNT_STR_TARGET, AT_FDCWD, target);
	return sys_submit(s);
}

ENTER(pivot_root, EVENT_PIVOT_ROOT, 2)
SEC("tp/syscalls/sys_exit_pivot_root")
int exit_pivot_root(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	const char *new_root = (const char *)s->ev.args[0];
	const char *put_old = (const char *)s->ev.args[1];
	s->ev.args[0] = 0; /* the call's pointers: PIVOT_ROOT has no args slots, cleared by number */
	s->ev.args[1] = 0;
	sys_put_user_path(s, PIVOT_ROOT_STR_NEW_ROOT, AT_FDCWD, new_root);
	sys_put_user_path(s, PIVOT_ROOT_STR_PUT_OLD, AT_FDCWD, put_old);
	return sys_submit(s);
}

/* Clock changes: setting a clock, or stepping it by an offset (adjtimex ADJ_SETOFFSET); slewing is not an event. */
static __always_inline void put_clock(struct sys_scratch *s, __u64 clock, __s64 sec, __s64 nsec, __u64 offset,
				      __u64 modes)
{
	s->ev.args[CLOCK_SET_ARG_CLOCK] = clock;
	s->ev.args[CLOCK_SET_ARG_SECONDS] = sec;
	s->ev.args[CLOCK_SET_ARG_NANOSECONDS] = nsec;
	s->ev.args[CLOCK_SET_ARG_OFFSET] = offset;
	s->ev.args[CLOCK_SET_ARG_MODES] = modes;
	s->ev.args[5] = 0; /* no CLOCK_SET slot: cleared by number */
}
_Static_assert(CLOCK_SET_ARG_CLOCK != 5 && CLOCK_SET_ARG_SECONDS != 5 && CLOCK_SET_ARG_NANOSECONDS != 5
		       && CLOCK_SET_ARG_OFFSET != 5 && CLOCK_SET_ARG_MODES != 5,
	       "put_clock clears args[5] by number");

ENTER(clock_settime, EVENT_CLOCK_SET, 2)
SEC("tp/syscalls/sys_exit_clock_settime")
int exit_clock_settime(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	__s64 ts[2] = {};
	bpf_probe_read_user(ts, sizeof(ts), (const void *)s->ev.args[1]);
	put_clock(s, s->ev.args[0], ts[0], ts[1], 0, 0);
	return sys_submit(s);
}

SEC("tp/syscalls/sys_enter_settimeofday")
int enter_settimeofday(struct trace_event_raw_sys_enter *ctx)
{
	return ctx->args[0] ? sys_enter(ctx, EVENT_CLOCK_SET, 2) : 0; /* a NULL tv sets only the timezone */
}
SEC("tp/syscalls/sys_exit_settimeofday")
int exit_settimeofday(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	__s64 tv[2] = {};
	bpf_probe_read_user(tv, sizeof(tv), (const void *)s->ev.args[0]);
	put_clock(s, CLOCK_REALTIME, tv[0], tv[1] * 1000, 0, 0);
	return sys_submit(s);
}

/* struct __kernel_timex: modes at 0, time (s64 sec, s64 usec or nsec) at 72 */
static __always_inline __u32 timex_modes(const void *utx)
{
	__u32 modes = 0;
	bpf_probe_read_user(&modes, sizeof(modes), utx);
	return modes;
}

/* The clock (absent: CLOCK_REALTIME) and the struct __kernel_timex of an adjtimex call, as ARG(n). */
struct timex_call {
	__u8 clock;
	__u8 timex;
};

static __always_inline int timex_exit(struct trace_event_raw_sys_exit *ctx, struct timex_call c)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	const void *utx = (const void *)ARG_VALUE(s, c.timex, 0);
	__u64 clock = ARG_VALUE(s, c.clock, CLOCK_REALTIME);
	__u32 modes = timex_modes(utx);
	__s64 t[2] = {};
	bpf_probe_read_user(t, sizeof(t), utx + 72);
	put_clock(s, clock, t[0], (modes & ADJ_NANO) ? t[1] : t[1] * 1000, 1, modes);
	return sys_submit(s);
}

SEC("tp/syscalls/sys_enter_clock_adjtime")
int enter_clock_adjtime(struct trace_event_raw_sys_enter *ctx)
{
	return (timex_modes((const void *)ctx->args[1]) & ADJ_SETOFFSET) ? sys_enter(ctx, EVENT_CLOCK_SET, 2) : 0;
}
SEC("tp/syscalls/sys_exit_clock_adjtime")
int exit_clock_adjtime(struct trace_event_raw_sys_exit *ctx)
{
	return timex_exit(ctx, (struct timex_call){.clock = ARG(0), .timex = ARG(1)});
}

SEC("tp/syscalls/sys_enter_adjtimex")
int enter_adjtimex(struct trace_event_raw_sys_enter *ctx)
{
	return (timex_modes((const void *)ctx->args[0]) & ADJ_SETOFFSET) ? sys_enter(ctx, EVENT_CLOCK_SET, 1) : 0;
}
SEC("tp/syscalls/sys_exit_adjtimex")
int exit_adjtimex(struct trace_event_raw_sys_exit *ctx) { return timex_exit(ctx, (struct timex_call){.timex = ARG(0)}); }

#endif
