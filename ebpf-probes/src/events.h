/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Wire format of the records the probes put into the ring buffer.
 *
 * This header is the contract between kernel and agent: the Java decoder
 * (otel-kernel-receiver: io.github.otelkernel.receiver.decode.RecordLayout)
 * mirrors every offset below; bump RECORD_VERSION on any change, the agent
 * refuses records of a version it does not know. Fields are host-endian,
 * naturally aligned.
 */
#ifndef OKR_EVENTS_H
#define OKR_EVENTS_H

#define RECORD_VERSION 2

enum event_type {
	EVENT_EXEC = 1,
	EVENT_FORK = 2,
	EVENT_EXIT = 3,
	EVENT_TYPE_MAX = 8, /* size of the per-CPU drop counter array */
};

/* flags */
#define FLAG_ARGS_TRUNCATED (1u << 0) /* argv longer than ARGS_MAX bytes */
#define FLAG_ARGS_FAULT     (1u << 1) /* argv pages could not be read */
#define FLAG_EXE_TRUNCATED  (1u << 2) /* executable path deeper/longer than the walker's limits */
#define FLAG_CWD_TRUNCATED  (1u << 3) /* working directory likewise */
#define FLAG_NO_EXE         (1u << 4) /* task has no mm or no exe_file */
#define FLAG_CGROUP_TRUNCATED (1u << 5) /* cgroup path deeper/longer than the walker's limits */

#define TASK_COMM_LEN 16
#define ARGS_MAX 8192          /* bytes of argv kept per exec (NUL-separated) */
#define PATH_BUF_MAX 4096      /* bytes of one path kept, before the last component */
#define PATH_NAME_MAX 256      /* one component, NUL included */
#define PATH_DEPTH_MAX 64      /* components walked per path */

#define TTY_NAME_LEN 24

/* Common to every record: who, when, where. 128 bytes. */
struct event_header {
	__u16 type;          /* enum event_type */
	__u16 version;       /* RECORD_VERSION */
	__u32 flags;         /* FLAG_* */
	__u64 boot_ns;       /* bpf_ktime_get_boot_ns() at the event */
	__u32 pid;           /* tgid, the user-space "pid" */
	__u32 tid;           /* kernel task id of the thread that acted */
	__u32 ppid;          /* tgid of real_parent */
	__u32 uid;           /* real uid (global, init user namespace) */
	__u32 gid;           /* real gid */
	__u32 euid;          /* effective uid */
	__u32 egid;          /* effective gid */
	__u32 loginuid;      /* audit login uid, 4294967295 when unset */
	__u64 start_boot_ns; /* process (group leader) start, boot clock */
	__u64 cgroup_id;     /* cgroup v2 id of the task */
	char comm[TASK_COMM_LEN];
	__u32 sid;           /* session id: pid of the session leader (init namespace) */
	__u32 pgid;          /* process group id */
	__u32 vpid;          /* pid as seen inside the process's own pid namespace */
	__u32 pid_ns;        /* inode number of the process's pid namespace */
	__u32 mnt_ns;        /* inode number of its mount namespace */
	__u32 _pad2;
	char tty[TTY_NAME_LEN]; /* controlling terminal ("pts/3"), empty when none */
};

/*
 * EVENT_EXEC: header, then lengths and the executable's identity, then the
 * variable data packed back to back: executable path, working directory,
 * cgroup path, argv.
 * Paths are sent as their components leaf first, each NUL-terminated
 * ("dash\0bin\0usr\0" for /usr/bin/dash): the walker climbs from the dentry
 * to the root, and reversing in user space is cheaper than in the verifier.
 * The cgroup path comes the same way, from the task's cgroup v2 kernfs node.
 * argv is the raw bytes of mm->arg_start..arg_end, NUL-separated.
 */
struct exec_event {
	struct event_header hdr;
	__u16 exe_len;
	__u16 cwd_len;
	__u32 args_len;
	__u32 args_total;    /* full argv size in bytes, before truncation */
	__u16 cgroup_len;
	__u16 _pad;
	__u32 exe_dev;       /* kernel dev_t of the executable's filesystem */
	__u32 _pad2;
	__u64 exe_ino;       /* identity of the executed file's content version: */
	__u64 exe_size;      /*   device, inode, size and modification time */
	__u64 exe_mtime_ns;
	/* followed by exe_len + cwd_len + cgroup_len + args_len bytes */
};

/* EVENT_FORK: header describes the child; parent is hdr.ppid. */
struct fork_event {
	struct event_header hdr;
	__u32 parent_tid;    /* the thread that called fork/clone */
	__u32 clone_flags_lo; /* reserved */
};

/* EVENT_EXIT: the last thread of the process has exited. */
struct exit_event {
	struct event_header hdr;
	__u32 exit_code;     /* raw wait status: (status << 8) | core(0x80) | signal */
	__u32 _pad;
};

#endif
