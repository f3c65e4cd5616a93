/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process lifecycle: exec, fork (new processes, not threads), exit of the
 * whole process. Tracepoints and raw tracepoints only, so it loads on kernels
 * without kprobes, fentry or BPF LSM.
 */
#ifndef OKR_PROBES_PROCESS_H
#define OKR_PROBES_PROCESS_H

#include "../lib/common.h"
#include "../lib/path.h"
#include "../lib/policy.h"

/*
 * Exec records are assembled here (too big for the stack), then copied out.
 * Per-CPU values are capped at 32 KiB. Every write starts below OFF_MASK+1
 * and is at most ARGS_MAX long, which the verifier can prove fits.
 */
#define OFF_MASK (16384 - 1)

#include "../lib/environ.h"

/* inode mtime moved from a timespec64 i_mtime to i_mtime_sec/i_mtime_nsec in 6.7. */
struct inode___old {
	struct timespec64 i_mtime;
} __attribute__((preserve_access_index));

static __always_inline __u64 inode_mtime_ns(struct inode *inode)
{
	if (bpf_core_field_exists(inode->i_mtime_sec))
		return BPF_CORE_READ(inode, i_mtime_sec) * 1000000000ULL + BPF_CORE_READ(inode, i_mtime_nsec);
	struct inode___old *old = (void *)inode;
	return BPF_CORE_READ(old, i_mtime.tv_sec) * 1000000000ULL + BPF_CORE_READ(old, i_mtime.tv_nsec);
}
#define EXEC_DATA_MAX (OFF_MASK + 1 + ARGS_MAX)
struct exec_scratch {
	struct exec_event ev;
	char data[EXEC_DATA_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_scratch);
} exec_heap SEC(".maps");

SEC("tp/sched/sched_process_exec")
int handle_exec(void *ctx)
{
	__u32 zero = 0;
	struct exec_scratch *s = bpf_map_lookup_elem(&exec_heap, &zero);
	if (!s)
		return 0;

	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exec_event *e = &s->ev;
	fill_header(&e->hdr, task, EVENT_EXEC);

	__u32 off = 0;
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	if (exe) {
		off = read_path(s->data, BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt),
				&e->hdr.flags, FLAG_EXE_TRUNCATED);
	} else {
		e->hdr.flags |= FLAG_NO_EXE;
	}
	e->exe_len = off;

	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	__u32 cwd_len = 0;
	if (fs)
		cwd_len = read_path(s->data + (off & OFF_MASK), BPF_CORE_READ(fs, pwd.dentry),
				    BPF_CORE_READ(fs, pwd.mnt), &e->hdr.flags, FLAG_CWD_TRUNCATED);
	e->cwd_len = cwd_len;
	off += cwd_len;

	__u32 cgroup_len = read_cgroup_path(s->data + (off & OFF_MASK), task, &e->hdr.flags);
	e->cgroup_len = cgroup_len;
	off += cgroup_len;

	/* identity of the executed file, so the agent can hash each content version once */
	e->exe_dev = 0;
	e->exe_ino = 0;
	e->exe_size = 0;
	e->exe_mtime_ns = 0;
	e->_pad2 = 0;
	if (exe) {
		struct inode *inode = BPF_CORE_READ(exe, f_inode);
		/* fileless execution: the image is a memfd, or a file already unlinked from disk */
		if (BPF_CORE_READ(inode, i_nlink) == 0) {
			char name[8] = {};
			bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(exe, f_path.dentry, d_name.name));
			if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' && name[5] == ':')
				e->hdr.flags |= FLAG_EXE_MEMFD;
			else
				e->hdr.flags |= FLAG_EXE_UNLINKED;
		}
		e->exe_dev = BPF_CORE_READ(inode, i_sb, s_dev);
		e->exe_ino = BPF_CORE_READ(inode, i_ino);
		e->exe_size = BPF_CORE_READ(inode, i_size);
		e->exe_mtime_ns = inode_mtime_ns(inode);
	}

	/* the listed environment variables; the three paths take at most 3 * (PATH_BUF_MAX +
	 * PATH_NAME_MAX) bytes, so ENV_OUT_MAX more still lies below OFF_MASK and argv's offset is exact */
	e->env_len = 0;
	struct policy_global *g = policy();
	if (g && (g->flags & POLICY_CAPTURE_ENV)) {
		if (off + ENV_OUT_MAX <= OFF_MASK + 1) {
			__u32 env_len = read_listed_env(s->data, off, task, &e->hdr.flags);
			e->env_len = env_len;
			off += env_len;
		} else {
			e->hdr.flags |= FLAG_ENV_INCOMPLETE;
		}
	}

	/* argv: the new image's pages were just written by the kernel, so they are resident. */
	unsigned long arg_start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long arg_end = BPF_CORE_READ(task, mm, arg_end);
	__u64 total = arg_end > arg_start ? arg_end - arg_start : 0;
	__u32 n = total;
	if (total > ARGS_MAX) {
		n = ARGS_MAX;
		e->hdr.flags |= FLAG_ARGS_TRUNCATED;
	}
	e->args_total = total > 0xffffffffULL ? 0xffffffffU : (__u32)total;
	if (n > 0 && bpf_probe_read_user(s->data + (off & OFF_MASK), n, (void *)arg_start) < 0) {
		n = 0;
		e->hdr.flags |= FLAG_ARGS_FAULT;
	}
	e->args_len = n;
	off += n;

	__u64 size = sizeof(struct exec_event) + off;
	barrier_var(size); /* keep clang from checking a copy the verifier cannot see */
	if (size > sizeof(*s))
		size = sizeof(*s);
	if (bpf_ringbuf_output(&events, s, size, wakeup_flags()) < 0)
		count_drop(EVENT_EXEC);
	return 0;
}

SEC("raw_tp/sched_process_fork")
int handle_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx->args[0];
	struct task_struct *child = (struct task_struct *)ctx->args[1];

	/* new threads share the tgid: not a new process; the agent's own are noted (agent_threads) */
	__u32 tid = BPF_CORE_READ(child, pid);
	__u32 tgid = BPF_CORE_READ(child, tgid);
	if (tid != tgid) {
		struct policy_global *g = policy();
		if (g && g->agent_pid && tgid == g->agent_pid) {
			__u8 one = 1;
			bpf_map_update_elem(&agent_threads, &tid, &one, BPF_ANY);
		}
		return 0;
	}

	struct fork_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop(EVENT_FORK);
		return 0;
	}
	fill_header(&e->hdr, child, EVENT_FORK);
	e->parent_tid = BPF_CORE_READ(parent, pid);
	e->clone_flags_lo = 0;
	bpf_ringbuf_submit(e, wakeup_flags());
	return 0;
}

SEC("raw_tp/sched_process_exit")
int handle_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];

	__u32 tid = BPF_CORE_READ(task, pid);
	__u32 tgid = BPF_CORE_READ(task, tgid);
	if (tid != tgid) {
		struct policy_global *g = policy();
		if (g && tgid == g->agent_pid)
			bpf_map_delete_elem(&agent_threads, &tid); /* one of the agent's threads is gone */
	}

	/* report the process once, when its last thread goes (signal->live hits 0 before this tracepoint) */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;

	struct exit_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop(EVENT_EXIT);
		return 0;
	}
	fill_header(&e->hdr, task, EVENT_EXIT);
	e->exit_code = BPF_CORE_READ(task, exit_code);
	e->_pad = 0;
	bpf_ringbuf_submit(e, wakeup_flags());
	return 0;
}

#endif
