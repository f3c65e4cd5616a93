/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The environment variables the policy lists (policy.env_vars), picked out of a new image's
 * environment at exec. Only listed variables leave the kernel: an environment is full of secrets
 * the agent has no business holding.
 *
 * The scan reads one variable per round under bpf_loop, a chunk at a time, and looks its name up
 * in env_names; a variable longer than a chunk takes a round per chunk. ENV_READS_MAX rounds of
 * ENV_CHUNK bytes cover more than the kernel lets an exec's strings take (at most 6 MiB of argv
 * and environment together), so a variable hidden behind long padding is still found. A scan
 * stopped early, by more than ENV_READS_MAX variables or an unreadable page, is flagged
 * (FLAG_ENV_INCOMPLETE), never silent: the bound keeps a hostile exec's cost to the kernel's own
 * cost of copying that many strings.
 */
#ifndef OKR_ENVIRON_H
#define OKR_ENVIRON_H

#include "common.h"

/* The caller's buffer: captured variables are written at (base + len) & OFF_MASK, at most
 * ENV_VAR_MAX bytes at a time, so it must hold OFF_MASK + 1 + ENV_VAR_MAX bytes. */
#ifndef OFF_MASK
#error "define OFF_MASK (the exec scratch's offset mask) before including environ.h"
#endif

#define ENV_NAME_MAX  32    /* bytes of a listed name, zero-padded: the env_names key */
#define ENV_NAMES_MAX 64    /* names the policy may list */
#define ENV_VAR_MAX   1024  /* bytes of one captured NAME=VALUE, NUL included */
#define ENV_OUT_MAX   3072  /* bytes of captured variables per exec */
#define ENV_CHUNK     4096  /* bytes per read of the environment */
#define ENV_READS_MAX 4096  /* reads per exec: ENV_CHUNK * ENV_READS_MAX > 6 MiB */

struct env_key {
	char name[ENV_NAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENV_NAMES_MAX);
	__type(key, struct env_key);
	__type(value, __u8);
} env_names SEC(".maps");

struct env_chunk {
	char buf[ENV_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct env_chunk);
} env_heap SEC(".maps");

struct env_scan {
	char *chunk;   /* env_heap's buffer */
	char *out;     /* the record's data: captured variables go to out[base..base+ENV_OUT_MAX) */
	__u64 pos;     /* next byte of the environment to read */
	__u64 end;
	__u32 base;    /* < OFF_MASK + 1 - ENV_OUT_MAX, checked by the caller */
	__u32 len;     /* bytes captured */
	__u32 flags;   /* FLAG_ENV_* */
	__u32 in_var;  /* the next read continues a variable longer than a chunk */
	__u32 done;
};

/* Copies the variable at the start of the chunk when its name is listed; r: the chunk's read. */
static __always_inline void env_capture(struct env_scan *w, long r)
{
	struct env_key key = {};
	int named = 0;
#pragma unroll
	for (int i = 0; i <= ENV_NAME_MAX; i++) {
		char c = w->chunk[i];
		if (c == '=') {
			named = i > 0;
			break;
		}
		if (c == 0 || i == ENV_NAME_MAX)
			break; /* no '=' (not a variable), or a name longer than any listed one */
		key.name[i] = c;
	}
	if (!named || !bpf_map_lookup_elem(&env_names, &key))
		return;
	__u32 len = w->len;
	if (len >= ENV_OUT_MAX) {
		w->flags |= FLAG_ENV_TRUNCATED;
		return;
	}
	__u32 room = ENV_OUT_MAX - len;
	if (room > ENV_VAR_MAX)
		room = ENV_VAR_MAX;
	barrier_var(room);
	if (room < 2 || room > ENV_VAR_MAX) {
		w->flags |= FLAG_ENV_TRUNCATED;
		return;
	}
	__u32 at = (w->base + len) & OFF_MASK;
	long n = bpf_probe_read_kernel_str(w->out + at, room, w->chunk);
	if (n <= 0)
		return;
	/* the variable is r - 1 bytes when the chunk held all of it, and longer than a chunk else */
	if (r >= ENV_CHUNK || r > room)
		w->flags |= FLAG_ENV_TRUNCATED;
	w->len = len + n;
}

static long env_step(__u32 index, void *ctx)
{
	struct env_scan *w = ctx;
	if (w->pos >= w->end) {
		w->done = 1;
		return 1;
	}
	__u64 left = w->end - w->pos;
	__u32 n = left < ENV_CHUNK ? left : ENV_CHUNK;
	long r = bpf_probe_read_user_str(w->chunk, n, (void *)w->pos);
	if (r <= 0) {
		w->flags |= FLAG_ENV_INCOMPLETE;
		return 1;
	}
	if (!w->in_var && r > 1)
		env_capture(w, r);
	if (r >= n) {
		/* no NUL within the chunk (or exactly at its end): the variable goes on in the next read;
		 * a read stops one byte short, on the NUL it appends */
		w->pos += n > 1 ? n - 1 : 1;
		w->in_var = 1;
	} else {
		w->pos += r;
		w->in_var = 0;
	}
	return 0;
}

/*
 * Appends the listed variables of the task's environment to out + base, NUL-separated, and returns
 * the bytes written; sets FLAG_ENV_* in *flags. Call only when the policy lists a name.
 */
static __always_inline __u32 read_listed_env(char *out, __u32 base, struct task_struct *task, __u32 *flags)
{
	__u32 zero = 0;
	struct env_chunk *c = bpf_map_lookup_elem(&env_heap, &zero);
	if (!c) {
		*flags |= FLAG_ENV_INCOMPLETE;
		return 0;
	}
	struct env_scan w = {
		.chunk = c->buf,
		.out = out,
		.pos = BPF_CORE_READ(task, mm, env_start),
		.end = BPF_CORE_READ(task, mm, env_end),
		.base = base,
	};
	bpf_loop(ENV_READS_MAX, env_step, &w, 0);
	if (!w.done)
		*flags |= FLAG_ENV_INCOMPLETE;
	*flags |= w.flags;
	return w.len;
}

#endif
