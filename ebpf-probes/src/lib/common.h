/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Maps and helpers shared by every probe: one ring buffer, per-CPU loss counters. */
#ifndef OKR_COMMON_H
#define OKR_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "../events.h"

/* Size is set by the agent before load (receivers.ebpf.ring_buffer_size_mib). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/*
 * The ring buffer keeps no loss counter: every failed reserve/output is
 * counted here, per CPU and per event type, and read by the agent.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EVENT_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ringbuf_drops SEC(".maps");

/*
 * Waking the agent for every record costs the traced workload a context switch per event.
 * Records are submitted without a wake-up until this much data waits; the agent also drains
 * the ring on its own every poll interval, so a quiet host's events wait at most that long.
 */
#define WAKEUP_BYTES (256 * 1024)

static __always_inline __u64 wakeup_flags(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/*
 * Calls whose entry could not be stashed for their exit (task storage could not be allocated):
 * their event is lost before any record exists, so it is counted here, per CPU and per type.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EVENT_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stash_fails SEC(".maps");

/* One more in slot type of a per-CPU u64 array: every loss and filter counter is one of these. */
static __always_inline void count_per_cpu(void *map, __u32 type)
{
	__u64 *n = bpf_map_lookup_elem(map, &type);
	if (n)
		(*n)++;
}

static __always_inline void count_stash_fail(__u32 type)
{
	count_per_cpu(&stash_fails, type);
}

static __always_inline void count_drop(__u32 type)
{
	count_per_cpu(&ringbuf_drops, type);
}

static __always_inline void fill_header(struct event_header *h, struct task_struct *task, __u16 type)
{
	const struct cred *cred = BPF_CORE_READ(task, real_cred);

	h->type = type;
	h->version = RECORD_VERSION;
	h->flags = 0;
	h->boot_ns = bpf_ktime_get_boot_ns();
	h->pid = BPF_CORE_READ(task, tgid);
	h->tid = BPF_CORE_READ(task, pid);
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = BPF_CORE_READ(cred, uid.val);
	h->gid = BPF_CORE_READ(cred, gid.val);
	h->euid = BPF_CORE_READ(cred, euid.val);
	h->egid = BPF_CORE_READ(cred, egid.val);
	h->loginuid = BPF_CORE_READ(task, loginuid.val);
	h->start_boot_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	h->cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	BPF_CORE_READ_STR_INTO(&h->comm, task, comm);

	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	h->sid = BPF_CORE_READ(sig, pids[PIDTYPE_SID], numbers[0].nr);
	h->pgid = BPF_CORE_READ(sig, pids[PIDTYPE_PGID], numbers[0].nr);
	/* the pid and pid namespace the process itself sees: the last level of its struct pid */
	struct pid *pid = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};
	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level & 31]);
	h->vpid = up.nr;
	h->pid_ns = BPF_CORE_READ(up.ns, ns.inum);
	h->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	h->_pad2 = 0;
	h->tty[0] = 0;
	struct tty_struct *tty = BPF_CORE_READ(sig, tty);
	if (tty)
		bpf_probe_read_kernel_str(h->tty, sizeof(h->tty), &tty->name);
}

#endif
