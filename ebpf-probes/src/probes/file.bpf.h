/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * File changes, and reads of files the policy names. Each exit handler
 * rewrites args[] into the layout of its event type, so the agent needs no
 * per-syscall knowledge (the syscall is still in nr):
 *
 *   FILE_OPEN, FILE_READ  args: flags, mode          str0: path (of the opened file on success)
 *                         FLAG_TARGET_IS_AGENT: one of the agent's own /proc entries (see
 *                         proc_file_of_agent), reported whatever the rules say
 *   FILE_UNLINK, _RMDIR   -                          str0: path
 *   FILE_RENAME           args: flags                str0: old path, str1: new path
 *   FILE_CHMOD, _MKDIR    args: mode                 str0: path
 *   FILE_CHOWN            args: uid, gid (-1: kept)  str0: path
 *   FILE_LINK             -                          str0: existing path, str1: new link
 *   FILE_SYMLINK          -                          str0: new link, str1: target as given
 *   FILE_TRUNCATE         args: length               str0: path
 *   FILE_UTIMES           args: atime s, ns, mtime s, ns, 1 when times were given (else "now")
 *                                                    str0: path
 *   FILE_SETXATTR         args: value size, flags    str0: path, str1: value (<= 255 bytes), str2: name
 *   FILE_OPEN_BY_HANDLE   args: flags, mount fd      str0: path of the opened file (on success)
 *
 * The path rules of the policy decide on str0 (for rename and link: either path).
 */
#ifndef OKR_PROBES_FILE_H
#define OKR_PROBES_FILE_H

#include "../lib/syscall.h"

#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_TRUNC 01000
#define UTIME_NOW ((1l << 30) - 1l)

#define PROC_SUPER_MAGIC 0x9fa0
#define FMODE_WRITE 0x2

static __always_inline int str_is(const char *n, const char *want, int len)
{
#pragma unroll
	for (int i = 0; i < 10; i++) {
		if (i > len)
			break;
		if (n[i] != want[i])
			return 0;
	}
	return 1;
}

/*
 * Whether an open file is one of the agent's own /proc entries that gives a hold on it: any of
 * them opened for writing (oom_score_adj, comm, attr/…), or its memory, environment, mappings,
 * descriptors or stack opened at all (/proc/<agent>/mem, environ, pagemap, maps, smaps, auxv,
 * stack, syscall, fd, fdinfo, map_files; per thread under task/<tid>/ too). Decided from the
 * opened file: the procfs inode names the process, whatever path reached it. The reads every ps
 * or top makes (stat, status, cmdline) are left to the policy.
 */
static __always_inline int proc_file_of_agent(struct file *f)
{
	if (!f)
		return 0;
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	if (!inode || BPF_CORE_READ(inode, i_sb, s_magic) != PROC_SUPER_MAGIC)
		return 0;
	struct proc_inode *pi = (void *)inode - bpf_core_field_offset(struct proc_inode, vfs_inode);
	struct pid *pid = BPF_CORE_READ(pi, pid);
	if (!pid || !is_agent_task(BPF_CORE_READ(pid, numbers[0].nr)))
		return 0;
	if (BPF_CORE_READ(f, f_mode) & FMODE_WRITE)
		return 1;
	char n[12] = {};
	bpf_probe_read_kernel_str(n, sizeof(n), BPF_CORE_READ(f, f_path.dentry, d_name.name));
	return str_is(n, "mem", 3) || str_is(n, "environ", 7) || str_is(n, "pagemap", 7) || str_is(n, "maps", 4)
		|| str_is(n, "smaps", 5) || str_is(n, "auxv", 4) || str_is(n, "stack", 5) || str_is(n, "syscall", 7)
		|| str_is(n, "fd", 2) || str_is(n, "fdinfo", 6) || str_is(n, "map_files", 9);
}

/* FILE_OPEN and FILE_READ share one layout (the FILE_OPEN constants are used). */
_Static_assert(FILE_READ_ARG_FLAGS == FILE_OPEN_ARG_FLAGS && FILE_READ_ARG_MODE == FILE_OPEN_ARG_MODE
		       && FILE_READ_STR_PATH == FILE_OPEN_STR_PATH,
	       "one open record serves FILE_OPEN and FILE_READ");
/*
 * sys_submit_path applies the path rules to string slot 0, the first string written: the path of
 * every type submitted through it.
 */
_Static_assert(FILE_OPEN_STR_PATH == 0 && FILE_UNLINK_STR_PATH == 0 && FILE_RMDIR_STR_PATH == 0
		       && FILE_MKDIR_STR_PATH == 0 && FILE_CHMOD_STR_PATH == 0 && FILE_CHOWN_STR_PATH == 0
		       && FILE_TRUNCATE_STR_PATH == 0 && FILE_SYMLINK_STR_LINK == 0 && FILE_UTIMES_STR_PATH == 0
		       && FILE_SETXATTR_STR_PATH == 0,
	       "sys_submit_path checks string slot 0");

static __always_inline __u32 open_type(__u64 flags)
{
	return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) ? EVENT_FILE_OPEN : EVENT_FILE_READ;
}

static __always_inline int open_enter(struct trace_event_raw_sys_enter *ctx, __u64 flags, int nargs)
{
	__u32 type = open_type(flags);
	if (policy_wants(type))
		sys_stash(ctx, type, nargs, flags);
	return 0;
}

/*
 * An open of the agent's own /proc entries by another process, when the policy did not stash the
 * call (an ignored process, or the type's process rules): recorded from the opened file alone.
 */
static __always_inline int open_of_agent_unstashed(struct trace_event_raw_sys_exit *ctx)
{
	/* cheap checks first: this runs for every open the policy did not stash */
	if (ctx->ret < 0 || !aimed_at_agent_by_other(1))
		return 0;
	struct file *f = fd_file((int)ctx->ret);
	if (!proc_file_of_agent(f))
		return 0;
	__u64 flags = BPF_CORE_READ(f, f_flags);
	__u32 type = (BPF_CORE_READ(f, f_mode) & FMODE_WRITE) ? EVENT_FILE_OPEN : EVENT_FILE_READ;
	if (!(type_policy(type) & TYPE_ENABLED))
		return 0;
	struct sys_scratch *s = sys_begin_now(type, ctx->ret, (__u32)ctx->id);
	if (!s)
		return 0;
	s->ev.args[FILE_OPEN_ARG_FLAGS] = flags;
	s->ev.hdr.flags |= FLAG_TARGET_IS_AGENT;
	sys_put_file_path(s, FILE_OPEN_STR_PATH, f);
	return sys_submit(s);
}

/*
 * dirfd and user path of the call; on success the path of the file actually opened. how_arg (openat2)
 * names the user struct open_how the flags came from: the record's type is then taken from how the
 * file was opened, and the flags are checked like any argument read from user memory.
 */
struct open_call {
	__u8 dirfd; /* absent: the working directory */
	__u8 path;
	__u8 mode;
	__u8 how;   /* openat2's struct open_how (the flags are read at entry) */
};

static __always_inline int open_exit(struct trace_event_raw_sys_exit *ctx, struct open_call c)
{
	__u64 flags = 0;
	struct sys_scratch *s = sys_begin(ctx, &flags);
	if (!s)
		return open_of_agent_unstashed(ctx);
	int dirfd = (int)ARG_VALUE(s, c.dirfd, AT_FDCWD);
	const char *upath = (const char *)ARG_VALUE(s, c.path, 0);
	__u64 mode = ARG_VALUE(s, c.mode, 0);
	s->ev.args[FILE_OPEN_ARG_FLAGS] = flags;
	s->ev.args[FILE_OPEN_ARG_MODE] = mode;
	if (c.how) {
		const void *how = (const void *)ARG_VALUE(s, c.how, 0);
		struct file *opened = s->ev.ret >= 0 ? fd_file((int)s->ev.ret) : NULL;
		if (opened) {
			/* write intent by any evidence: opened for writing, or flags (at entry or now) that
			 * create or truncate, which a read-only descriptor does not show */
			__u64 now = 0;
			bpf_probe_read_user(&now, sizeof(now), how);
			__u32 type = (BPF_CORE_READ(opened, f_mode) & FMODE_WRITE) || open_type(flags) == EVENT_FILE_OPEN
					     || open_type(now) == EVENT_FILE_OPEN
				? EVENT_FILE_OPEN : EVENT_FILE_READ;
			if (!(type_policy(type) & TYPE_ENABLED))
				return 0;
			s->ev.hdr.type = type;
		} else if (open_type(flags) == EVENT_FILE_READ) {
			s->ev.hdr.type = EVENT_FILE_READ; /* a failed read-only open: the read type's rules */
			if (!(type_policy(EVENT_FILE_READ) & TYPE_ENABLED))
				return 0;
		}
		sys_check_user_args(s, how, 8, NULL, 0);
	}
	if (s->ev.ret >= 0) {
		struct file *f = fd_file((int)s->ev.ret);
		sys_put_file_path(s, FILE_OPEN_STR_PATH, f);
		if (proc_file_of_agent(f)) {
			/* past the path rules (the default excludes /proc/) and whatever the caller's rules say */
			s->ev.hdr.flags |= FLAG_TARGET_IS_AGENT;
			return sys_submit(s);
		}
	} else {
		sys_put_user_path(s, FILE_OPEN_STR_PATH, dirfd, upath);
		sys_check_user_args(s, upath, 0, NULL, 0); /* not hashed at entry (opens are hot): UNVERIFIED only */
	}
	return sys_submit_path(s);
}

SEC("tp/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx) { return open_enter(ctx, ctx->args[2], 4); }
SEC("tp/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx, (struct open_call){.dirfd = ARG(0), .path = ARG(1), .mode = ARG(3)}); }

SEC("tp/syscalls/sys_enter_open")
int enter_open(struct trace_event_raw_sys_enter *ctx) { return open_enter(ctx, ctx->args[1], 3); }
SEC("tp/syscalls/sys_exit_open")
int exit_open(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx, (struct open_call){.path = ARG(0), .mode = ARG(2)}); }

SEC("tp/syscalls/sys_enter_creat")
int enter_creat(struct trace_event_raw_sys_enter *ctx) { return open_enter(ctx, O_CREAT | O_WRONLY | O_TRUNC, 2); }
SEC("tp/syscalls/sys_exit_creat")
int exit_creat(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx, (struct open_call){.path = ARG(0), .mode = ARG(1)}); }

SEC("tp/syscalls/sys_enter_openat2")
int enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = 0; /* struct open_how starts with the flags */
	const void *how = (const void *)ctx->args[2];
	bpf_probe_read_user(&flags, sizeof(flags), how);
	/* the caller's memory: a write-intent open is candidate whatever the flags read here say, and
	 * the exit decides from the opened file */
	if (policy_wants(EVENT_FILE_OPEN))
		sys_stash(ctx, EVENT_FILE_OPEN, 4, flags);
	else
		open_enter(ctx, flags, 4);
	sys_hash_user_args(how, 8, NULL, 0);
	return 0;
}
SEC("tp/syscalls/sys_exit_openat2")
int exit_openat2(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx, (struct open_call){.dirfd = ARG(0), .path = ARG(1), .how = ARG(2)}); }

/* ENTER for calls that take user paths: their bytes are hashed at entry, to be compared at exit. */
#define ENTER_PATH(sys, type, nargs, p)                                                           \
	SEC("tp/syscalls/sys_enter_" #sys)                                                        \
	int enter_##sys(struct trace_event_raw_sys_enter *ctx)                                    \
	{                                                                                         \
		const void *u = (const void *)ctx->args[p]; /* before ctx moves (verifier) */      \
		sys_enter(ctx, type, nargs);                                                      \
		sys_hash_user_args(u, 0, NULL, 0);                                                \
		return 0;                                                                         \
	}
#define ENTER_PATHS(sys, type, nargs, p0, p1)                                                     \
	SEC("tp/syscalls/sys_enter_" #sys)                                                        \
	int enter_##sys(struct trace_event_raw_sys_enter *ctx)                                    \
	{                                                                                         \
		const void *u0 = (const void *)ctx->args[p0], *u1 = (const void *)ctx->args[p1];  \
		sys_enter(ctx, type, nargs);                                                      \
		sys_hash_user_args(u0, 0, u1, 0);                                                 \
		return 0;                                                                         \
	}

/*
 * A call on one file, named by a user path (or, for fd_exit, a descriptor): the path goes to string
 * slot FILE_UNLINK_STR_PATH (every such type's TYPE_STR_PATH, asserted below), and out[slot] = ARG(n)
 * copies the call's argument n into payload slot args[slot] (args[0] = out[0], args[1] = out[1]).
 */
_Static_assert(FILE_RMDIR_STR_PATH == FILE_UNLINK_STR_PATH && FILE_MKDIR_STR_PATH == FILE_UNLINK_STR_PATH
		       && FILE_CHMOD_STR_PATH == FILE_UNLINK_STR_PATH && FILE_CHOWN_STR_PATH == FILE_UNLINK_STR_PATH
		       && FILE_TRUNCATE_STR_PATH == FILE_UNLINK_STR_PATH,
	       "path_exit and fd_exit put every type's path in one string slot");
struct path_call {
	__u8 dirfd; /* absent: the working directory */
	__u8 path;
	__u8 out[2];
};

static __always_inline int path_exit(struct trace_event_raw_sys_exit *ctx, struct path_call c)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	int dirfd = (int)ARG_VALUE(s, c.dirfd, AT_FDCWD);
	const char *upath = (const char *)ARG_VALUE(s, c.path, 0);
	__u64 v0 = ARG_VALUE(s, c.out[0], 0);
	__u64 v1 = ARG_VALUE(s, c.out[1], 0);
	s->ev.args[0] = v0; /* out[i] to slot i */
	s->ev.args[1] = v1;
	sys_put_user_path(s, FILE_UNLINK_STR_PATH, dirfd, upath);
	sys_check_user_args(s, upath, 0, NULL, 0);
	return sys_submit_path(s);
}

/* The file behind a descriptor (the call's argument 0), payload slots as for path_exit. */
static __always_inline int fd_exit(struct trace_event_raw_sys_exit *ctx, struct path_call c)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	int fd = (int)s->ev.args[0]; /* the call's fd */
	__u64 v0 = ARG_VALUE(s, c.out[0], 0);
	__u64 v1 = ARG_VALUE(s, c.out[1], 0);
	s->ev.args[0] = v0; /* out[i] to slot i */
	s->ev.args[1] = v1;
	sys_put_fd_path(s, FILE_UNLINK_STR_PATH, fd);
	return sys_submit_path(s);
}

/* unlink, rmdir */
ENTER_PATH(unlink, EVENT_FILE_UNLINK, 1, 0)
SEC("tp/syscalls/sys_exit_unlink")
int exit_unlink(struct trace_event_raw_sys_exit *ctx) { return path_exit(ctx, (struct path_call){.path = ARG(0)}); }
SEC("tp/syscalls/sys_enter_unlinkat")
int enter_unlinkat(struct trace_event_raw_sys_enter *ctx)
{
	const void *u = (const void *)ctx->args[1];
	sys_enter(ctx, (ctx->args[2] & AT_REMOVEDIR) ? EVENT_FILE_RMDIR : EVENT_FILE_UNLINK, 3);
	sys_hash_user_args(u, 0, NULL, 0);
	return 0;
}
SEC("tp/syscalls/sys_exit_unlinkat")
int exit_unlinkat(struct trace_event_raw_sys_exit *ctx) { return path_exit(ctx, (struct path_call){.dirfd = ARG(0), .path = ARG(1)}); }
ENTER_PATH(rmdir, EVENT_FILE_RMDIR, 1, 0)
SEC("tp/syscalls/sys_exit_rmdir")
int exit_rmdir(struct trace_event_raw_sys_exit *ctx) { return path_exit(ctx, (struct path_call){.path = ARG(0)}); }

/* mkdir */
ENTER_PATH(mkdir, EVENT_FILE_MKDIR, 2, 0)
SEC("tp/syscalls/sys_exit_mkdir")
int exit_mkdir(struct trace_event_raw_sys_exit *ctx) { return path_exit(ctx, (struct path_call){.path = ARG(0), .out = {[FILE_MKDIR_ARG_MODE] = ARG(1)}}); }
ENTER_PATH(mkdirat, EVENT_FILE_MKDIR, 3, 1)
SEC("tp/syscalls/sys_exit_mkdirat")
int exit_mkdirat(struct trace_event_raw_sys_exit *ctx) { return path_exit(ctx, (struct path_call){.dirfd = ARG(0), .path = ARG(1), .out = {[FILE_MKDIR_ARG_MODE] = ARG(2)}}); }

/* chmod */
ENTER_PATH(chmod, EVENT_FILE_CHMOD, 2, 0)
SEC("tp/syscalls/sys_exit_chmod")
int exit_chmod(struct trace_event_raw_sys_exit *ctx) { return path_exit(ctx, (struct path_call){.path = ARG(0), .out = {[FILE_CHMOD_ARG_MODE] = ARG(1)}}); }
ENTER_PATH(fchmodat, EVENT_FILE_CHMOD, 3, 1)
SEC("tp/syscalls/sys_exit_fchmodat")
int exit_fchmodat(struct trace_event_raw_sys_exit *ctx) { return path_exit(ctx, (struct path_call){.dirfd = ARG(0), .path = ARG(1), .out = {[FILE_CHMOD_ARG_MODE] = ARG(2)}}); }
ENTER_PATH(fchmodat2, EVENT_FILE_CHMOD, 4, 1)
SEC("tp/syscalls/sys_exit_fchmodat2")
int exit_fchmodat2(struct trace_event_raw_sys_exit *ctx) { return path_exit(ctx, (struct path_call){.dirfd = ARG(0), .path = ARG(1), .out = {[FILE_CHMOD_ARG_MODE] = ARG(2)}}); }
ENTER(fchmod, EVENT_FILE_CHMOD, 2)
SEC("tp/syscalls/sys_exit_fchmod")
int exit_fchmod(struct trace_event_raw_sys_exit *ctx) { return fd_exit(ctx, (struct path_call){.out = {[FILE_CHMOD_ARG_MODE] = ARG(1)}}); }

/* chown */
ENTER_PATH(chown, EVENT_FILE_CHOWN, 3, 0)
SEC("tp/syscalls/sys_exit_chown")
int exit_chown(struct trace_event_raw_sys_exit *ctx) { return path_exit(ctx, (struct path_call){.path = ARG(0), .out = {[FILE_CHOWN_ARG_UID] = ARG(1), [FILE_CHOWN_ARG_GID] = ARG(2)}}); }
ENTER_PATH(lchown, EVENT_FILE_CHOWN, 3, 0)
SEC("tp/syscalls/sys_exit_lchown")
int exit_lchown(struct trace_event_raw_sys_exit *ctx) { return path_exit(ctx, (struct path_call){.path = ARG(0), .out = {[FILE_CHOWN_ARG_UID] = ARG(1), [FILE_CHOWN_ARG_GID] = ARG(2)}}); }
ENTER_PATH(fchownat, EVENT_FILE_CHOWN, 5, 1)
SEC("tp/syscalls/sys_exit_fchownat")
int exit_fchownat(struct trace_event_raw_sys_exit *ctx) { return path_exit(ctx, (struct path_call){.dirfd = ARG(0), .path = ARG(1), .out = {[FILE_CHOWN_ARG_UID] = ARG(2), [FILE_CHOWN_ARG_GID] = ARG(3)}}); }
ENTER(fchown, EVENT_FILE_CHOWN, 3)
SEC("tp/syscalls/sys_exit_fchown")
int exit_fchown(struct trace_event_raw_sys_exit *ctx) { return fd_exit(ctx, (struct path_call){.out = {[FILE_CHOWN_ARG_UID] = ARG(1), [FILE_CHOWN_ARG_GID] = ARG(2)}}); }

/* truncate */
ENTER_PATH(truncate, EVENT_FILE_TRUNCATE, 2, 0)
SEC("tp/syscalls/sys_exit_truncate")
int exit_truncate(struct trace_event_raw_sys_exit *ctx) { return path_exit(ctx, (struct path_call){.path = ARG(0), .out = {[FILE_TRUNCATE_ARG_LENGTH] = ARG(1)}}); }
ENTER(ftruncate, EVENT_FILE_TRUNCATE, 2)
SEC("tp/syscalls/sys_exit_ftruncate")
int exit_ftruncate(struct trace_event_raw_sys_exit *ctx) { return fd_exit(ctx, (struct path_call){.out = {[FILE_TRUNCATE_ARG_LENGTH] = ARG(1)}}); }

/*
 * A call on two paths (rename, link, symlink): path[slot] and dirfd[slot] = ARG(n) name the call's
 * arguments that go to string slot 0 or 1; flags = ARG(n) goes to FILE_RENAME_ARG_FLAGS (linkat's
 * too, a slot FILE_LINK does not name). Either path may be the interesting one. target_as_given:
 * string slot 1 is a symlink's target, stored as given, never resolved.
 */
_Static_assert(FILE_SYMLINK_STR_LINK == 0 && FILE_SYMLINK_STR_TARGET == 1,
	       "two_path_exit stores path[1] as given and checks the path rules on slot 0");
_Static_assert(FILE_RENAME_ARG_FLAGS != 1, "two_path_exit clears args[1] by number");
struct two_path_call {
	__u8 dirfd[2]; /* absent: the working directory */
	__u8 path[2];
	__u8 flags;
	bool target_as_given;
};

static __always_inline int two_path_exit(struct trace_event_raw_sys_exit *ctx, struct two_path_call c)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	int d0 = (int)ARG_VALUE(s, c.dirfd[0], AT_FDCWD);
	int d1 = (int)ARG_VALUE(s, c.dirfd[1], AT_FDCWD);
	const char *u0 = (const char *)ARG_VALUE(s, c.path[0], 0);
	const char *u1 = (const char *)ARG_VALUE(s, c.path[1], 0);
	__u64 v0 = ARG_VALUE(s, c.flags, 0);
	int user_target = c.target_as_given;
	s->ev.args[FILE_RENAME_ARG_FLAGS] = v0;
	s->ev.args[1] = 0; /* the call's argument 1: no slot of these types, cleared by number */
	__u32 len0 = sys_put_user_path(s, 0, d0, u0); /* path[i] to string slot i */
	if (user_target)
		sys_put_user_str(s, FILE_SYMLINK_STR_TARGET, u1, SYS_STR_MAX - 1);
	else
		sys_put_user_path(s, 1, d1, u1);
	sys_check_user_args(s, u0, 0, u1, 0);
	if (user_target || !sys_path_ok(s, 0, s->data, len0)) {
		if (user_target)
			return sys_submit_path(s);
		__u32 off = len0 & SYS_OFF_MASK;
		if (!sys_path_ok(s, 1, s->data + off, s->ev.str_len[1]))
			return 0;
	}
	return sys_submit(s);
}

ENTER_PATHS(rename, EVENT_FILE_RENAME, 2, 0, 1)
SEC("tp/syscalls/sys_exit_rename")
int exit_rename(struct trace_event_raw_sys_exit *ctx) { return two_path_exit(ctx,
	(struct two_path_call){.path = {[FILE_RENAME_STR_FROM] = ARG(0), [FILE_RENAME_STR_TO] = ARG(1)}}); }
ENTER_PATHS(renameat, EVENT_FILE_RENAME, 4, 1, 3)
SEC("tp/syscalls/sys_exit_renameat")
int exit_renameat(struct trace_event_raw_sys_exit *ctx) { return two_path_exit(ctx,
	(struct two_path_call){.dirfd = {[FILE_RENAME_STR_FROM] = ARG(0), [FILE_RENAME_STR_TO] = ARG(2)}, .path = {[FILE_RENAME_STR_FROM] = ARG(1), [FILE_RENAME_STR_TO] = ARG(3)}}); }
ENTER_PATHS(renameat2, EVENT_FILE_RENAME, 5, 1, 3)
SEC("tp/syscalls/sys_exit_renameat2")
int exit_renameat2(struct trace_event_raw_sys_exit *ctx) { return two_path_exit(ctx,
	(struct two_path_call){.dirfd = {[FILE_RENAME_STR_FROM] = ARG(0), [FILE_RENAME_STR_TO] = ARG(2)}, .path = {[FILE_RENAME_STR_FROM] = ARG(1), [FILE_RENAME_STR_TO] = ARG(3)}, .flags = ARG(4)}); }

/* hard links: str0 the existing file, str1 the new name */
ENTER_PATHS(link, EVENT_FILE_LINK, 2, 0, 1)
SEC("tp/syscalls/sys_exit_link")
int exit_link(struct trace_event_raw_sys_exit *ctx) { return two_path_exit(ctx,
	(struct two_path_call){.path = {[FILE_LINK_STR_EXISTING] = ARG(0), [FILE_LINK_STR_LINK] = ARG(1)}}); }
ENTER_PATHS(linkat, EVENT_FILE_LINK, 5, 1, 3)
SEC("tp/syscalls/sys_exit_linkat")
int exit_linkat(struct trace_event_raw_sys_exit *ctx) { return two_path_exit(ctx,
	(struct two_path_call){.dirfd = {[FILE_LINK_STR_EXISTING] = ARG(0), [FILE_LINK_STR_LINK] = ARG(2)}, .path = {[FILE_LINK_STR_EXISTING] = ARG(1), [FILE_LINK_STR_LINK] = ARG(3)}, .flags = ARG(4)}); }

/* symlinks: str0 the new link, str1 its target as given */
ENTER_PATHS(symlink, EVENT_FILE_SYMLINK, 2, 1, 0)
SEC("tp/syscalls/sys_exit_symlink")
int exit_symlink(struct trace_event_raw_sys_exit *ctx) { return two_path_exit(ctx,
	(struct two_path_call){.path = {[FILE_SYMLINK_STR_LINK] = ARG(1), [FILE_SYMLINK_STR_TARGET] = ARG(0)}, .target_as_given = true}); }
ENTER_PATHS(symlinkat, EVENT_FILE_SYMLINK, 3, 2, 0)
SEC("tp/syscalls/sys_exit_symlinkat")
int exit_symlinkat(struct trace_event_raw_sys_exit *ctx) { return two_path_exit(ctx,
	(struct two_path_call){.dirfd = {[FILE_SYMLINK_STR_LINK] = ARG(1)}, .path = {[FILE_SYMLINK_STR_LINK] = ARG(2), [FILE_SYMLINK_STR_TARGET] = ARG(0)}, .target_as_given = true}); }

/* timestamps: utimensat(dfd, path or NULL, times[2] or NULL, flags) */
struct ts_pair {
	__s64 a_sec, a_nsec, m_sec, m_nsec;
};

static __always_inline void put_times(struct sys_scratch *s, const void *utimes, int timeval)
{
	struct ts_pair t = {};
	if (!utimes) {
		s->ev.args[FILE_UTIMES_ARG_TIMES_GIVEN] = 0;
		return;
	}
	bpf_probe_read_user(&t, sizeof(t), utimes);
	s->ev.args[FILE_UTIMES_ARG_ATIME_SEC] = t.a_sec;
	s->ev.args[FILE_UTIMES_ARG_ATIME_NSEC] = timeval ? t.a_nsec * 1000 : t.a_nsec;
	s->ev.args[FILE_UTIMES_ARG_MTIME_SEC] = t.m_sec;
	s->ev.args[FILE_UTIMES_ARG_MTIME_NSEC] = timeval ? t.m_nsec * 1000 : t.m_nsec;
	s->ev.args[FILE_UTIMES_ARG_TIMES_GIVEN] = 1;
}
_Static_assert(FILE_UTIMES_ARG_ATIME_SEC != 5 && FILE_UTIMES_ARG_ATIME_NSEC != 5 && FILE_UTIMES_ARG_MTIME_SEC != 5
		       && FILE_UTIMES_ARG_MTIME_NSEC != 5 && FILE_UTIMES_ARG_TIMES_GIVEN != 5,
	       "the utimes exits clear args[5] by number after put_times");

ENTER(utimensat, EVENT_FILE_UTIMES, 4)
SEC("tp/syscalls/sys_exit_utimensat")
int exit_utimensat(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	int dfd = (int)s->ev.args[0];
	const char *upath = (const char *)s->ev.args[1];
	const void *times = (const void *)s->ev.args[2];
	if (upath)
		sys_put_user_path(s, FILE_UTIMES_STR_PATH, dfd, upath);
	else
		sys_put_fd_path(s, FILE_UTIMES_STR_PATH, dfd); /* futimens */
	put_times(s, times, 0);
	s->ev.args[5] = 0; /* no FILE_UTIMES slot: cleared by number */
	return sys_submit_path(s);
}

ENTER(utimes, EVENT_FILE_UTIMES, 2)
SEC("tp/syscalls/sys_exit_utimes")
int exit_utimes(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	const char *upath = (const char *)s->ev.args[0];
	const void *times = (const void *)s->ev.args[1];
	sys_put_user_path(s, FILE_UTIMES_STR_PATH, AT_FDCWD, upath);
	put_times(s, times, 1);
	s->ev.args[5] = 0; /* no FILE_UTIMES slot: cleared by number */
	return sys_submit_path(s);
}

/* extended attributes: security.capability, security.selinux, user.* */
_Static_assert(FILE_SETXATTR_ARG_SIZE < 2 && FILE_SETXATTR_ARG_FLAGS < 2, "xattr_exit clears args[2..4] by number");
static __always_inline int xattr_exit(struct trace_event_raw_sys_exit *ctx, int by_fd)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	__u64 target = s->ev.args[0];
	const char *name = (const char *)s->ev.args[1];
	const void *value = (const void *)s->ev.args[2];
	__u64 size = s->ev.args[3];
	__u64 flags = s->ev.args[4];
	s->ev.args[FILE_SETXATTR_ARG_SIZE] = size;
	s->ev.args[FILE_SETXATTR_ARG_FLAGS] = flags;
	s->ev.args[2] = 0; /* the call's value, size and flags: no FILE_SETXATTR slot, cleared by number */
	s->ev.args[3] = 0;
	s->ev.args[4] = 0;
	if (by_fd)
		sys_put_fd_path(s, FILE_SETXATTR_STR_PATH, (int)target);
	else
		sys_put_user_path(s, FILE_SETXATTR_STR_PATH, AT_FDCWD, (const char *)target);
	sys_put_user_bytes(s, FILE_SETXATTR_STR_VALUE, value, size > SYS_STR_SMALL - 1 ? SYS_STR_SMALL - 1 : size);
	sys_put_user_str(s, FILE_SETXATTR_STR_NAME, name, SYS_STR_SMALL);
	return sys_submit_path(s);
}

ENTER(setxattr, EVENT_FILE_SETXATTR, 5)
SEC("tp/syscalls/sys_exit_setxattr")
int exit_setxattr(struct trace_event_raw_sys_exit *ctx) { return xattr_exit(ctx, 0); }
ENTER(lsetxattr, EVENT_FILE_SETXATTR, 5)
SEC("tp/syscalls/sys_exit_lsetxattr")
int exit_lsetxattr(struct trace_event_raw_sys_exit *ctx) { return xattr_exit(ctx, 0); }
ENTER(fsetxattr, EVENT_FILE_SETXATTR, 5)
SEC("tp/syscalls/sys_exit_fsetxattr")
int exit_fsetxattr(struct trace_event_raw_sys_exit *ctx) { return xattr_exit(ctx, 1); }

/*
 * open_by_handle_at(mount_fd, handle, flags): a file opened by its handle, with no path lookup and
 * no permission check of the directories above it; with CAP_DAC_READ_SEARCH a handle can name any
 * file of the mount, host files from a container included. The path is the opened file's.
 */
ENTER(open_by_handle_at, EVENT_FILE_OPEN_BY_HANDLE, 3)
SEC("tp/syscalls/sys_exit_open_by_handle_at")
int exit_open_by_handle_at(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_scratch *s = sys_begin(ctx, NULL);
	if (!s)
		return 0;
	__s64 mount_fd = (int)s->ev.args[0];
	__u64 flags = s->ev.args[2];
	s->ev.args[FILE_OPEN_BY_HANDLE_ARG_FLAGS] = flags;
	s->ev.args[FILE_OPEN_BY_HANDLE_ARG_MOUNT_FD] = mount_fd;
	s->ev.args[2] = 0; /* the handle's user address: not part of the record */
	if (s->ev.ret >= 0)
		sys_put_file_path(s, FILE_OPEN_BY_HANDLE_STR_PATH, fd_file((int)s->ev.ret));
	return sys_submit_path(s);
}

#endif
