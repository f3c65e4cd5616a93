/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * System-call events with their outcome: sys_enter_* saves the arguments of a
 * call the policy wants (sys_stash), the matching sys_exit_* takes them back
 * with the return value (sys_begin), adds strings resolved while the caller
 * is still in the kernel (paths, socket addresses, names) and writes one
 * struct sys_event (sys_submit).
 */
#ifndef OKR_SYSCALL_H
#define OKR_SYSCALL_H

#include "common.h"
#include "path.h"
#include "policy.h"

#define AT_FDCWD -100
#define AT_EMPTY_PATH 0x1000
#define AT_REMOVEDIR 0x200

struct pending {
	__u64 args[6];
	__u64 aux;           /* probe-specific value captured at entry (e.g. the old uid) */
	__u64 uhash;         /* hash of the user-memory arguments read at entry (sys_hash_user_args), or 0;
			      * the id probes mark with 1 a call the process rules would have dropped */
	__u32 nr;
	__u16 type;
	__u16 valid;         /* set at entry, cleared at exit */
};

/*
 * The call in flight of each thread, in the thread's own storage: a lookup is
 * a pointer away (no hashing, no lock), and the entry goes with the thread.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} pending SEC(".maps");

#define SYS_OFF_MASK 8191
#define SYS_DATA_MAX (2 * (SYS_OFF_MASK + 1))

struct sys_scratch {
	__u32 off;           /* bytes of data written */
	__u32 _pad;
	__u64 uhash;         /* the entry's hash of user-memory arguments (pending.uhash) */
	struct sys_event ev;
	char data[SYS_DATA_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sys_scratch);
} sys_heap SEC(".maps");

/*
 * nargs: how many arguments the syscall has. The kernel refuses to attach a
 * program that reads past the end of its tracepoint's record (EACCES), and
 * sys_enter_* records hold only the call's own arguments.
 */
static __always_inline int sys_stash(struct trace_event_raw_sys_enter *ctx, __u32 type, int nargs, __u64 aux)
{
	struct pending *p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0,
						 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p) {
		count_stash_fail(type);
		return 0;
	}
	p->aux = aux;
	p->uhash = 0;
	p->nr = (__u32)ctx->id;
	p->type = (__u16)type;
	/* one load each at a constant offset: the verifier refuses loads through a moved ctx pointer */
	p->args[0] = nargs > 0 ? ctx->args[0] : 0;
	p->args[1] = nargs > 1 ? ctx->args[1] : 0;
	p->args[2] = nargs > 2 ? ctx->args[2] : 0;
	p->args[3] = nargs > 3 ? ctx->args[3] : 0;
	p->args[4] = nargs > 4 ? ctx->args[4] : 0;
	p->args[5] = nargs > 5 ? ctx->args[5] : 0;
	p->valid = 1;
	return 0;
}

/* Policy check and stash in one: the common sys_enter body. */
static __always_inline int sys_enter(struct trace_event_raw_sys_enter *ctx, __u32 type, int nargs)
{
	if (policy_wants(type))
		sys_stash(ctx, type, nargs, 0);
	return 0;
}

/* A sys_enter program that only checks the policy. nargs: the syscall's argument count (see sys_stash). */
/*
 * Shared exit handlers take a spec struct that says where the call's values are: ARG(n) is the
 * call's argument n as saved at entry, 0 (left out of the initialiser) means absent. Payload slots
 * are named by the catalog's generated TYPE_ARG_* and TYPE_STR_* indexes (event_types.h).
 */
#define ARG(n) ((n) + 1)
#define ARG_VALUE(s, a, dflt) ((a) ? (s)->ev.args[((a) - 1) & 7] : (dflt))

#define ENTER(sys, type, nargs)                                                  \
	SEC("tp/syscalls/sys_enter_" #sys)                                       \
	int enter_##sys(struct trace_event_raw_sys_enter *ctx) { return sys_enter(ctx, type, nargs); }

/*
 * Starts a record: type, return value, call number, no arguments, no strings.
 * sys_begin uses it for a paired call; a source that is not one (a capability
 * check, the raw sys_exit fallback) calls it directly and fills args[] itself.
 * The rest of the header is filled at submit: a record the path rules drop
 * never pays for it.
 */
static __always_inline struct sys_scratch *sys_begin_now(__u32 type, __s64 ret, __u32 nr)
{
	__u32 zero = 0;
	struct sys_scratch *s = bpf_map_lookup_elem(&sys_heap, &zero);
	if (!s)
		return NULL;
	s->ev.hdr.type = type;
	s->ev.hdr.flags = 0;
	s->ev.ret = ret;
#pragma unroll
	for (int i = 0; i < 6; i++)
		s->ev.args[i] = 0;
	s->ev.nr = nr;
	s->ev.str_len[0] = 0;
	s->ev.str_len[1] = 0;
	s->ev.str_len[2] = 0;
	s->ev._pad = 0;
	s->ev._pad2 = 0;
	s->off = 0;
	s->uhash = 0;
	return s;
}

/*
 * Takes the call saved at entry and starts its record, or returns NULL when
 * none was saved (the policy did not want it). aux receives the saved value.
 */
static __always_inline struct sys_scratch *sys_begin(struct trace_event_raw_sys_exit *ctx, __u64 *aux)
{
	struct pending *p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, 0);
	if (!p || !p->valid)
		return NULL;
	p->valid = 0;
	if (p->nr != (__u32)ctx->id) /* left over from a call whose exit we never saw */
		return NULL;
	struct sys_scratch *s = sys_begin_now(p->type, ctx->ret, p->nr);
	if (!s)
		return NULL;
#pragma unroll
	for (int i = 0; i < 6; i++)
		s->ev.args[i] = p->args[i];
	if (aux)
		*aux = p->aux;
	s->uhash = p->uhash;
	return s;
}

/*
 * Arguments read from the caller's memory (paths, socket addresses, openat2's how) can be changed
 * by another thread, or another process sharing the pages, between the kernel's read and ours.
 * Two marks say so: FLAG_ARGS_CHANGED when what we read at entry and at exit differ (evidence of
 * such a race), FLAG_ARGS_UNVERIFIED when the memory was writable by someone else meanwhile (the
 * address space has other users, or the buffer lies in a shared mapping), so that matching reads
 * prove nothing. Values the kernel keeps (an opened file, a connected socket) need neither.
 */
#define VM_SHARED 0x8
#define UHASH_MAX 4096
#define UHASH_UNREADABLE 2 /* hashes are odd: an even value is a marker */

struct uhash_buf {
	__u64 w[UHASH_MAX / 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uhash_buf);
} uhash_heap SEC(".maps");

struct uhash_ctx {
	struct uhash_buf *b;
	long n;
	__u64 h;
};

static long uhash_word(__u64 i, struct uhash_ctx *c)
{
	if (i >= UHASH_MAX / 8 || (long)i * 8 >= c->n)
		return 1;
	__u64 w = c->b->w[i];
	long rest = c->n - (long)i * 8;
	if (rest < 8)
		w &= (1ULL << (rest * 8)) - 1; /* bytes past the end are left over from earlier reads */
	c->h = (c->h ^ w) * 0x100000001b3ULL;
	return 0;
}

/*
 * FNV-1a over 8-byte words of a user string or a fixed-size user buffer (len > 0), 0 when unreadable.
 * The loop runs in bpf_loop, whose body the verifier checks once (an open loop of 512 rounds cost
 * 50,000 verified instructions in every probe that used it, seconds at load).
 */
static __always_inline __u64 user_hash(const void *u, __s32 len)
{
	__u32 zero = 0;
	struct uhash_buf *b = bpf_map_lookup_elem(&uhash_heap, &zero);
	if (!b || !u)
		return 0;
	long n;
	if (len > 0)
		n = bpf_probe_read_user(b->w, len & (UHASH_MAX - 1), u) < 0 ? 0 : len & (UHASH_MAX - 1);
	else
		n = bpf_probe_read_user_str(b->w, UHASH_MAX, u);
	if (n <= 0)
		return 0;
	struct uhash_ctx c = {.b = b, .n = n, .h = 0xcbf29ce484222325ULL ^ (__u64)n};
	bpf_loop((n + 7) / 8, uhash_word, &c, 0);
	return c.h | 1; /* 0 stays "nothing read" */
}

static long vma_shared_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	*(long *)data = (BPF_CORE_READ(vma, vm_flags) & VM_SHARED) != 0;
	return 0;
}

/* Whether another task could have written the caller's memory at addr during the call. */
static __always_inline int user_mem_shared(__u64 addr)
{
	if (!addr)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	if (!mm || BPF_CORE_READ(mm, mm_users.counter) > 1)
		return 1;
	long shared = 0;
	bpf_find_vma(t, addr, vma_shared_cb, &shared, 0);
	return shared != 0;
}

/* At entry, after the stash: the hash of up to two user arguments (len 0: a NUL-terminated string). */
static __always_inline void sys_hash_user_args(const void *u0, __s32 len0, const void *u1, __s32 len1)
{
	struct pending *p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, 0);
	if (!p || !p->valid)
		return;
	__u64 h0 = user_hash(u0, len0), h1 = u1 ? user_hash(u1, len1) : 1;
	/* an argument unreadable here (its page not in yet) cannot be compared: UHASH_UNREADABLE */
	p->uhash = (!h0 || !h1) ? UHASH_UNREADABLE : h0 ^ (h1 << 1);
}

/* At exit: read them again, and mark the record (see above). */
static __always_inline void sys_check_user_args(struct sys_scratch *s, const void *u0, __s32 len0, const void *u1,
						__s32 len1)
{
	if (s->uhash == UHASH_UNREADABLE) {
		s->ev.hdr.flags |= FLAG_ARGS_UNVERIFIED;
	} else if (s->uhash) { /* 0: not hashed at entry (opens: hot), so nothing to compare */
		__u64 h0 = user_hash(u0, len0), h1 = u1 ? user_hash(u1, len1) : 1;
		if (!h0 || !h1)
			s->ev.hdr.flags |= FLAG_ARGS_UNVERIFIED;
		else if ((h0 ^ (h1 << 1)) != s->uhash)
			s->ev.hdr.flags |= FLAG_ARGS_CHANGED;
	}
	if (user_mem_shared((__u64)u0) || user_mem_shared((__u64)u1))
		s->ev.hdr.flags |= FLAG_ARGS_UNVERIFIED;
}


/* The agent's pid, as the policy holds it (0 when not yet written). */
static __always_inline __u32 agent_pid(void)
{
	struct policy_global *g = policy();
	return g ? g->agent_pid : 0;
}

/* FLAG_STR0_* shifted to the slot's bit; only slots 0 and 1 hold paths, so RELATIVE stops at 1. */
static __always_inline __u32 str_flag(int slot, __u32 base)
{
	if ((base == FLAG_STR0_RELATIVE || base == FLAG_STR0_PARTIAL) && slot > 1)
		return 0;
	return base << (slot & 3);
}

/* Where the next string goes, or NULL when the record is full. */
static __always_inline char *sys_slot(struct sys_scratch *s, int slot)
{
	__u32 off = s->off;
	if (off > SYS_OFF_MASK) {
		s->ev.hdr.flags |= str_flag(slot, FLAG_STR0_TRUNCATED);
		return NULL;
	}
	barrier_var(off); /* keep the mask below: clang would drop it after the check, the verifier needs it */
	return s->data + (off & SYS_OFF_MASK);
}

static __always_inline void sys_commit(struct sys_scratch *s, int slot, __u32 len)
{
	if (len > SYS_OFF_MASK + 1)
		len = SYS_OFF_MASK + 1;
	if (slot == 0)
		s->ev.str_len[0] = len;
	else if (slot == 1)
		s->ev.str_len[1] = len;
	else
		s->ev.str_len[2] = len;
	s->off += len;
}

/* The struct file behind a descriptor of the current task, or NULL. */
static __always_inline struct file *fd_file(int fd)
{
	if (fd < 0)
		return NULL;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

#define ANON_INODE_FS_MAGIC 0x09041934

/*
 * What a BPF descriptor holds: its kind from the name its anonymous inode was made with
 * ("bpf-map", "bpf-prog", "bpf_link" when made, "bpf-link" when taken by id), then the object's
 * id. 0 for anything else.
 */
static __always_inline __u32 bpf_file_object(struct file *f, __u32 *kind, char name[16])
{
	if (!f)
		return 0;
	if (BPF_CORE_READ(f, f_inode, i_sb, s_magic) != ANON_INODE_FS_MAGIC)
		return 0; /* a file named bpf-map on a real file system is not one */
	char n[9] = {};
	bpf_probe_read_kernel_str(n, sizeof(n), BPF_CORE_READ(f, f_path.dentry, d_name.name));
	void *priv = BPF_CORE_READ(f, private_data);
	if (!priv || n[0] != 'b' || n[1] != 'p' || n[2] != 'f')
		return 0;
	if (n[3] == '-' && n[4] == 'm' && n[5] == 'a' && n[6] == 'p' && n[7] == 0) {
		*kind = BPF_OBJECT_MAP;
		bpf_probe_read_kernel(name, 16, &((struct bpf_map *)priv)->name);
		return BPF_CORE_READ((struct bpf_map *)priv, id);
	}
	if (n[3] == '-' && n[4] == 'p' && n[5] == 'r' && n[6] == 'o' && n[7] == 'g' && n[8] == 0) {
		*kind = BPF_OBJECT_PROG;
		struct bpf_prog_aux *aux = BPF_CORE_READ((struct bpf_prog *)priv, aux);
		bpf_probe_read_kernel(name, 16, &aux->name);
		return BPF_CORE_READ(aux, id);
	}
	if ((n[3] == '_' || n[3] == '-') && n[4] == 'l' && n[5] == 'i' && n[6] == 'n' && n[7] == 'k' && n[8] == 0) {
		*kind = BPF_OBJECT_LINK;
		struct bpf_prog_aux *aux = BPF_CORE_READ((struct bpf_link *)priv, prog, aux);
		if (aux)
			bpf_probe_read_kernel(name, 16, &aux->name);
		return BPF_CORE_READ((struct bpf_link *)priv, id);
	}
	return 0;
}

/* The absolute path of an open file. Returns its length (0 when fd is not open). */
static __always_inline __u32 sys_put_file_path(struct sys_scratch *s, int slot, struct file *f)
{
	char *dst = sys_slot(s, slot);
	if (!dst || !f)
		return 0;
	int trunc = 0;
	__u32 len = read_path_forward(dst, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt), &trunc);
	if (trunc)
		s->ev.hdr.flags |= str_flag(slot, FLAG_STR0_TRUNCATED);
	if (trunc & PATH_HEAD_MISSING)
		s->ev.hdr.flags |= str_flag(slot, FLAG_STR0_PARTIAL);
	sys_commit(s, slot, len);
	return len;
}

static __always_inline __u32 sys_put_fd_path(struct sys_scratch *s, int slot, int fd)
{
	return sys_put_file_path(s, slot, fd_file(fd));
}

/*
 * A path argument as the kernel resolves it: absolute as given, or relative
 * to dirfd (AT_FDCWD: the working directory). An empty path names dirfd
 * itself (AT_EMPTY_PATH). ".." and symlinks are left for the reader: the
 * record shows the path the process asked for, anchored where it was.
 */
static __always_inline __u32 sys_put_path(struct sys_scratch *s, int slot, int dirfd, const char *upath, int user)
{
	char *dst = sys_slot(s, slot);
	if (!dst)
		return 0;
	char first = 0;
	if (upath) {
		if (user)
			bpf_probe_read_user(&first, 1, upath);
		else
			bpf_probe_read_kernel(&first, 1, upath);
	}
	__u32 len = 0;
	if (first != '/') {
		struct dentry *dentry = NULL;
		struct vfsmount *mnt = NULL;
		if (dirfd == AT_FDCWD) {
			struct task_struct *task = (struct task_struct *)bpf_get_current_task();
			struct fs_struct *fs = BPF_CORE_READ(task, fs);
			if (fs) {
				dentry = BPF_CORE_READ(fs, pwd.dentry);
				mnt = BPF_CORE_READ(fs, pwd.mnt);
			}
		} else {
			struct file *f = fd_file(dirfd);
			if (f) {
				dentry = BPF_CORE_READ(f, f_path.dentry);
				mnt = BPF_CORE_READ(f, f_path.mnt);
			}
		}
		if (dentry) {
			int trunc = 0;
			len = read_path_forward(dst, dentry, mnt, &trunc);
			if (trunc)
				s->ev.hdr.flags |= str_flag(slot, FLAG_STR0_TRUNCATED);
			if (trunc & PATH_HEAD_MISSING)
				s->ev.hdr.flags |= str_flag(slot, FLAG_STR0_PARTIAL);
		} else {
			s->ev.hdr.flags |= str_flag(slot, FLAG_STR0_RELATIVE);
		}
		if (first == 0) { /* empty: the directory (or file) dirfd names */
			sys_commit(s, slot, len);
			return len;
		}
		if (len > 1 && len < PATH_BUF_MAX) {
			barrier_var(len);
			dst[len & (PATH_BUF_MAX - 1)] = '/';
			len++;
		}
	}
	if (len >= PATH_BUF_MAX) {
		s->ev.hdr.flags |= str_flag(slot, FLAG_STR0_TRUNCATED);
		sys_commit(s, slot, len);
		return len;
	}
	barrier_var(len);
	long n = user ? bpf_probe_read_user_str(dst + (len & (PATH_BUF_MAX - 1)), PATH_BUF_MAX, upath)
		      : bpf_probe_read_kernel_str(dst + (len & (PATH_BUF_MAX - 1)), PATH_BUF_MAX, upath);
	if (n > 0) {
		len += n - 1;
		if (n == PATH_BUF_MAX)
			s->ev.hdr.flags |= str_flag(slot, FLAG_STR0_TRUNCATED);
	}
	sys_commit(s, slot, len);
	return len;
}

#define sys_put_user_path(s, slot, dirfd, upath) sys_put_path(s, slot, dirfd, upath, 1)
/* A path the kernel already copied (a struct filename's name): what it acts on, not user memory. */
#define sys_put_kernel_path(s, slot, dirfd, kpath) sys_put_path(s, slot, dirfd, kpath, 0)

/* A NUL-terminated user string (a name, an fstype), at most max bytes (<= SYS_STR_MAX). */
static __always_inline __u32 sys_put_str(struct sys_scratch *s, int slot, const char *ustr, __u32 max, int user)
{
	char *dst = sys_slot(s, slot);
	if (!dst || !ustr)
		return 0;
	long n = user ? bpf_probe_read_user_str(dst, max & (SYS_STR_MAX - 1), ustr)
		      : bpf_probe_read_kernel_str(dst, max & (SYS_STR_MAX - 1), ustr);
	__u32 len = n > 0 ? n - 1 : 0;
	if (n == (max & (SYS_STR_MAX - 1)))
		s->ev.hdr.flags |= str_flag(slot, FLAG_STR0_TRUNCATED);
	sys_commit(s, slot, len);
	return len;
}

#define sys_put_user_str(s, slot, ustr, max) sys_put_str(s, slot, ustr, max, 1)
#define sys_put_kernel_str(s, slot, kstr, max) sys_put_str(s, slot, kstr, max, 0)

/* Raw bytes (a socket address, an xattr value), len <= SYS_STR_SMALL, from user or kernel memory. */
static __always_inline __u32 sys_put_bytes(struct sys_scratch *s, int slot, const void *src, __u32 len, int user)
{
	char *dst = sys_slot(s, slot);
	if (!dst || !src)
		return 0;
	barrier_var(len); /* keep the mask: the verifier needs the bound even when clang knows it */
	len &= (SYS_STR_SMALL - 1);
	long err = user ? bpf_probe_read_user(dst, len, src) : bpf_probe_read_kernel(dst, len, src);
	if (err < 0)
		return 0;
	sys_commit(s, slot, len);
	return len;
}

#define sys_put_user_bytes(s, slot, src, len) sys_put_bytes(s, slot, src, len, 1)
#define sys_put_kernel_bytes(s, slot, src, len) sys_put_bytes(s, slot, src, len, 0)

static __always_inline int sys_submit(struct sys_scratch *s)
{
	__u32 flags = s->ev.hdr.flags;
	fill_header(&s->ev.hdr, (struct task_struct *)bpf_get_current_task(), s->ev.hdr.type);
	s->ev.hdr.flags = flags;
	__u64 size = sizeof(struct sys_event) + s->off;
	barrier_var(size);
	if (size > sizeof(struct sys_event) + SYS_DATA_MAX)
		size = sizeof(struct sys_event) + SYS_DATA_MAX;
	if (bpf_ringbuf_output(&events, &s->ev, size, wakeup_flags()) < 0)
		count_drop(s->ev.hdr.type);
	return 0;
}

/*
 * Whether the path rules keep path `slot`: a path whose leading directories are missing is kept
 * whatever they say, since its tail can look like any prefix ("…/run/x" is not /run/x).
 */
static __always_inline int sys_path_ok(struct sys_scratch *s, int slot, const char *path, __u32 len)
{
	if (s->ev.hdr.flags & str_flag(slot, FLAG_STR0_PARTIAL))
		return 1;
	return policy_path_ok(s->ev.hdr.type, path, len);
}

/* Submits a file event when the path rules keep its first path (string slot 0: the types sent
 * through here assert that their TYPE_STR_PATH is 0). */
static __always_inline int sys_submit_path(struct sys_scratch *s)
{
	__u32 len = s->ev.str_len[0];
	if (!sys_path_ok(s, 0, s->data, len))
		return 0;
	return sys_submit(s);
}

#endif
