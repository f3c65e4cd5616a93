/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Wire format of the records the probes put into the ring buffer.
 *
 * This header is the contract between kernel and agent: the Java decoder
 * (otel-kernel-receiver: io.github.otelkernel.receiver.decode.RecordLayout)
 * mirrors every offset below, and its WireLayoutTest checks them against the
 * BTF of the compiled object; bump RECORD_VERSION on any change, the agent
 * refuses records of a version it does not know. Fields are host-endian,
 * naturally aligned.
 */
#ifndef OKR_EVENTS_H
#define OKR_EVENTS_H

#define RECORD_VERSION 4

/* enum event_type and each type's payload slots (TYPE_ARG_x, TYPE_STR_x): generated from the
 * event catalog, semantic-conventions/model/ksec/events.yaml */
#include "event_types.h"

/* flags */
#define FLAG_ARGS_TRUNCATED (1u << 0) /* argv longer than ARGS_MAX bytes */
#define FLAG_ARGS_FAULT     (1u << 1) /* argv pages could not be read */
#define FLAG_EXE_TRUNCATED  (1u << 2) /* executable path deeper/longer than the walker's limits */
#define FLAG_CWD_TRUNCATED  (1u << 3) /* working directory likewise */
#define FLAG_NO_EXE         (1u << 4) /* task has no mm or no exe_file */
#define FLAG_CGROUP_TRUNCATED (1u << 5) /* cgroup path deeper/longer than the walker's limits */
#define FLAG_EXE_MEMFD      (1u << 6) /* exec: the executable is a memfd (fileless execution) */
#define FLAG_EXE_UNLINKED   (1u << 7) /* exec: the executable has no link left on disk */
/* sys_event: strings 0..2 were cut (longer than their slot) or are not absolute */
#define FLAG_STR0_TRUNCATED (1u << 8)
#define FLAG_STR1_TRUNCATED (1u << 9)
#define FLAG_STR2_TRUNCATED (1u << 10)
#define FLAG_STR0_RELATIVE  (1u << 11) /* the base directory could not be resolved */
#define FLAG_STR1_RELATIVE  (1u << 12)
#define FLAG_TARGET_IS_AGENT (1u << 13) /* the target process is the agent itself */
/* sys_event: path 0..1 lost its leading directories (deeper than PATH_DEPTH_MAX): only its tail
 * is known, so it looks absolute but is not, and the prefix rules never see it */
#define FLAG_STR0_PARTIAL   (1u << 14)
#define FLAG_STR1_PARTIAL   (1u << 15)
/* sys_event: an argument read from the caller's memory (a path, a socket address) differed between
 * entry and exit (CHANGED), or could have been changed by another task while the kernel read it
 * (UNVERIFIED: the address space has other users, or the buffer is in a shared mapping) */
#define FLAG_ARGS_CHANGED    (1u << 16)
#define FLAG_ARGS_UNVERIFIED (1u << 17)
/* sys_event: sent without its outcome (ret is 0): an io_uring operation whose completion could not be
 * waited for (no room to hold it, or the submitter asked for no completion on success) */
#define FLAG_NO_OUTCOME     (1u << 18)
/* exec: part of the environment could not be read, so a listed variable may be missing */
#define FLAG_ENV_INCOMPLETE (1u << 19)
/* exec: a listed variable was cut at ENV_VAR_MAX bytes, or the listed ones exceeded ENV_OUT_MAX */
#define FLAG_ENV_TRUNCATED  (1u << 20)

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
 * cgroup path, the environment variables the policy lists, argv.
 * Paths are sent as their components leaf first, each NUL-terminated
 * ("dash\0bin\0usr\0" for /usr/bin/dash): the walker climbs from the dentry
 * to the root, and reversing in user space is cheaper than in the verifier.
 * The cgroup path comes the same way, from the task's cgroup v2 kernfs node.
 * The variables are "NAME=VALUE", each NUL-terminated, in the environment's order (lib/environ.h).
 * argv is the raw bytes of mm->arg_start..arg_end, NUL-separated.
 */
struct exec_event {
	struct event_header hdr;
	__u16 exe_len;
	__u16 cwd_len;
	__u32 args_len;
	__u32 args_total;    /* full argv size in bytes, before truncation */
	__u16 cgroup_len;
	__u16 env_len;       /* bytes of listed environment variables */
	__u32 exe_dev;       /* kernel dev_t of the executable's filesystem */
	__u32 _pad2;
	__u64 exe_ino;       /* identity of the executed file's content version: */
	__u64 exe_size;      /*   device, inode, size and modification time */
	__u64 exe_mtime_ns;
	/* followed by exe_len + cwd_len + cgroup_len + env_len + args_len bytes */
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

/*
 * Every other event: the system call, its outcome and up to three strings,
 * filled in at sys_exit from the arguments saved at sys_enter. What args[] and
 * the strings hold is listed per event type in the probe that emits it; the
 * agent's RecordDecoder reads every type alike (KernelEvent.SysCall) and the
 * type's mapper in export/events (SysEventMappers) gives the slots their
 * meaning; the rules:
 *  - ret is the syscall's return value, -errno on failure;
 *  - paths are absolute and forward ("/etc/shadow"), resolved in the kernel
 *    against the dirfd or working directory; FLAG_STRn_RELATIVE when that failed;
 *  - socket addresses are raw: 4 or 16 address bytes;
 *  - strings are not NUL-terminated; str_len[n] == 0 means absent.
 */
#define SYS_STR_MAX 4096
#define SYS_STR_SMALL 256 /* the third string: names, fstype, xattr name */

struct sys_event {
	struct event_header hdr;
	__s64 ret;
	__u64 args[6];
	__u32 nr;            /* syscall number on this architecture (or -1 for a non-syscall source) */
	__u16 str_len[3];
	__u16 _pad;
	__u32 _pad2;
	/* 200 bytes, followed by str_len[0] + str_len[1] + str_len[2] bytes */
};

#endif
