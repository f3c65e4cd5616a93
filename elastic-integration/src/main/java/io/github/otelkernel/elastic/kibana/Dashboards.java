package io.github.otelkernel.elastic.kibana;

import static io.github.otelkernel.elastic.kibana.Field.bool;
import static io.github.otelkernel.elastic.kibana.Field.ip;
import static io.github.otelkernel.elastic.kibana.Field.keyword;
import static io.github.otelkernel.elastic.kibana.Field.number;
import static io.github.otelkernel.elastic.kibana.Filter.allOf;
import static io.github.otelkernel.elastic.kibana.Filter.anyOf;
import static io.github.otelkernel.elastic.kibana.Filter.event;
import static io.github.otelkernel.elastic.kibana.Filter.exists;
import static io.github.otelkernel.elastic.kibana.Filter.is;
import static io.github.otelkernel.elastic.kibana.Filter.prefix;
import static io.github.otelkernel.elastic.kibana.Panel.bars;
import static io.github.otelkernel.elastic.kibana.Panel.count;
import static io.github.otelkernel.elastic.kibana.Panel.max;
import static io.github.otelkernel.elastic.kibana.Panel.overTime;
import static io.github.otelkernel.elastic.kibana.Panel.rare;
import static io.github.otelkernel.elastic.kibana.Panel.sum;
import static io.github.otelkernel.elastic.kibana.Panel.table;
import static io.github.otelkernel.elastic.kibana.Panel.top;

import io.github.otelkernel.elastic.kibana.Dashboard.Control;
import java.util.List;

/**
 * The six dashboards, as data: everything in {@code dashboards/*.ndjson} and in {@link
 * PanelQueries} comes from here. Edit this file, then regenerate the NDJSON ({@code
 * KibanaDashboardsTest} says how when they differ).
 */
public final class Dashboards {
  private Dashboards() {}

  /** The data view every panel and control uses. */
  public static final String DATA_VIEW_ID = "ksec-logs";

  public static final String INDEX_PATTERN = "logs-ksec.*";
  public static final String TIME_FROM = "now-24h";

  // the fields, by the attribute names of semantic-conventions/model/ksec
  static final Field HOST = Field.resource("host.name");
  static final Field AGENT_VERSION = Field.resource("service.version");
  static final Field USER = keyword("process.user.name");
  static final Field USER_ID = number("process.user.id");
  static final Field EXECUTABLE = keyword("process.executable.path");
  static final Field EXECUTABLE_NAME = keyword("process.executable.name");
  static final Field FILELESS = bool("ksec.process.executable.fileless");
  static final Field PARENT_EXECUTABLE = keyword("ksec.process.parent.executable.path");
  static final Field PARENT_ENTITY_ID = keyword("ksec.process.parent.entity_id");
  static final Field ENTRY_TYPE = keyword("ksec.process.entry_leader.entry_type");
  static final Field CATEGORY = Field.scope("event.category");
  static final Field ENV_VARS = keyword("ksec.process.env_vars");
  static final Field OUTCOME = keyword("ksec.event.outcome");
  static final Field ERROR_TYPE = keyword("error.type");
  static final Field EVENT_COUNT = number("ksec.event.count");
  static final Field FILE_PATH = keyword("file.path");
  static final Field FILE_NAME = keyword("file.name");
  static final Field FILE_MODE = keyword("file.mode");
  static final Field SETUID = bool("ksec.file.mode.setuid");
  static final Field SETGID = bool("ksec.file.mode.setgid");
  static final Field MODIFY_TIME = keyword("ksec.file.modify_time");
  static final Field DESTINATION = ip("destination.address");
  static final Field DESTINATION_PORT = number("destination.port");
  static final Field TRANSPORT = keyword("network.transport");
  static final Field DIRECTION = keyword("ksec.network.direction");
  static final Field LOCAL_ADDRESS = ip("network.local.address");
  static final Field LOCAL_PORT = number("network.local.port");
  static final Field TARGET_EXECUTABLE = keyword("ksec.target.process.executable.path");
  static final Field TARGET_IS_AGENT = bool("ksec.target.process.is_agent");
  static final Field SIGNAL = keyword("ksec.signal.name");
  static final Field PREVIOUS_EUID = number("ksec.credentials.previous.effective_id");
  static final Field REQUESTED_EUID = number("ksec.credentials.requested.effective_id");
  static final Field CAPABILITY = keyword("ksec.capability.name");
  static final Field CAPABILITY_HOST_WIDE = bool("ksec.capability.initial_namespace");
  static final Field PTRACE_REQUEST = keyword("ksec.ptrace.request");
  static final Field BPF_PROGRAM_TYPE = keyword("ksec.bpf.program.type");
  static final Field BPF_PROGRAM_NAME = keyword("ksec.bpf.program.name");
  static final Field MODULE_NAME = keyword("ksec.module.name");
  static final Filter HEALTH = event("agent.health");
  static final Field RECEIVED = number("ksec.agent.events.received");
  static final Field EXPORTED = number("ksec.agent.events.exported");
  static final Field LOST_KERNEL = number("ksec.agent.events.lost.kernel");
  static final Field LOST_QUEUE = number("ksec.agent.events.lost.queue");
  static final Field LOST_EXPORT = number("ksec.agent.events.lost.export");
  static final Field SENDING_QUEUE = number("ksec.agent.sending_queue.size");
  static final Field NAMESPACE_TYPES = keyword("ksec.namespace.types");
  static final Field MOUNT_TARGET = keyword("ksec.mount.target");

  static final Control HOST_CONTROL = new Control(HOST, "Host");
  static final Control USER_CONTROL = new Control(USER, "User");
  static final Control EXECUTABLE_CONTROL = new Control(EXECUTABLE, "Executable");
  static final Control PROCESS_NAME_CONTROL = new Control(EXECUTABLE_NAME, "Process name");

  static final Filter EXEC = event("process.exec");
  static final Filter FAILED = is(OUTCOME, "failure");
  static final List<String> SHELLS =
      List.of("sh", "bash", "dash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "busybox");
  static final List<String> HISTORIES =
      List.of(
          ".bash_history",
          ".zsh_history",
          ".sh_history",
          ".history",
          ".ash_history",
          ".python_history",
          ".mysql_history",
          ".psql_history",
          ".node_repl_history",
          ".lesshst");

  /** Controls of the dashboards whose events are not all process.exec. */
  static final List<Control> CONTROLS = List.of(HOST_CONTROL, USER_CONTROL, PROCESS_NAME_CONTROL);

  private static final String CONTROLS_NOTE =
      """
      The controls above filter every panel: **Host** (`resource.attributes.host.name`), **User** (the \
      acting process's effective user name) and **Process name** (`process.executable.name`, ECS \
      `process.name`: the acting program's file name, on every record whose process the agent knows; \
      the kernel's task name, which a process can set itself, is `ksec.process.comm`).""";

  public static List<Dashboard> all() {
    return List.of(overview(), process(), file(), network(), privilege(), agentHealth());
  }

  static Dashboard overview() {
    return new Dashboard(
        "ksec-overview",
        "[ksec] Overview",
        "What happened on the watched hosts: events by category, who and what was busiest, what failed.",
        """
        ### Overview: what happened, where, by whom
        Every record the agents sent in the time range (`logs-ksec.*`). Start here, then open the dashboard \
        of the category that stands out.

        - **Events over time by category**: ECS `event.category` (`process`, `file`, `network`, \
        `driver`, `host`, `configuration`…), which each kind of record carries on its scope; a record \
        in two categories counts in both. A step in one colour is a change in behaviour (a deployment, \
        a scan, a loop).
        - **Top hosts, users, executables**: who produced the events. Executables are counted on \
        `process.exec` records: what was started, not how busy it was.
        - **Failed calls by error type**: system calls that failed (`ksec.event.outcome: failure`), by \
        errno name. Bursts of `EACCES`/`EPERM` are probing; `ENOENT` is usually noise.

        """
            + CONTROLS_NOTE,
        CONTROLS,
        List.of(
            overTime("Events over time by category", null, top(CATEGORY, 10).orMissing()).wide(),
            bars("Events by type", null, top(Field.EVENT_NAME, 20)),
            bars("Top hosts", null, top(HOST, 10)),
            bars("Top users", null, top(USER, 10)),
            bars("Top executables (process.exec)", EXEC, top(EXECUTABLE, 15)),
            overTime("Failures over time by error type", FAILED, top(ERROR_TYPE, 10)),
            table(
                "Failed calls by error type",
                FAILED,
                List.of(top(ERROR_TYPE, 10), top(Field.EVENT_NAME, 10), top(EXECUTABLE_NAME, 5)))),
        TIME_FROM);
  }

  static Dashboard process() {
    Filter fromWritable =
        anyOf(
            prefix(EXECUTABLE, "/tmp/"),
            prefix(EXECUTABLE, "/var/tmp/"),
            prefix(EXECUTABLE, "/dev/shm/"),
            is(FILELESS, true));
    Filter shellUnderService =
        allOf(
            EXEC,
            is(EXECUTABLE_NAME, SHELLS.toArray()),
            is(ENTRY_TYPE, "service", "cron", "container"));
    return new Dashboard(
        "ksec-process",
        "[ksec] Process activity",
        "Executions: volume, rare programs, parent and child, programs run from writable or memory-only places, shells under services.",
        """
        ### Process activity: what ran, and what started it
        Built from `process.exec` records (one per `execve`).

        - **Executions over time**, per host: a sudden rise is a script in a loop or a compromise fanning out.
        - **Rare executables**: the least-run programs of the range, fewest first. The count is exact for \
        small ranges; over many shards Elasticsearch's ascending terms order can miss a rare value, so \
        narrow the time range or pick a host before concluding that something is absent.
        - **Parent → child**: which program started which (parent executable, executable, parent entity id). \
        Search the parent entity id in Discover (`ksec.process.entity_id`) to follow the tree upward.
        - **Executions from /tmp, /var/tmp, /dev/shm or fileless**: programs run from world-writable \
        places or from memory (`ksec.process.executable.fileless`: memfd or deleted file). Rarely legitimate.
        - **Shells spawned by services**: a shell whose entry leader is a service, cron job or container \
        (`ksec.process.entry_leader.entry_type`), not a login: the classic sign of a web shell or RCE.
        - **Executions with a listed environment variable**: `ksec.process.env_vars` (ECS \
        `process.env_vars`), the variables `policy.env_vars` names: a preloaded library (`LD_PRELOAD`), \
        history switched off (`HISTFILE=/dev/null`), a proxy. Most hosts show few; each new value is worth \
        a look.

        The controls filter every panel: **Host**, **User** (effective user name) and **Executable** \
        (`process.executable.path`).""",
        List.of(HOST_CONTROL, USER_CONTROL, EXECUTABLE_CONTROL),
        List.of(
            overTime("Executions over time by host", EXEC, top(HOST, 10)).wide(),
            table("Rare executables", EXEC, List.of(rare(EXECUTABLE, 25))),
            table(
                "Parent to child",
                EXEC,
                List.of(
                    top(PARENT_EXECUTABLE, 20).orMissing(),
                    top(EXECUTABLE, 10),
                    top(PARENT_ENTITY_ID, 5).orMissing())),
            table(
                "Executions from /tmp, /dev/shm or fileless",
                allOf(EXEC, fromWritable),
                List.of(top(EXECUTABLE, 20), top(USER, 5).orMissing(), top(HOST, 5))),
            table(
                "Shells spawned by services",
                shellUnderService,
                List.of(top(PARENT_EXECUTABLE, 20).orMissing(), top(EXECUTABLE, 5), top(HOST, 10))),
            table(
                "Executions with a listed environment variable",
                allOf(EXEC, exists(ENV_VARS)),
                List.of(top(ENV_VARS, 20), top(EXECUTABLE, 10), top(HOST, 5)))),
        TIME_FROM);
  }

  static Dashboard file() {
    Filter sensitive =
        anyOf(
            prefix(FILE_PATH, "/etc/"),
            prefix(FILE_PATH, "/boot/"),
            prefix(FILE_PATH, "/root/"),
            prefix(FILE_PATH, "/usr/bin/"),
            prefix(FILE_PATH, "/usr/sbin/"),
            prefix(FILE_PATH, "/usr/lib/"),
            prefix(FILE_PATH, "/bin/"),
            prefix(FILE_PATH, "/sbin/"),
            prefix(FILE_PATH, "/lib/"),
            prefix(FILE_PATH, "/var/spool/cron/"),
            Filter.wildcard(FILE_PATH, "/home/*/.ssh/*"));
    Filter fileEvents = is(CATEGORY, "file");
    Filter logsAndHistories =
        allOf(
            event("file.unlink", "file.truncate", "file.symlink"),
            anyOf(
                prefix(FILE_PATH, "/var/log/"),
                is(FILE_PATH, "/var/run/utmp", "/run/utmp"),
                is(FILE_NAME, HISTORIES.toArray())));
    return new Dashboard(
        "ksec-file",
        "[ksec] File integrity",
        "Changes to system files, setuid and setgid bits, forged timestamps, deleted logs and shell histories.",
        """
        ### File integrity: what changed where it should not
        File events the collection policy kept (`event.category: file`; see docs/policy.md for what \
        is collected by default).

        - **File changes over time** by event type.
        - **Changes under sensitive paths**: `/etc`, `/boot`, `/root`, binaries and libraries, cron spools, \
        users' `.ssh`. Package upgrades show here too: look at the process name.
        - **setuid / setgid bits set**: `file.chmod` that sets `ksec.file.mode.setuid` or `setgid`, a \
        classic persistence and privilege-escalation step.
        - **Timestamp forging**: `file.utimes` that set an explicit modification time \
        (`ksec.file.modify_time`), e.g. `touch -d` or `touch -r` to hide a changed file.
        - **Logs and shell histories removed**: unlink, truncate or symlink over files under \
        `/var/log`, of utmp, or of shell and REPL histories (`.bash_history` linked to `/dev/null`).

        """
            + CONTROLS_NOTE,
        CONTROLS,
        List.of(
            overTime("File changes over time by event", fileEvents, top(Field.EVENT_NAME, 15))
                .wide(),
            table(
                "Changes under sensitive paths",
                allOf(fileEvents, sensitive),
                List.of(top(FILE_PATH, 25), top(Field.EVENT_NAME, 5), top(EXECUTABLE_NAME, 5))),
            table(
                "setuid or setgid bits set",
                allOf(event("file.chmod"), anyOf(is(SETUID, true), is(SETGID, true))),
                List.of(
                    top(FILE_PATH, 20), top(FILE_MODE, 3), top(EXECUTABLE_NAME, 5), top(HOST, 5))),
            table(
                "Timestamp forging (explicit modification time)",
                allOf(event("file.utimes"), exists(MODIFY_TIME)),
                List.of(top(FILE_PATH, 20), top(MODIFY_TIME, 3), top(EXECUTABLE_NAME, 5))),
            table(
                "Logs and shell histories removed",
                logsAndHistories,
                List.of(
                    top(FILE_PATH, 20),
                    top(Field.EVENT_NAME, 4),
                    top(EXECUTABLE_NAME, 5),
                    top(HOST, 5)))),
        TIME_FROM);
  }

  static Dashboard network() {
    Filter connect = event("network.connect");
    return new Dashboard(
        "ksec-network",
        "[ksec] Network",
        "Outbound connections by process and destination, new listeners, rare destinations and ports, DNS.",
        """
        ### Network: who talks to whom
        Socket events: `network.connect` (outbound), `network.accept` (inbound), `network.listen`, \
        `network.bind`, `network.send` (UDP to the ports the policy names).

        - **Connections over time by direction**: outbound connects and inbound accepts.
        - **Outbound connections by process and destination**: process name, destination address and port.
        - **New listeners**: `network.listen` in the range, by port and process. A listener on a high \
        port from a shell or interpreter is a bind shell.
        - **Rare destinations** and **rare destination ports**: least-contacted first (same caveat as \
        rare executables: ascending order is approximate across shards).
        - **DNS (port 53)**: processes talking to port 53 and the servers they ask. Outside the resolver \
        (`systemd-resolve`, `dnsmasq`…) this can be tunnelling or a hard-coded server.

        """
            + CONTROLS_NOTE,
        CONTROLS,
        List.of(
            overTime(
                    "Connections over time by direction",
                    event("network.connect", "network.accept"),
                    top(DIRECTION, 3))
                .wide(),
            table(
                "Outbound connections by process and destination",
                connect,
                List.of(top(EXECUTABLE_NAME, 15), top(DESTINATION, 10), top(DESTINATION_PORT, 5))),
            table(
                "New listeners",
                event("network.listen"),
                List.of(
                    top(LOCAL_PORT, 20), top(TRANSPORT, 2), top(EXECUTABLE_NAME, 5), top(HOST, 5))),
            table("Rare destinations", connect, List.of(rare(DESTINATION, 25))),
            table("Rare destination ports", connect, List.of(rare(DESTINATION_PORT, 25))),
            table(
                "DNS (destination port 53)",
                allOf(event("network.connect", "network.send"), is(DESTINATION_PORT, 53)),
                List.of(top(EXECUTABLE_NAME, 15), top(DESTINATION, 5), top(HOST, 5)))),
        TIME_FROM);
  }

  static Dashboard privilege() {
    return new Dashboard(
        "ksec-privilege",
        "[ksec] Privilege and kernel integrity",
        "User id changes, capability use, ptrace and memory injection, kernel module and BPF loads, namespace changes, actions against the agent.",
        """
        ### Privilege and kernel integrity
        - **User id changes**: `process.setuid` by previous and requested effective user id. A process \
        that goes to 0 without being `sudo`, `su`, `login` or `sshd` deserves a look.
        - **Capability use**: capabilities the kernel checked (`process.capability_use`); host-wide \
        (`ksec.capability.initial_namespace: true`) versus a container's own.
        - **ptrace and memory injection**: `process.ptrace`, `process.vm_read`/`vm_write` (another \
        process's memory), `process.memfd_create`, `process.memory_wx` (writable and executable memory).
        - **Kernel module and BPF loads**: `kernel.module_load`/`module_unload`, `kernel.bpf_load`, \
        `kernel.kexec_load`: what changes the running kernel. Expect your own agents' BPF programs.
        - **Namespace changes**: `process.setns` and `process.unshare` (container escapes and entries).
        - **Mounts, pivot_root, clock and sysctl changes**.
        - **Actions against the agent**: signals, ptrace and other calls aimed at the agent's own process \
        (`ksec.target.process.is_agent: true`). Someone trying to blind the sensor.

        """
            + CONTROLS_NOTE,
        CONTROLS,
        List.of(
            table(
                "User id changes",
                event("process.setuid"),
                List.of(top(PREVIOUS_EUID, 10), top(REQUESTED_EUID, 10), top(EXECUTABLE_NAME, 10))),
            table(
                "Capability use",
                event("process.capability_use"),
                List.of(
                    top(CAPABILITY, 20), top(CAPABILITY_HOST_WIDE, 2), top(EXECUTABLE_NAME, 5))),
            table(
                "ptrace and memory injection",
                event(
                    "process.ptrace",
                    "process.vm_read",
                    "process.vm_write",
                    "process.memfd_create",
                    "process.memory_wx"),
                List.of(
                    top(Field.EVENT_NAME, 5),
                    top(EXECUTABLE_NAME, 10),
                    top(TARGET_EXECUTABLE, 5).orMissing(),
                    top(PTRACE_REQUEST, 5).orMissing())),
            table(
                "Kernel module and BPF loads",
                event(
                    "kernel.module_load",
                    "kernel.module_unload",
                    "kernel.bpf_load",
                    "kernel.kexec_load"),
                List.of(
                    top(Field.EVENT_NAME, 4),
                    top(EXECUTABLE_NAME, 10),
                    top(BPF_PROGRAM_TYPE, 5).orMissing(),
                    top(BPF_PROGRAM_NAME, 5).orMissing(),
                    top(FILE_PATH, 5).orMissing(),
                    top(MODULE_NAME, 5).orMissing())),
            table(
                "Namespace changes",
                event("process.setns", "process.unshare"),
                List.of(
                    top(Field.EVENT_NAME, 2), top(NAMESPACE_TYPES, 10), top(EXECUTABLE_NAME, 10))),
            table(
                "Mounts, pivot_root, clock and sysctl changes",
                event(
                    "host.mount",
                    "host.umount",
                    "host.pivot_root",
                    "host.clock_set",
                    "kernel.sysctl_write"),
                List.of(
                    top(Field.EVENT_NAME, 5),
                    top(EXECUTABLE_NAME, 10),
                    top(MOUNT_TARGET, 5).orMissing())),
            table(
                    "Actions against the agent",
                    is(TARGET_IS_AGENT, true),
                    List.of(
                        top(Field.EVENT_NAME, 10),
                        top(SIGNAL, 5).orMissing(),
                        top(EXECUTABLE_NAME, 10),
                        top(USER, 5).orMissing()))
                .wide()),
        TIME_FROM);
  }

  static Dashboard agentHealth() {
    Filter merged = exists(EVENT_COUNT);
    return new Dashboard(
        "ksec-agent-health",
        "[ksec] Agent health",
        "Are the agents sending, and losing anything? Events per type and host, kernel and export losses, queues, merged repeats.",
        """
        ### Agent health: are the sensors sending?
        - **Events per type over time** and **per host over time**: a host whose line drops to zero has \
        stopped sending (agent stopped, Collector or network down, or the host is gone).
        - **Last event per host**: the newest record of each host and its agent version; anything older \
        than a few minutes on a busy host is worth a look.
        - **Merged repeats**: records standing for several identical events (`ksec.event.count`, the \
        policy's rate limit); a high sum means the policy is merging a flood.
        - **Failed calls per host**: system calls that failed, as a baseline.

        - **Losses, queue, counters** come from the `agent.health` records each agent writes every \
        `receivers.ebpf.health_interval` (60 s) and when it stops: cumulative counters since the agent \
        started of events lost in the kernel (ring buffer full), in its queues and at export, and of \
        records waiting to be sent. A line that climbs is loss happening now; any value above zero \
        means events are missing from this data. The same figures go out as OTLP metrics \
        (`ksec.agent.events.lost`…, docs/configuration.md) for metric backends.

        """
            + CONTROLS_NOTE,
        CONTROLS,
        List.of(
            overTime("Events per type over time", null, top(Field.EVENT_NAME, 20)).wide(),
            overTime("Events per host over time", null, top(HOST, 20)),
            table(
                "Last event per host",
                null,
                List.of(top(HOST, 100), top(AGENT_VERSION, 3).orMissing()),
                count("Events"),
                max(Field.TIMESTAMP, "Last event")),
            overTime(
                "Merged repeats over time",
                merged,
                top(Field.EVENT_NAME, 10),
                sum(EVENT_COUNT, "Events merged")),
            table(
                "Most merged",
                merged,
                List.of(top(Field.EVENT_NAME, 10), top(EXECUTABLE_NAME, 10)),
                count("Records"),
                sum(EVENT_COUNT, "Events they stand for")),
            overTime("Failed calls per host", FAILED, top(HOST, 10)),
            overTime(
                "Events lost in the kernel per host (cumulative)",
                HEALTH,
                top(HOST, 10),
                max(LOST_KERNEL, "Lost in the kernel")),
            overTime(
                "Events lost at export per host (cumulative)",
                HEALTH,
                top(HOST, 10),
                max(LOST_EXPORT, "Lost at export")),
            overTime(
                "Records waiting to be sent per host",
                HEALTH,
                top(HOST, 10),
                max(SENDING_QUEUE, "Waiting")),
            table(
                    "Agent counters per host",
                    HEALTH,
                    List.of(top(HOST, 100)),
                    max(RECEIVED, "Received"),
                    max(EXPORTED, "Exported"),
                    max(LOST_KERNEL, "Lost: kernel"),
                    max(LOST_QUEUE, "Lost: queues"),
                    max(LOST_EXPORT, "Lost: export"),
                    max(Field.TIMESTAMP, "Last report"))
                .wide()),
        TIME_FROM);
  }
}
