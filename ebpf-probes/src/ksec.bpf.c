/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The agent's one BPF object: every probe shares the ring buffer, the drop
 * counters, the pending-call table and the policy maps. One header per
 * concern under probes/, like one program per concern: process lifecycle,
 * credentials and behaviour, injection, files, network, kernel integrity,
 * io_uring. Tracepoints, raw tracepoints and BTF-typed tracepoints only, so it loads on kernels without
 * kprobes, fentry or BPF LSM; a probe whose tracepoint this kernel lacks is
 * left out at load time by the agent (see BpfProbes).
 */
#include "lib/common.h"
#include "lib/path.h"
#include "lib/policy.h"
#include "lib/syscall.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Records written only through a cast of ring-buffer space leave no type in the object's BTF,
 * which the agent's layout test (WireLayoutTest) reads: these two unused globals keep them.
 */
const struct fork_event *unused_fork_event __attribute__((unused));
const struct exit_event *unused_exit_event __attribute__((unused));

#include "probes/process.bpf.h"
#include "probes/creds.bpf.h"
#include "probes/inject.bpf.h"
#include "probes/file.bpf.h"
#include "probes/network.bpf.h"
#include "probes/integrity.bpf.h"
#include "probes/io_uring.bpf.h"
