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
