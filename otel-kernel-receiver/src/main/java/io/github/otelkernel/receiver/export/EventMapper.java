package io.github.otelkernel.receiver.export;

import static io.opentelemetry.semconv.incubating.ProcessIncubatingAttributes.*;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent;
import io.github.otelkernel.receiver.decode.KernelEvent.ProcessExec;
import io.github.otelkernel.receiver.decode.KernelEvent.ProcessExit;
import io.github.otelkernel.receiver.decode.KernelEvent.ProcessFork;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.KernelNames;
import io.github.otelkernel.receiver.decode.PartialPath;
import io.github.otelkernel.receiver.decode.ProcessInfo;
import io.github.otelkernel.receiver.decode.RawBytes;
import io.github.otelkernel.receiver.decode.Signals;
import io.github.otelkernel.receiver.enrich.BootClock;
import io.github.otelkernel.receiver.enrich.ProcessContext;
import io.github.otelkernel.receiver.enrich.ProcessTable;
import io.github.otelkernel.receiver.export.events.BodyTemplate;
import io.github.otelkernel.receiver.export.events.BodyTemplate.Variants;
import io.github.otelkernel.receiver.export.events.SysEventContext;
import io.github.otelkernel.receiver.export.events.SysEventMappers;
import io.github.otelkernel.semconv.EcsCategorization;
import io.github.otelkernel.semconv.KsecAttributes;
import io.github.otelkernel.semconv.KsecEcs;
import io.github.otelkernel.semconv.KsecEvents;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.incubating.ContainerIncubatingAttributes;
import io.opentelemetry.semconv.incubating.K8sIncubatingAttributes;
import io.opentelemetry.semconv.incubating.ThreadIncubatingAttributes;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * The mapping stage: one decoded kernel event and its process context to the record it becomes,
 * EventName, attributes and a body template, before redaction and merging. A pure function of its
 * inputs and the process lookups it is given: the golden tests (src/test/resources/mapping/) run it
 * without root.
 *
 * <p>The body is not text yet: a {@link BodyTemplate} of literal text and references to the
 * record's attributes, rendered after redaction from the masked values. Process exec, fork and
 * exit, and every system-call mapper ({@code SysEventMappers.templated}), refer to every value a
 * process controls.
 */
public final class EventMapper {
  /** A mapped record; type is null for records that are not kernel events. */
  public record Mapped(
      String eventName,
      EventType type,
      long epochNanos,
      BodyTemplate body,
      Attributes attributes,
      EcsCategorization ecs) {}

  private final BootClock clock;
  private final IntFunction<Optional<ProcessTable.Entry>> processes;
  private final int agentPid;

  /**
   * @param processes the process table, to describe the target of a ptrace, a signal…
   * @param agentPid this agent's pid, to mark actions aimed at it
   */
  public EventMapper(
      BootClock clock, IntFunction<Optional<ProcessTable.Entry>> processes, int agentPid) {
    this.clock = clock;
    this.processes = processes;
    this.agentPid = agentPid;
  }

  public Mapped map(KernelEvent event, ProcessContext ctx) {
    AttributesBuilder a = Attributes.builder();
    ProcessInfo p = event.process();
    common(a, p);
    context(a, p, ctx);
    String name;
    BodyTemplate body;
    String ecsVariant = "";
    switch (event) {
      case ProcessExec e -> {
        name = KsecEvents.PROCESS_EXEC;
        body = exec(a, e);
      }
      case ProcessFork f -> {
        name = KsecEvents.PROCESS_FORK;
        executable(a, ctx.self());
        a.put(KsecAttributes.PROCESS_PARENT_THREAD_ID, (long) f.parentTid());
        body = FORK_BODY;
      }
      case ProcessExit x -> {
        name = KsecEvents.PROCESS_EXIT;
        executable(a, ctx.self());
        // what ended, as the exec named it: rules match exits by program and arguments too
        putIfNotEmpty(a, PROCESS_COMMAND_LINE, ctx.self().commandLine());
        body = exit(a, x);
      }
      case SysCall s -> {
        executable(a, ctx.self());
        SysEventContext c = new SysEventContext(s, a, processes, agentPid);
        outcome(a, s);
        body = SysEventMappers.forType(s.type()).map(c);
        name = c.eventName();
        ecsVariant = c.ecsVariant();
      }
    }
    missing(a, event, ctx);
    EventType type = event instanceof SysCall s ? s.type() : null;
    EcsCategorization ecs = ecsVariant.isEmpty() ? KsecEcs.of(name) : KsecEcs.of(name, ecsVariant);
    return new Mapped(name, type, clock.toEpochNanos(p.bootNanos()), body, a.build(), ecs);
  }

  private static void outcome(AttributesBuilder a, SysCall s) {
    a.put(KsecAttributes.EVENT_CATEGORY, s.type().category());
    a.put(
        KsecAttributes.EVENT_OUTCOME,
        s.outcomeUnknown() ? "unknown" : s.failed() ? "failure" : "success");
    if (s.failed()) {
      a.put(ErrorAttributes.ERROR_TYPE, KernelNames.errno(s.errno()));
    }
    if (s.syscall() != -1) { // -1: a kernel check, not a system call (capability use)
      a.put(KsecAttributes.SYSCALL_NAME, KernelNames.syscall(s.syscall()));
      a.put(KsecAttributes.SYSCALL_RETURN, s.ret());
    }
    if (s.flag(SysCall.FLAG_ARGS_CHANGED)) {
      a.put(KsecAttributes.SYSCALL_ARGS_CHANGED, true);
    }
    if (s.flag(SysCall.FLAG_ARGS_UNVERIFIED)) {
      a.put(KsecAttributes.SYSCALL_ARGS_UNVERIFIED, true);
    }
  }

  private void context(AttributesBuilder a, ProcessInfo p, ProcessContext ctx) {
    a.put(KsecAttributes.PROCESS_ENTITY_ID, ctx.self().entityId());
    ctx.parent()
        .ifPresent(
            parent -> {
              a.put(KsecAttributes.PROCESS_PARENT_ENTITY_ID, parent.entityId());
              putIfNotEmpty(a, KsecAttributes.PROCESS_PARENT_EXECUTABLE_PATH, parent.executable());
              putIfNotEmpty(
                  a, KsecAttributes.PROCESS_PARENT_EXECUTABLE_NAME, parent.executableName());
              putIfNotEmpty(a, KsecAttributes.PROCESS_PARENT_COMMAND_LINE, parent.commandLine());
              a.put(
                  KsecAttributes.PROCESS_PARENT_CREATION_TIME,
                  iso(clock.toEpochNanos(parent.startBootNanos())));
            });
    // session 0 is the kernel's: processes descended from an init that never called setsid()
    // have no session leader, so there is nothing to name
    if (p.sessionId() > 0) {
      a.put(PROCESS_SESSION_LEADER_PID, (long) p.sessionId());
    }
    ctx.sessionLeader()
        .ifPresent(
            l -> {
              a.put(KsecAttributes.PROCESS_SESSION_LEADER_ENTITY_ID, l.entityId());
              putIfNotEmpty(
                  a, KsecAttributes.PROCESS_SESSION_LEADER_EXECUTABLE_PATH, l.executable());
            });
    if (p.processGroupId() > 0) {
      a.put(PROCESS_GROUP_LEADER_PID, (long) p.processGroupId());
    }
    ctx.entryLeader()
        .ifPresent(
            l -> {
              a.put(KsecAttributes.PROCESS_ENTRY_LEADER_PID, (long) l.process().pid());
              a.put(KsecAttributes.PROCESS_ENTRY_LEADER_ENTITY_ID, l.process().entityId());
              putIfNotEmpty(
                  a, KsecAttributes.PROCESS_ENTRY_LEADER_EXECUTABLE_PATH, l.process().executable());
              a.put(KsecAttributes.PROCESS_ENTRY_LEADER_ENTRY_TYPE, l.type());
            });
    ctx.userName().ifPresent(v -> a.put(PROCESS_USER_NAME, v));
    ctx.realUserName().ifPresent(v -> a.put(PROCESS_REAL_USER_NAME, v));
    ctx.groupName().ifPresent(v -> a.put(KsecAttributes.PROCESS_GROUP_NAME, v));
    ctx.realGroupName().ifPresent(v -> a.put(KsecAttributes.PROCESS_REAL_GROUP_NAME, v));
    ctx.loginUserName().ifPresent(v -> a.put(KsecAttributes.PROCESS_LOGIN_USER_NAME, v));
    if (!ctx.cgroupPath().isEmpty()) {
      a.put(
          PROCESS_LINUX_CGROUP, "0::" + ctx.cgroupPath()); // the cgroup v2 line of /proc/PID/cgroup
    }
    ctx.container()
        .ifPresent(
            c -> {
              a.put(ContainerIncubatingAttributes.CONTAINER_ID, c.containerId());
              a.put(ContainerIncubatingAttributes.CONTAINER_RUNTIME_NAME, c.runtime());
              c.podUid().ifPresent(uid -> a.put(K8sIncubatingAttributes.K8S_POD_UID, uid));
            });
    a.put(PROCESS_VPID, (long) p.namespacePid());
    a.put(KsecAttributes.PROCESS_PID_NAMESPACE_ID, p.pidNamespace());
    a.put(KsecAttributes.PROCESS_PID_NAMESPACE_IS_HOST, ctx.hostPidNamespace());
    a.put(KsecAttributes.PROCESS_MOUNT_NAMESPACE_ID, p.mountNamespace());
    a.put(KsecAttributes.PROCESS_MOUNT_NAMESPACE_IS_HOST, ctx.hostMountNamespace());
    a.put(PROCESS_INTERACTIVE, p.hasTty());
    if (p.hasTty()) {
      a.put(KsecAttributes.PROCESS_TTY, p.tty());
    }
    ctx.executableSha256().ifPresent(h -> a.put(KsecAttributes.PROCESS_EXECUTABLE_HASH_SHA256, h));
  }

  private void common(AttributesBuilder a, ProcessInfo p) {
    a.put(PROCESS_PID, (long) p.pid());
    a.put(PROCESS_PARENT_PID, (long) p.parentPid());
    a.put(ThreadIncubatingAttributes.THREAD_ID, (long) p.tid());
    a.put(PROCESS_USER_ID, p.credentials().euid());
    a.put(PROCESS_REAL_USER_ID, p.credentials().uid());
    a.put(KsecAttributes.PROCESS_GROUP_ID, p.credentials().egid());
    a.put(KsecAttributes.PROCESS_REAL_GROUP_ID, p.credentials().gid());
    if (p.credentials().hasLoginUid()) {
      a.put(KsecAttributes.PROCESS_LOGIN_USER_ID, p.credentials().loginUid());
    }
    a.put(KsecAttributes.PROCESS_COMM, p.comm().text());
    a.put(KsecAttributes.PROCESS_CGROUP_ID, p.cgroupId());
    if (p.startBootNanos() > 0) {
      a.put(PROCESS_CREATION_TIME, iso(clock.toEpochNanos(p.startBootNanos())));
    }
  }

  private static BodyTemplate exec(AttributesBuilder a, ProcessExec e) {
    // a path deeper than the walk keeps only its tail: marked, never shown as absolute
    String path =
        e.executablePathTruncated()
            ? PartialPath.mark(e.executablePath().text())
            : e.executablePath().text();
    if (!e.executablePath().isEmpty()) {
      a.put(PROCESS_EXECUTABLE_PATH, path);
      a.put(PROCESS_EXECUTABLE_NAME, path.substring(path.lastIndexOf('/') + 1));
      raw(a, KsecAttributes.PROCESS_EXECUTABLE_PATH_RAW, e.executablePath());
    }
    if (e.executablePathTruncated()) {
      a.put(KsecAttributes.PROCESS_EXECUTABLE_PATH_TRUNCATED, true);
    }
    a.put(
        PROCESS_WORKING_DIRECTORY,
        e.workingDirectoryTruncated()
            ? PartialPath.mark(e.workingDirectory().text())
            : e.workingDirectory().text());
    raw(a, KsecAttributes.PROCESS_WORKING_DIRECTORY_RAW, e.workingDirectory());
    if (e.workingDirectoryTruncated()) {
      a.put(KsecAttributes.PROCESS_WORKING_DIRECTORY_TRUNCATED, true);
    }
    List<String> args = new ArrayList<>(e.args().size());
    boolean lossy = false;
    for (RawBytes arg : e.args()) {
      args.add(arg.text());
      lossy |= arg.lossy();
    }
    a.put(PROCESS_COMMAND_ARGS, args);
    a.put(PROCESS_ARGS_COUNT, (long) args.size());
    a.put(PROCESS_COMMAND_LINE, String.join(" ", args));
    a.put(KsecAttributes.PROCESS_COMMAND_ARGS_BYTES, e.argsTotalBytes());
    if (e.argsTruncated()) {
      a.put(KsecAttributes.PROCESS_COMMAND_ARGS_TRUNCATED, true);
    }
    if (e.argsUnreadable()) {
      a.put(KsecAttributes.PROCESS_COMMAND_ARGS_UNREADABLE, true);
    }
    if (lossy) {
      ByteArrayOutputStream joined = new ByteArrayOutputStream();
      for (RawBytes arg : e.args()) {
        joined.writeBytes(arg.bytes());
        joined.write(0);
      }
      a.put(
          KsecAttributes.PROCESS_COMMAND_ARGS_RAW,
          Base64.getEncoder().encodeToString(joined.toByteArray()));
    }
    if (!e.environment().isEmpty()) {
      List<String> env = new ArrayList<>(e.environment().size());
      for (RawBytes v : e.environment()) {
        env.add(v.text());
      }
      a.put(KsecAttributes.PROCESS_ENV_VARS, env);
    }
    if (e.environmentTruncated()) {
      a.put(KsecAttributes.PROCESS_ENV_VARS_TRUNCATED, true);
    }
    if (e.environmentIncomplete()) {
      a.put(KsecAttributes.PROCESS_ENV_VARS_INCOMPLETE, true);
    }
    if (e.fileless()) {
      a.put(KsecAttributes.PROCESS_EXECUTABLE_FILELESS, true);
    }
    var ids = e.process().credentials();
    boolean idChange = ids.euid() != ids.uid() || ids.egid() != ids.gid();
    if (idChange) {
      a.put(KsecAttributes.PROCESS_EXEC_ID_CHANGE, true);
    }
    return EXEC_BODIES.get(
        Variants.bit(path.isEmpty(), EXEC_NO_PATH)
            | Variants.bit(e.fileless(), EXEC_FILELESS)
            | Variants.bit(idChange, EXEC_ID_CHANGE));
  }

  private static final int EXEC_NO_PATH = 0;
  private static final int EXEC_FILELESS = 1;
  private static final int EXEC_ID_CHANGE = 2;

  private static final Variants EXEC_BODIES =
      new Variants(
          3,
          v -> {
            BodyTemplate.Builder body =
                BodyTemplate.builder()
                    .text("Process ")
                    .ref(PROCESS_PID)
                    .text(" executed ")
                    .ref(
                        Variants.has(v, EXEC_NO_PATH)
                            ? KsecAttributes.PROCESS_COMM
                            : PROCESS_EXECUTABLE_PATH);
            if (Variants.has(v, EXEC_FILELESS)) {
              body.text(" (fileless: memfd or deleted file)");
            }
            body.text(" as uid ").ref(PROCESS_USER_ID);
            if (Variants.has(v, EXEC_ID_CHANGE)) {
              body.text(" (real uid ").ref(PROCESS_REAL_USER_ID).text(")");
            }
            return body.build();
          });

  private static final BodyTemplate FORK_BODY =
      BodyTemplate.builder()
          .text("Process ")
          .ref(PROCESS_PARENT_PID)
          .text(" forked child process ")
          .ref(PROCESS_PID)
          .text(" (")
          .ref(KsecAttributes.PROCESS_COMM)
          .text(")")
          .build();

  private static final int EXIT_SIGNALED = 0;
  private static final int EXIT_CORE_DUMPED = 1;

  private static final Variants EXIT_BODIES =
      new Variants(
          2,
          v -> {
            BodyTemplate.Builder who = SysEventContext.actorTemplate();
            if (!Variants.has(v, EXIT_SIGNALED)) {
              return who.text(" exited with code ").ref(PROCESS_EXIT_CODE).build();
            }
            return who.text(" was killed by ")
                .ref(KsecAttributes.PROCESS_EXIT_SIGNAL_NAME)
                .text(Variants.has(v, EXIT_CORE_DUMPED) ? " (core dumped)" : "")
                .build();
          });

  private BodyTemplate exit(AttributesBuilder a, ProcessExit x) {
    ProcessInfo p = x.process();
    a.put(PROCESS_EXIT_TIME, iso(clock.toEpochNanos(p.bootNanos())));
    if (x.signal() != 0) {
      String sig = Signals.name(x.signal());
      a.put(KsecAttributes.PROCESS_EXIT_SIGNAL, (long) x.signal());
      a.put(KsecAttributes.PROCESS_EXIT_SIGNAL_NAME, sig);
      if (x.coreDumped()) {
        a.put(KsecAttributes.PROCESS_EXIT_CORE_DUMPED, true);
      }
      // no process.exit.code: the process never returned one (a shell would show 128+N)
      return EXIT_BODIES.get(
          Variants.bit(true, EXIT_SIGNALED) | Variants.bit(x.coreDumped(), EXIT_CORE_DUMPED));
    }
    a.put(PROCESS_EXIT_CODE, (long) x.exitCode());
    return EXIT_BODIES.get(0);
  }

  /**
   * The acting program, as the process table knows it from the exec (exec records take theirs from
   * the event): detection rules filter file and network events by the program that did them, and
   * the kernel's 16-byte comm is the process's to choose.
   */
  private static void executable(AttributesBuilder a, ProcessTable.Entry self) {
    putIfNotEmpty(a, PROCESS_EXECUTABLE_PATH, self.executable());
    putIfNotEmpty(a, PROCESS_EXECUTABLE_NAME, self.executableName());
  }

  private static final List<String> MISSING_EXECUTABLE = List.of("executable");

  /**
   * ksec.enrichment.missing: what this record lacks because the agent does not know it, not because
   * it is not there, so that an analyst can tell the two apart. Kernel threads (kthreadd, pid 2,
   * and its children) have no program, hence nothing missing.
   */
  /** Records mapped with some enrichment unknown (ksec.enrichment.missing), for agent.health. */
  private final java.util.concurrent.atomic.LongAdder incomplete =
      new java.util.concurrent.atomic.LongAdder();

  /** Records this mapper gave a ksec.enrichment.missing, since it started. */
  public long incomplete() {
    return incomplete.sum();
  }

  private void missing(AttributesBuilder a, KernelEvent event, ProcessContext ctx) {
    ProcessInfo p = event.process();
    boolean kernelThread = p.pid() == 2 || p.parentPid() == 2;
    boolean noExecutable =
        !kernelThread
            && (event instanceof ProcessExec e
                ? e.executablePath().isEmpty()
                : ctx.self().executable().isEmpty());
    boolean noParent = p.parentPid() > 0 && ctx.parent().isEmpty();
    boolean noHash = !kernelThread && !noExecutable && ctx.executableSha256().isEmpty();
    if (!noExecutable && !noParent && !noHash) {
      return;
    }
    incomplete.increment();
    if (noExecutable && !noParent) {
      a.put(KsecAttributes.ENRICHMENT_MISSING, MISSING_EXECUTABLE); // the common case, shared
      return;
    }
    List<String> missing = new ArrayList<>(3);
    if (noExecutable) {
      missing.add("executable");
    }
    if (noParent) {
      missing.add("parent");
    }
    if (noHash) {
      missing.add("hash");
    }
    a.put(KsecAttributes.ENRICHMENT_MISSING, missing);
  }

  /** Unknown (a kernel thread's, or an unreadable /proc entry's) is absent, not "". */
  private static void putIfNotEmpty(AttributesBuilder a, AttributeKey<String> key, String value) {
    if (value != null && !value.isEmpty()) {
      a.put(key, value);
    }
  }

  private static void raw(AttributesBuilder a, AttributeKey<String> key, RawBytes value) {
    if (value.lossy()) {
      a.put(key, Base64.getEncoder().encodeToString(value.bytes()));
    }
  }

  private static String iso(long epochNanos) {
    return Instant.ofEpochSecond(0, epochNanos).toString();
  }
}
