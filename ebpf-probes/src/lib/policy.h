/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The collection policy, compiled by the agent (policy.PolicyCompiler) into
 * these maps and rewritten on reload without detaching any probe. Checked at
 * sys_enter (type on/off, the acting process) so that an unwanted call costs
 * a few map lookups and nothing else, and at sys_exit for file paths, before
 * a ring-buffer record is written.
 */
#ifndef OKR_POLICY_H
#define OKR_POLICY_H

#include "common.h"

#define TYPE_ENABLED      (1u << 0)
#define TYPE_DEFAULT_KEEP (1u << 1) /* a path no prefix rule mentions is kept */

#define RULE_IGNORE (1u << 0)
#define RULE_WATCH  (1u << 1)

#define POLICY_WATCH_UIDS    (1u << 0) /* only uids marked RULE_WATCH */
#define POLICY_WATCH_CGROUPS (1u << 1)
#define POLICY_WATCH_EXES    (1u << 2)
#define POLICY_HAS_EXE_RULES (1u << 3)
#define POLICY_HAS_CGROUP_RULES (1u << 4) /* walk the cgroup's ancestors (cgroup_rule) */
#define POLICY_CAPTURE_ENV   (1u << 5) /* env_names lists a variable: scan each exec's environment */
#define MAX_CGROUP_DEPTH 16

/* Bytes of a path the prefix rules see (path_key.data), so the longest prefix a rule can name; no
 * terminator: a rule of all 256 bytes matches. The agent's mirror: MapLayout.PATH_PREFIX_MAX. */
#define PATH_PREFIX_MAX 256

struct policy_global {
	__u32 agent_pid;     /* the agent's own activity is never traced (no feedback loop) */
	__u32 flags;         /* POLICY_* */
	__u64 prctl_options; /* bit n: report prctl option n (PR_SET_NAME only from a main thread) */
	__u64 cap_mask;      /* bit n: report use of capability n */
	__u32 agent_pgid;    /* the agent's process group: kill(0) and kill(-pgid) take it in */
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct policy_global);
} policy_global SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EVENT_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u32); /* TYPE_* */
} policy_types SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);   /* real uid */
	__type(value, __u32); /* RULE_* */
} uid_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);   /* cgroup v2 id (the directory's inode number); covers the cgroups below it */
	__type(value, __u32);
} cgroup_rules SEC(".maps");

struct exe_key {
	__u64 dev;            /* kernel dev_t of the executable's filesystem */
	__u64 ino;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct exe_key);
	__type(value, __u32);
} exe_rules SEC(".maps");

struct path_key {
	__u32 prefixlen;      /* in bits */
	__u8 data[PATH_PREFIX_MAX];
};

struct path_rule {
	__u64 mentioned;      /* bit t: some prefix rule of this or a shorter prefix names event type t */
	__u64 included;       /* bit t: ... and the longest of them includes it */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct path_key);
	__type(value, struct path_rule);
} path_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u16);   /* destination port, host order */
	__type(value, __u8);
} udp_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_key);
} path_key_heap SEC(".maps");

/*
 * Events the policy dropped in the kernel, per type and CPU: the proof that an
 * excluded path cost no ring-buffer record (bpftool map dump name policy_filtered).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EVENT_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} policy_filtered SEC(".maps");

static __always_inline void count_filtered(__u32 type)
{
	count_per_cpu(&policy_filtered, type);
}

static __always_inline struct policy_global *policy(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&policy_global, &zero);
}

/*
 * The agent's threads besides its main one (tid -> 1): a signal or ptrace aimed at any of them is
 * aimed at the agent. Filled by the agent at start and by the fork probe for threads made after;
 * the exit probe removes them. LRU: an exit never seen cannot fill it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} agent_threads SEC(".maps");

/*
 * The agent's own BPF objects (maps, programs, links) by kind and id, filled by the agent once
 * attached: a bpf(2) call of another process that names one of them is reported.
 */
enum bpf_object_kind {
	BPF_OBJECT_MAP = 1,
	BPF_OBJECT_PROG = 2,
	BPF_OBJECT_LINK = 3,
};

struct agent_object_key {
	__u32 kind;
	__u32 id;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2048);
	__type(key, struct agent_object_key);
	__type(value, __u8);
} agent_objects SEC(".maps");

static __always_inline int is_agent_object(__u32 kind, __u32 id)
{
	struct agent_object_key k = {.kind = kind, .id = id};
	return id && bpf_map_lookup_elem(&agent_objects, &k) != NULL;
}

/* Whether this pid or tid is the agent or one of its threads. */
static __always_inline int is_agent_task(__s64 id)
{
	struct policy_global *g = policy();
	if (!g || !g->agent_pid || id <= 0)
		return 0;
	if (id == g->agent_pid)
		return 1;
	__u32 tid = (__u32)id;
	return bpf_map_lookup_elem(&agent_threads, &tid) != NULL;
}

/* Whether a kill(2) target takes in the agent: its pid or a thread's, its process group (0 from a
 * member, or -pgid), or -1 (every process the sender may signal). */
static __always_inline int signal_hits_agent(__s64 target)
{
	struct policy_global *g = policy();
	if (!g || !g->agent_pid)
		return 0;
	if (target > 0)
		return is_agent_task(target);
	if (target == -1)
		return 1;
	__u32 pgid = (__u32)(-target);
	if (target == 0) {
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		pgid = BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID], numbers[0].nr);
	}
	return g->agent_pgid && pgid == g->agent_pgid;
}

/* An action aimed at the agent by another process: reported whatever the sender's rules say. */
static __always_inline int aimed_at_agent_by_other(int hit)
{
	if (!hit)
		return 0;
	struct policy_global *g = policy();
	return g && (bpf_get_current_pid_tgid() >> 32) != g->agent_pid;
}

static __always_inline __u32 type_policy(__u32 type)
{
	__u32 *t = bpf_map_lookup_elem(&policy_types, &type);
	return t ? *t : 0;
}

/*
 * The rule of the nearest cgroup, from the current one up to the root, that has one. Decided by
 * ancestry here, not by a list of ids made at load: a rule on a cgroup covers the cgroups created
 * under it afterwards (a container's, a user's session). Up to MAX_CGROUP_DEPTH levels.
 */
static __always_inline __u32 *cgroup_rule(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	int level = BPF_CORE_READ(t, cgroups, dfl_cgrp, level);
	for (int i = 0; i < MAX_CGROUP_DEPTH; i++) {
		int l = level - i;
		if (l < 0)
			break;
		__u64 id = bpf_get_current_ancestor_cgroup_id(l);
		__u32 *r = bpf_map_lookup_elem(&cgroup_rules, &id);
		if (r)
			return r;
	}
	return NULL;
}

static __always_inline int rule_allows(__u32 *rule, __u32 watching)
{
	if (rule && (*rule & RULE_IGNORE))
		return 0;
	return !watching || (rule && (*rule & RULE_WATCH));
}

/* Is this event type on, and is the current process one the policy wants? */
static __always_inline int policy_wants(__u32 type)
{
	if (!(type_policy(type) & TYPE_ENABLED))
		return 0;
	struct policy_global *g = policy();
	if (!g)
		return 0;
	if ((bpf_get_current_pid_tgid() >> 32) == g->agent_pid)
		return 0;
	__u32 flags = g->flags;
	/* the real, effective and saved uids: a setuid-root program an ignored user runs is root's
	 * doing too, and stays seen; ignored only when all are ignored, watched when any is watched */
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	__u32 *ruid = bpf_map_lookup_elem(&uid_rules, &uid);
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
	__u32 euid = BPF_CORE_READ(cur, cred, euid.val);
	__u32 suid = BPF_CORE_READ(cur, cred, suid.val); /* kept to switch back: root's saved uid is root's power */
	__u32 *reuid = euid == uid ? ruid : bpf_map_lookup_elem(&uid_rules, &euid);
	__u32 *rsuid = suid == uid ? ruid : suid == euid ? reuid : bpf_map_lookup_elem(&uid_rules, &suid);
	if (!rule_allows(ruid, flags & POLICY_WATCH_UIDS) && !rule_allows(reuid, flags & POLICY_WATCH_UIDS)
	    && !rule_allows(rsuid, flags & POLICY_WATCH_UIDS))
		goto filtered;
	if ((flags & POLICY_HAS_CGROUP_RULES) && !rule_allows(cgroup_rule(), flags & POLICY_WATCH_CGROUPS))
		goto filtered;
	if (flags & POLICY_HAS_EXE_RULES) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		struct inode *inode = BPF_CORE_READ(task, mm, exe_file, f_inode);
		struct exe_key k = {
			.dev = BPF_CORE_READ(inode, i_sb, s_dev),
			.ino = BPF_CORE_READ(inode, i_ino),
		};
		if (!rule_allows(bpf_map_lookup_elem(&exe_rules, &k), flags & POLICY_WATCH_EXES))
			goto filtered;
	}
	return 1;
filtered:
	count_filtered(type);
	return 0;
}

/*
 * The path prefix rules of event type `rules` (the longest matching prefix decides); a path they
 * drop is counted under `type`. An io_uring operation takes the rules of the file event it
 * stands for, so both ways of changing a file are filtered alike.
 */
static __always_inline int policy_path_ok_as(__u32 type, __u32 rules, const char *path, __u32 len)
{
	__u32 zero = 0;
	struct path_key *k = bpf_map_lookup_elem(&path_key_heap, &zero);
	if (!k)
		return 1;
	__u32 n = len > PATH_PREFIX_MAX ? PATH_PREFIX_MAX : len;
	k->prefixlen = n * 8;
	bpf_probe_read_kernel(k->data, PATH_PREFIX_MAX, path);
	struct path_rule *r = bpf_map_lookup_elem(&path_rules, k);
	__u64 bit = 1ULL << (rules & 63);
	int keep;
	if (r && (r->mentioned & bit))
		keep = (r->included & bit) != 0;
	else
		keep = (type_policy(rules) & TYPE_DEFAULT_KEEP) != 0;
	if (!keep)
		count_filtered(type);
	return keep;
}

/* The path prefix rules for a file event. */
static __always_inline int policy_path_ok(__u32 type, const char *path, __u32 len)
{
	return policy_path_ok_as(type, type, path, len);
}

#endif
