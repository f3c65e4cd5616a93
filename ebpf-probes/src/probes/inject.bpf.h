/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Code injection and inspection of other processes: ptrace requests that
 * attach or write, cross-process memory access, anonymous executable files,
 * and memory made writable and executable at once.
 *
 *   PTRACE          args: request, target pid, addr        FLAG_TARGET_IS_AGENT
 *   VM_READ/WRITE   args: target pid, local iov count, remote iov count, flags
 *                   (ret: bytes moved)                      FLAG_TARGET_IS_AGENT
 *   PIDFD_GETFD     args: target pid, target fd, flags      str0: what the copied descriptor opens
 *                   (ret: the new fd)                       FLAG_TARGET_IS_AGENT
 *   MEMFD_CREATE    args: 0, flags (MFD_*)                  str0: name (ret: the fd)
 *   MEM_WX          args: address (mmap: as asked; ret is where it landed), length, prot,
 *                         mmap flags (or 0), pkey (pkey_mprotect, or -1)
 *                   str0: the mapped file, when mmap maps one
 */
#ifndef OKR_PROBES_INJECT_H
#define OKR_PROBES_INJECT_H

#include "../lib/syscall.h"

#define PTRACE_TRACEME 0
#define PTRACE_POKETEXT 4
#define PTRACE_POKEDATA 5
#define PTRACE_POKEUSER 6
#define PTRACE_SETREGS 13
#define PTRACE_SETFPREGS 15
#define PTRACE_ATTACH 16
#define PTRACE_SETREGSET 0x4205
#define PTRACE_SEIZE 0x4206
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_ANONYMOUS 0x20

static __always_inline void flag_agent_target(struct sys_scratch *s, __u64 pid, __u64 aux)
{
	if (aux || is_agent_task((__s32)pid)) /* the kernel takes a pid_t: high bits do not count */
		s->ev.hdr.flags |= FLAG_TARGET_IS_AGENT;
}

/* Another process aiming at the agent (or one of its threads): stashed whatever its rules say. */
static __always_inline int stash_if_aimed_at_agent(struct trace_event_raw_sys_enter *ctx, __u32 type, __s64 target,
						   int nargs)
{
	if (!aimed_at_agent_by_other(is_agent_task(target)))
		return 0;
	if (type_policy(type) & TYPE_ENABLED)
		sys_stash(ctx, type, nargs, 1);
	return 1;
}

/*
 * Requests that take hold of a process or change it; reads and stepping of a held tracee are not
 * events, except towards the agent, where every request is (a read of its memory is an attack).
 */
SEC("tp/syscalls/sys_enter_ptrace")
int enter_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[0] != PTRACE_TRACEME && stash_if_aimed_at_agent(ctx, EVENT_PTRACE, (__s32)ctx->args[1], 4))
		return 0;
	switch (ctx->args[0]) {
	case PTRACE_TRACEME:
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
	case PTRACE_POKEUSER:
	case PTRACE_SETREGS:
	case PTRACE_SETFPREGS:
	case PTRACE_ATTACH:
	case PTRACE_SETREGSET:
	case PTRACE_SEIZE:
		return sys_enter(ctx, EVENT_PTRACE, 4);
	}
	return 0;
}

/* ptrace(request, pid, addr, data): the first three are the payload as given */
_Static_assert(PTRACE_ARG_REQUEST == 0 && PTRACE_ARG_PID == 1 && PTRACE_ARG_ADDR == 2,
	       "ptrace's arguments are the payload as given");

SEC("tp/syscalls/sys_exit_ptrace")
int exit_ptrace(struct trace_event_raw_sys_exit *ctx)
{
	__u64 aux = 0;
	struct sys_scratch *s = sys_begin(ctx, &aux);
	if (!s)
		return 0;
	s->ev.args[3] = 0; /* data: a poke's word, not kept (no PTRACE slot): cleared by number */
	flag_agent_target(s, s->ev.args[1], aux); /* the call's pid */
	return sys_submit(s);
}

static __always_inline int vm_enter(struct trace_event_raw_sys_enter *ctx, __u32 type)
{
	if (stash_if_aimed_at_agent(ctx, type, (__s32)ctx->args[0], 6))
		return 0;
	return sys_enter(ctx, type, 6);
}

/* One layout for both types (the VM_READ constants are used); the pid stays where the call had it. */
_Static_assert(VM_WRITE_ARG_PID == VM_READ_ARG_PID && VM_WRITE_ARG_LOCAL_IOV_COUNT == VM_READ_ARG_LOCAL_IOV_COUNT
		       && VM_WRITE_ARG_REMOTE_IOV_COUNT == VM_READ_ARG_REMOTE_IOV_COUNT
		       && VM_WRITE_ARG_FLAGS == VM_READ_ARG_FLAGS,
	       "vm_exit writes VM_READ and VM_WRITE records alike");
_Static_assert(VM_READ_ARG_PID == 0, "process_vm_*v's pid is the payload as given");
_Static_assert(VM_READ_ARG_LOCAL_IOV_COUNT < 4 && VM_READ_ARG_REMOTE_IOV_COUNT < 4 && VM_READ_ARG_FLAGS < 4,
	       "vm_exit clears args[4] and args[5] by number after the payload");

static __always_inline int vm_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 aux = 0;
	struct sys_scratch *s = sys_begin(ctx, &aux);
	if (!s)
		return 0;
	/* pid, lvec, liovcnt, rvec, riovcnt, flags -> pid, liovcnt, riovcnt, flags */
	__u64 liovcnt = s->ev.args[2];
	__u64 riovcnt = s->ev.args[4];
	__u64 flags = s->ev.args[5];
	s->ev.args[VM_READ_ARG_LOCAL_IOV_COUNT] = liovcnt;
	s->ev.args[VM_READ_ARG_REMOTE_IOV_COUNT] = riovcnt;
	s->ev.args[VM_READ_ARG_FLAGS] = flags;
	s->ev.args[4] = 0; /* the call's riovcnt and flags, moved above: no VM_* slot, cleared by number */
	s->ev.args[5] = 0;
	flag_agent_target(s, s->ev.args[0], aux); /* the call's pid */
	return sys_submit(s);
}

SEC("tp/syscalls/sys_enter_process_vm_readv")
int enter_process_vm_readv(struct trace_event_raw_sys_enter *ctx) { return vm_enter(ctx, EVENT_VM_READ); }
SEC("tp/syscalls/sys_exit_process_vm_readv")
int exit_process_vm_readv(struct trace_event_raw_sys_exit *ctx) { return vm_exit(ctx); }
SEC("tp/syscalls/sys_enter_process_vm_writev")
int enter_process_vm_writev(struct trace_event_raw_sys_enter *ctx) { return vm_enter(ctx, EVENT_VM_WRITE); }
SEC("tp/syscalls/sys_exit_process_vm_writev")
int exit_process_vm_writev(struct trace_event_raw_sys_exit *ctx) { return vm_exit(ctx); }

#define PID_FS_MAGIC 0x50494446

/* The process a pidfd names (pidfs keeps the struct pid in the inode, older kernels in the file). */
static __always_inline __s32 pidfd_target(int pidfd)
{
	struct file *f = fd_file(pidfd);
	if (!f)
		return 0;
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	struct pid *pid = BPF_CORE_READ(inode, i_sb, s_magic) == PID_FS_MAGIC ? BPF_CORE_READ(inode, i_private)
									       : BPF_CORE_READ(f, private_data);
	return pid ? BPF_CORE_READ(pid, numbers[0].nr) : 0;
}

/*
 * pidfd_getfd(pidfd, targetfd, flags): a copy of another process's descriptor (its sockets, its
 * files). Stashed whenever the type is on (it is rare): the pidfd seen at entry can be swapped
 * before the kernel looks, so the exit decides again, from the pidfd and from what was copied (one
 * of the agent's BPF objects makes it aimed at the agent too). aux: the process rules wanted it.
 */
SEC("tp/syscalls/sys_enter_pidfd_getfd")
int enter_pidfd_getfd(struct trace_event_raw_sys_enter *ctx)
{
	if ((type_policy(EVENT_PIDFD_GETFD) & TYPE_ENABLED) && aimed_at_agent_by_other(1))
		sys_stash(ctx, EVENT_PIDFD_GETFD, 3, policy_wants(EVENT_PIDFD_GETFD));
	return 0;
}

/* pidfd_getfd(pidfd, targetfd, flags): targetfd and flags are the payload as given */
_Static_assert(PIDFD_GETFD_ARG_FD == 1 && PIDFD_GETFD_ARG_FLAGS == 2, "pidfd_getfd's arguments stay in place");

SEC("tp/syscalls/sys_exit_pidfd_getfd")
int exit_pidfd_getfd(struct trace_event_raw_sys_exit *ctx)
{
	__u64 wanted = 0;
	struct sys_scratch *s = sys_begin(ctx, &wanted);
	if (!s)
		return 0;
	__s32 target = pidfd_target((int)s->ev.args[0]); /* the call's pidfd */
	s->ev.args[PIDFD_GETFD_ARG_PID] = (__u64)(__s64)target;
	struct file *copied = s->ev.ret >= 0 ? fd_file((int)s->ev.ret) : NULL;
	__u32 kind = 0;
	char name[16];
	__u32 object = bpf_file_object(copied, &kind, name);
	if (is_agent_task(target) || is_agent_object(kind, object))
		s->ev.hdr.flags |= FLAG_TARGET_IS_AGENT;
	else if (!wanted)
		return 0;
	if (copied)
		sys_put_file_path(s, PIDFD_GETFD_STR_PATH, copied);
	return sys_submit(s);
}

/* memfd_create(name, flags): the flags stay in place */
_Static_assert(MEMFD_CREATE_ARG_FLAGS == 1, "memfd_create's flags are the payload as given");
ENTER(memfd_create, EVENT_MEMFD_CREATE, 2)
SEC("tp/syscalls/sys_exit_memfd_create")
int exit_memfd_create(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	const char *name = (const char *)s->ev.args[0];
	s->ev.args[0] = 0; /* the name's pointer: no MEMFD_CREATE slot, cleared by number */
	sys_put_user_str(s, MEMFD_CREATE_STR_NAME, name, 250); /* names are at most 249 bytes */
	return sys_submit(s);
}

/* W+X: the shape of injected or unpacked code (and of JIT compilers, hence the default merge window) */
static __always_inline int wx(__u64 prot)
{
	return (prot & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC);
}

/* mmap(addr, len, prot, flags, fd, off), mprotect(addr, len, prot), pkey_mprotect(addr, len, prot, pkey) */
_Static_assert(MEM_WX_ARG_ADDRESS == 0 && MEM_WX_ARG_LENGTH == 1 && MEM_WX_ARG_PROTECTION == 2
		       && MEM_WX_ARG_MMAP_FLAGS == 3,
	       "the calls' addr, len, prot (and mmap's flags) are the payload as given");
_Static_assert(MEM_WX_ARG_PKEY != 5, "exit_mmap clears args[5] by number");

SEC("tp/syscalls/sys_enter_mmap")
int enter_mmap(struct trace_event_raw_sys_enter *ctx)
{
	return wx(ctx->args[2]) ? sys_enter(ctx, EVENT_MEM_WX, 6) : 0;
}

SEC("tp/syscalls/sys_exit_mmap")
int exit_mmap(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	__u64 flags = s->ev.args[3];
	int fd = (int)s->ev.args[4];
	s->ev.args[MEM_WX_ARG_PKEY] = (__u64)-1;
	s->ev.args[5] = 0; /* the call's offset: no MEM_WX slot, cleared by number */
	if (!(flags & MAP_ANONYMOUS) && fd >= 0)
		sys_put_fd_path(s, MEM_WX_STR_PATH, fd);
	return sys_submit(s);
}

SEC("tp/syscalls/sys_enter_mprotect")
int enter_mprotect(struct trace_event_raw_sys_enter *ctx)
{
	return wx(ctx->args[2]) ? sys_enter(ctx, EVENT_MEM_WX, 3) : 0;
}

SEC("tp/syscalls/sys_enter_pkey_mprotect")
int enter_pkey_mprotect(struct trace_event_raw_sys_enter *ctx)
{
	return wx(ctx->args[2]) ? sys_enter(ctx, EVENT_MEM_WX, 4) : 0;
}

static __always_inline int mprotect_exit(struct trace_event_raw_sys_exit *ctx, int pkey)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	__u64 key = pkey ? s->ev.args[3] : (__u64)-1; /* pkey_mprotect's pkey */
	s->ev.args[MEM_WX_ARG_MMAP_FLAGS] = 0;
	s->ev.args[MEM_WX_ARG_PKEY] = key;
	return sys_submit(s);
}

SEC("tp/syscalls/sys_exit_mprotect")
int exit_mprotect(struct trace_event_raw_sys_exit *ctx) { return mprotect_exit(ctx, 0); }
SEC("tp/syscalls/sys_exit_pkey_mprotect")
int exit_pkey_mprotect(struct trace_event_raw_sys_exit *ctx) { return mprotect_exit(ctx, 1); }

#endif
