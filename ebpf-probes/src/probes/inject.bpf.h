/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Code injection and inspection of other processes: ptrace requests that
 * attach or write, cross-process memory access, anonymous executable files,
 * and memory made writable and executable at once.
 *
 *   PTRACE          args: request, target pid, addr        FLAG_TARGET_IS_AGENT
 *   VM_READ/WRITE   args: target pid, local iov count, remote iov count, flags
 *                   (ret: bytes moved)                      FLAG_TARGET_IS_AGENT
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

static __always_inline void flag_agent_target(struct sys_scratch *s, __u64 pid)
{
	__u32 agent = agent_pid();
	if (agent && pid == agent)
		s->ev.hdr.flags |= FLAG_TARGET_IS_AGENT;
}

/* Requests that take hold of a process or change it; reads and stepping of a held tracee are not events. */
SEC("tp/syscalls/sys_enter_ptrace")
int enter_ptrace(struct trace_event_raw_sys_enter *ctx)
{
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

SEC("tp/syscalls/sys_exit_ptrace")
int exit_ptrace(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	s->ev.args[3] = 0; /* data: a poke's word, not kept */
	flag_agent_target(s, s->ev.args[1]);
	return sys_submit(s);
}

static __always_inline int vm_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	/* pid, lvec, liovcnt, rvec, riovcnt, flags -> pid, liovcnt, riovcnt, flags */
	__u64 liovcnt = s->ev.args[2];
	__u64 riovcnt = s->ev.args[4];
	__u64 flags = s->ev.args[5];
	s->ev.args[1] = liovcnt;
	s->ev.args[2] = riovcnt;
	s->ev.args[3] = flags;
	s->ev.args[4] = 0;
	s->ev.args[5] = 0;
	flag_agent_target(s, s->ev.args[0]);
	return sys_submit(s);
}

ENTER(process_vm_readv, EVENT_VM_READ, 6)
SEC("tp/syscalls/sys_exit_process_vm_readv")
int exit_process_vm_readv(struct trace_event_raw_sys_exit *ctx) { return vm_exit(ctx); }
ENTER(process_vm_writev, EVENT_VM_WRITE, 6)
SEC("tp/syscalls/sys_exit_process_vm_writev")
int exit_process_vm_writev(struct trace_event_raw_sys_exit *ctx) { return vm_exit(ctx); }

ENTER(memfd_create, EVENT_MEMFD_CREATE, 2)
SEC("tp/syscalls/sys_exit_memfd_create")
int exit_memfd_create(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	const char *name = (const char *)s->ev.args[0];
	s->ev.args[0] = 0;
	sys_put_user_str(s, 0, name, 250); /* names are at most 249 bytes */
	return sys_submit(s);
}

/* W+X: the shape of injected or unpacked code (and of JIT compilers, hence the default merge window) */
static __always_inline int wx(__u64 prot)
{
	return (prot & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC);
}

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
	s->ev.args[4] = (__u64)-1;
	s->ev.args[5] = 0;
	if (!(flags & MAP_ANONYMOUS) && fd >= 0)
		sys_put_fd_path(s, 0, fd);
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
	__u64 key = pkey ? s->ev.args[3] : (__u64)-1;
	s->ev.args[3] = 0;
	s->ev.args[4] = key;
	return sys_submit(s);
}

SEC("tp/syscalls/sys_exit_mprotect")
int exit_mprotect(struct trace_event_raw_sys_exit *ctx) { return mprotect_exit(ctx, 0); }
SEC("tp/syscalls/sys_exit_pkey_mprotect")
int exit_pkey_mprotect(struct trace_event_raw_sys_exit *ctx) { return mprotect_exit(ctx, 1); }

#endif
