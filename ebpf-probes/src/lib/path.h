/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Absolute path of a (dentry, vfsmount) pair without bpf_d_path, which only
 * tracing programs may call and which these kernels refuse to load. Climbs
 * dentries to the mount root, then crosses to the parent mount, like the
 * kernel's prepend_path(), up to PATH_DEPTH_MAX components. Output is the
 * components leaf first, each NUL-terminated (see events.h).
 *
 * The climb runs under bpf_loop() (kernel 5.17+): an open-coded loop of 64
 * steps makes the verifier walk every path through it and exceeds its
 * 1M-instruction budget.
 */
#ifndef OKR_PATH_H
#define OKR_PATH_H

#include "common.h"

struct path_walk {
	struct dentry *dentry;
	struct mount *mnt;
	char *buf;     /* room for PATH_BUF_MAX + PATH_NAME_MAX bytes */
	__u32 off;     /* bytes written */
	__u32 complete;
};

static long path_step(__u32 index, void *ctx)
{
	struct path_walk *w = ctx;
	struct dentry *dentry = w->dentry;
	struct mount *mnt = w->mnt;
	struct dentry *mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);

	if (dentry == mnt_root || dentry == parent) {
		struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		/* the global root, or a detached/internal mount (memfd, pipe): done */
		if (dentry != mnt_root || mnt == mnt_parent) {
			w->complete = 1;
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = mnt_parent;
		return 0;
	}
	__u32 off = w->off;
	if (off >= PATH_BUF_MAX)
		return 1;
	const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
	long n = bpf_probe_read_kernel_str(w->buf + (off & (PATH_BUF_MAX - 1)), PATH_NAME_MAX, name);
	if (n <= 0) {
		w->complete = 1; /* unreadable name: keep what we have */
		return 1;
	}
	w->off = off + n;
	w->dentry = parent;
	return 0;
}

/* buf must have room for PATH_BUF_MAX + PATH_NAME_MAX bytes. Returns bytes written. */
static __always_inline __u32 read_path(char *buf, struct dentry *dentry, struct vfsmount *vfsmnt,
				       __u32 *flags, __u32 trunc_flag)
{
	struct path_walk w = {
		.dentry = dentry,
		.mnt = container_of(vfsmnt, struct mount, mnt),
		.buf = buf,
	};
	bpf_loop(PATH_DEPTH_MAX, path_step, &w, 0);
	if (!w.complete)
		*flags |= trunc_flag;
	return w.off;
}

/*
 * Forward paths ("/usr/bin/dash") for the syscall events, which the policy's
 * prefix match (an LPM trie) needs. Same climb as above, leaf first into a
 * per-CPU buffer noting where each component starts, then a second loop
 * copies the components root first. All loop state lives in the per-CPU map,
 * not on the stack: the verifier then sees unknown values instead of tracking
 * every iteration's exact offsets, and checks each callback once.
 */
struct fwd_scratch {
	char buf[PATH_BUF_MAX + PATH_NAME_MAX];   /* components, leaf first */
	char out[PATH_BUF_MAX + PATH_NAME_MAX];   /* the path, root first */
	__u16 offs[PATH_DEPTH_MAX];
	__u64 dentry;
	__u64 mnt;
	__u32 off;
	__u32 n;
	__u32 complete;
	__u32 pos;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fwd_scratch);
} fwd_heap SEC(".maps");

static long fwd_walk_step(__u32 index, void *ctx)
{
	__u32 zero = 0;
	struct fwd_scratch *s = bpf_map_lookup_elem(&fwd_heap, &zero);
	if (!s)
		return 1;
	struct dentry *dentry = (struct dentry *)s->dentry;
	struct mount *mnt = (struct mount *)s->mnt;
	struct dentry *mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);

	if (dentry == mnt_root || dentry == parent) {
		struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (dentry != mnt_root || mnt == mnt_parent) {
			s->complete = 1;
			return 1;
		}
		s->dentry = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
		s->mnt = (__u64)mnt_parent;
		return 0;
	}
	__u32 off = s->off;
	__u32 n = s->n;
	if (off >= PATH_BUF_MAX || n >= PATH_DEPTH_MAX)
		return 1;
	const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
	long len = bpf_probe_read_kernel_str(s->buf + (off & (PATH_BUF_MAX - 1)), PATH_NAME_MAX, name);
	if (len <= 0) {
		s->complete = 1;
		return 1;
	}
	s->offs[n & (PATH_DEPTH_MAX - 1)] = off;
	s->n = n + 1;
	s->off = off + len;
	s->dentry = (__u64)parent;
	return 0;
}

static long fwd_copy_step(__u32 i, void *ctx)
{
	__u32 zero = 0;
	struct fwd_scratch *s = bpf_map_lookup_elem(&fwd_heap, &zero);
	if (!s)
		return 1;
	__u32 pos = s->pos;
	__u32 n = s->n;
	if (i >= n || pos >= PATH_BUF_MAX)
		return 1;
	__u16 src = s->offs[(n - 1 - i) & (PATH_DEPTH_MAX - 1)];
	s->out[pos & (PATH_BUF_MAX - 1)] = '/';
	pos++;
	long len = bpf_probe_read_kernel_str(s->out + (pos & (PATH_BUF_MAX - 1)), PATH_NAME_MAX,
					     s->buf + (src & (PATH_BUF_MAX - 1)));
	if (len <= 0)
		return 1;
	s->pos = pos + len - 1; /* without the NUL */
	return 0;
}

/*
 * Writes the absolute path of (dentry, vfsmount) root first into dst (room
 * for PATH_BUF_MAX bytes), without a NUL. Returns its length; sets
 * *truncated when the walk or the copy stopped early: bit 0 when the path was cut, bit 1
 * (PATH_HEAD_MISSING) when the walk stopped below the root, so the leading directories are missing.
 */
#define PATH_HEAD_MISSING 2
static __always_inline __u32 read_path_forward(char *dst, struct dentry *dentry, struct vfsmount *vfsmnt,
					       int *truncated)
{
	__u32 zero = 0;
	struct fwd_scratch *s = bpf_map_lookup_elem(&fwd_heap, &zero);
	if (!s)
		return 0;
	s->dentry = (__u64)dentry;
	s->mnt = (__u64)container_of(vfsmnt, struct mount, mnt);
	s->off = 0;
	s->n = 0;
	s->complete = 0;
	s->pos = 0;
	bpf_loop(PATH_DEPTH_MAX, fwd_walk_step, NULL, 0);
	if (!s->complete)
		*truncated = 1 | PATH_HEAD_MISSING;
	if (s->n == 0) {
		dst[0] = '/';
		return 1;
	}
	bpf_loop(PATH_DEPTH_MAX, fwd_copy_step, NULL, 0);
	__u32 len = s->pos;
	if (len >= PATH_BUF_MAX) {
		*truncated |= 1;
		len = PATH_BUF_MAX;
	}
	if (len > 0)
		bpf_probe_read_kernel(dst, len, s->out);
	return len;
}

/* kernfs_node.parent became __parent in 6.15; CO-RE picks whichever this kernel has. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_walk {
	struct kernfs_node *kn;
	char *buf;
	__u32 off;
	__u32 complete;
};

static struct kernfs_node *kernfs_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

static long kernfs_step(__u32 index, void *ctx)
{
	struct kernfs_walk *w = ctx;
	struct kernfs_node *kn = w->kn; /* a local: CO-RE must not relocate our own struct's fields */
	struct kernfs_node *parent = kernfs_parent(kn);
	if (!parent) { /* the root's name is empty: the path is complete */
		w->complete = 1;
		return 1;
	}
	__u32 off = w->off;
	if (off >= PATH_BUF_MAX)
		return 1;
	long n = bpf_probe_read_kernel_str(w->buf + (off & (PATH_BUF_MAX - 1)), PATH_NAME_MAX, BPF_CORE_READ(kn, name));
	if (n <= 0) {
		w->complete = 1;
		return 1;
	}
	w->off = off + n;
	w->kn = parent;
	return 0;
}

/* The cgroup v2 path of a task ("/system.slice/docker-….scope"), leaf first like read_path. */
static __always_inline __u32 read_cgroup_path(char *buf, struct task_struct *task, __u32 *flags)
{
	struct kernfs_walk w = {
		.kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn),
		.buf = buf,
	};
	if (!w.kn)
		return 0;
	bpf_loop(PATH_DEPTH_MAX, kernfs_step, &w, 0);
	if (!w.complete)
		*flags |= FLAG_CGROUP_TRUNCATED;
	return w.off;
}

#endif
