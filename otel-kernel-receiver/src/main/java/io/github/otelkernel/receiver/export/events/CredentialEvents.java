package io.github.otelkernel.receiver.export.events;

import static io.github.otelkernel.receiver.export.events.SysEventMappers.templated;

import io.github.otelkernel.receiver.decode.Capabilities;
import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.KernelNames;
import io.github.otelkernel.receiver.decode.PrctlOptions;
import io.github.otelkernel.receiver.decode.Signals;
import io.github.otelkernel.receiver.decode.SysPayload.CapabilityUse;
import io.github.otelkernel.receiver.decode.SysPayload.Capset;
import io.github.otelkernel.receiver.decode.SysPayload.IdChange;
import io.github.otelkernel.receiver.decode.SysPayload.Prctl;
import io.github.otelkernel.receiver.decode.SysPayload.SessionChange;
import io.github.otelkernel.receiver.decode.SysPayload.Setns;
import io.github.otelkernel.receiver.decode.SysPayload.Signal;
import io.github.otelkernel.receiver.decode.SysPayload.Unshare;
import io.github.otelkernel.semconv.KsecAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Attributes and bodies of privilege and behaviour events: id changes, capabilities, prctl,
 * signals, namespaces (probes/creds.bpf.h lists what each record holds). The ids after a change are
 * the record's process.user.id and process.real_user.id (or the group ids): the header is taken
 * when the call returns.
 */
final class CredentialEvents {
  private static final int PR_SET_NAME = 15;
  private static final long UNCHANGED = 0xffff_ffffL;

  /** CLONE_NEW* flag and the namespace kind it makes, as /proc/PID/ns names it. */
  private static final long[] NS_FLAGS = {
    0x00020000L,
    0x02000000L,
    0x04000000L,
    0x08000000L,
    0x10000000L,
    0x20000000L,
    0x40000000L,
    0x00000080L
  };

  private static final String[] NS_NAMES = {
    "mnt", "cgroup", "uts", "ipc", "user", "pid", "net", "time"
  };

  private CredentialEvents() {}

  static void register(Map<EventType, SysEventMapper> m) {
    m.put(EventType.SETUID, templated(IdChange.class, (e, c) -> ids(e, c, "user")));
    m.put(EventType.SETGID, templated(IdChange.class, (e, c) -> ids(e, c, "group")));
    m.put(
        EventType.CAPSET,
        templated(
            Capset.class,
            (e, c) -> {
              long pid = e.pid() == 0 ? e.call().process().pid() : e.pid();
              c.target(pid);
              List<String> eff = Capabilities.names(e.effective());
              c.attributes().put(KsecAttributes.CAPABILITIES_EFFECTIVE, eff);
              c.attributes()
                  .put(KsecAttributes.CAPABILITIES_PERMITTED, Capabilities.names(e.permitted()));
              c.attributes()
                  .put(
                      KsecAttributes.CAPABILITIES_INHERITABLE, Capabilities.names(e.inheritable()));
              // names of capability bits joined by commas (the attribute is a list): no event bytes
              return c.actorBody()
                  .text(" set the effective capabilities of process ")
                  .ref(KsecAttributes.TARGET_PROCESS_PID)
                  .text(
                      " to " + (eff.isEmpty() ? "none" : String.join(",", eff)) + c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.PRCTL,
        templated(
            Prctl.class,
            (e, c) -> {
              String name = PrctlOptions.name(e.option());
              c.attributes().put(KsecAttributes.PRCTL_OPTION, name);
              c.attributes().put(KsecAttributes.PRCTL_ARGUMENT, e.arg2());
              if (e.option() == PR_SET_NAME) {
                c.text(e.name(), KsecAttributes.PRCTL_NAME, null);
                return c.actorBody()
                    .text(" renamed itself to ")
                    .ref(KsecAttributes.PRCTL_NAME)
                    .text(c.outcomeSuffix())
                    .build();
              }
              return c.actorBody()
                  .text(" called prctl ")
                  .ref(KsecAttributes.PRCTL_OPTION)
                  .text("(")
                  .ref(KsecAttributes.PRCTL_ARGUMENT)
                  .text(")" + c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.CAP_USE,
        templated(
            CapabilityUse.class,
            (e, c) -> {
              String cap = Capabilities.name(e.capability());
              c.attributes().put(KsecAttributes.CAPABILITY_NAME, cap);
              c.attributes().put(KsecAttributes.CAPABILITY_INITIAL_NAMESPACE, e.initialNamespace());
              return c.actorBody()
                  .text(e.call().failed() ? " was denied " : " used ")
                  .ref(KsecAttributes.CAPABILITY_NAME)
                  .build();
            }));
    m.put(
        EventType.SIGNAL,
        templated(
            Signal.class,
            (e, c) -> {
              long pid = e.pid(); // kill's pid is signed: 0 and negatives name process groups
              int sig = e.signal();
              long tid = e.tid();
              if (pid == 0 && tid != 0) {
                pid = tid; // tkill names only the thread
              }
              c.target(pid);
              if (tid != 0) {
                c.attributes().put(KsecAttributes.TARGET_THREAD_ID, tid);
              }
              c.attributes().put(KsecAttributes.SIGNAL_NUMBER, (long) sig);
              String name = Signals.name(sig);
              c.attributes().put(KsecAttributes.SIGNAL_NAME, name);
              BodyTemplate.Builder b =
                  c.actorBody().text(" sent ").ref(KsecAttributes.SIGNAL_NAME).text(" to ");
              boolean agent = e.call().flag(SysCall.FLAG_TARGET_IS_AGENT);
              if (pid > 0) {
                b.text(agent ? "this agent (process " : "process ")
                    .ref(KsecAttributes.TARGET_PROCESS_PID)
                    .text(agent ? ")" : "");
              } else {
                // a group is named by the negated pid: a number we compute, not an attribute
                b.text(
                    pid == 0
                        ? "its process group"
                        : pid == -1 ? "every process it may signal" : "process group " + (-pid));
                b.text(agent ? ", this agent among them" : "");
              }
              return b.text(c.outcomeSuffix()).build();
            }));
    m.put(
        EventType.SETNS,
        templated(
            Setns.class,
            (e, c) -> {
              List<String> kinds = new ArrayList<>();
              String kind = e.kind().text();
              if (!kind.isEmpty()) {
                kinds.add(kind);
              } else {
                kinds.addAll(namespaces(e.nstype()));
              }
              if (!kinds.isEmpty()) {
                c.attributes().put(KsecAttributes.NAMESPACE_TYPES, kinds);
              }
              if (e.inode() != 0) {
                c.attributes().put(KsecAttributes.NAMESPACE_INODE, e.inode());
              }
              BodyTemplate.Builder b = c.actorBody();
              b.text(e.pid() != 0 ? " entered the " : " entered ");
              if (!kind.isEmpty()) {
                // the one kind the kernel named, from the record: as its attribute shows it
                b.ref(KsecAttributes.NAMESPACE_TYPES).text(" namespace");
              } else {
                // names of CLONE_NEW* bits, joined by commas (the attribute is a list)
                b.text(kinds.isEmpty() ? "namespaces" : String.join(",", kinds) + " namespace");
              }
              if (e.pid() != 0) {
                c.target(e.pid());
                b.text(" of process ").ref(KsecAttributes.TARGET_PROCESS_PID);
              } else if (e.inode() != 0) {
                b.text(" ").ref(KsecAttributes.NAMESPACE_INODE);
              }
              return b.text(c.outcomeSuffix()).build();
            }));
    m.put(
        EventType.SETSID,
        templated(
            SessionChange.class,
            (e, c) -> {
              c.attributes().put(KsecAttributes.PROCESS_PREVIOUS_SESSION_ID, e.previousSession());
              return c.actorBody()
                  .text(" left session ")
                  .ref(KsecAttributes.PROCESS_PREVIOUS_SESSION_ID)
                  .text(" for a session of its own")
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.UNSHARE,
        templated(
            Unshare.class,
            (e, c) -> {
              List<String> kinds = namespaces(e.flags());
              c.attributes().put(KsecAttributes.NAMESPACE_TYPES, kinds);
              // names of CLONE_NEW* bits, joined by commas (the attribute is a list)
              return c.actorBody()
                  .text(
                      " created new " + String.join(",", kinds) + " namespaces" + c.outcomeSuffix())
                  .build();
            }));
  }

  static List<String> namespaces(long flags) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < NS_FLAGS.length; i++) {
      if ((flags & NS_FLAGS[i]) != 0) {
        out.add(NS_NAMES[i]);
      }
    }
    return out;
  }

  private static BodyTemplate ids(IdChange e, SysEventContext c, String what) {
    var a = c.attributes();
    boolean fs = e.filesystem();
    long r = e.id0() & UNCHANGED;
    long eff = e.id1() & UNCHANGED;
    long saved = e.id2() & UNCHANGED;
    String call = KernelNames.syscall(e.call().syscall());
    int n = call.startsWith("setres") ? 3 : call.startsWith("setre") ? 2 : 1;
    BodyTemplate.Builder b = c.actorBody().text(" changed its " + what + " ids (");
    boolean none = true;
    if (n == 1) {
      // setuid(x) sets the effective id (and the real and saved ones when privileged); setfsuid the
      // fs id
      a.put(KsecAttributes.CREDENTIALS_REQUESTED_EFFECTIVE_ID, r);
      b.text((fs ? "filesystem " : "") + what + " id ")
          .ref(KsecAttributes.CREDENTIALS_REQUESTED_EFFECTIVE_ID);
      none = false;
    } else {
      if (r != UNCHANGED) {
        a.put(KsecAttributes.CREDENTIALS_REQUESTED_REAL_ID, r);
        b.text("real ").ref(KsecAttributes.CREDENTIALS_REQUESTED_REAL_ID);
        none = false;
      }
      if (eff != UNCHANGED) {
        a.put(KsecAttributes.CREDENTIALS_REQUESTED_EFFECTIVE_ID, eff);
        b.text(none ? "effective " : ", effective ")
            .ref(KsecAttributes.CREDENTIALS_REQUESTED_EFFECTIVE_ID);
        none = false;
      }
      if (n == 3 && saved != UNCHANGED) {
        a.put(KsecAttributes.CREDENTIALS_REQUESTED_SAVED_ID, saved);
        b.text(none ? "saved " : ", saved ").ref(KsecAttributes.CREDENTIALS_REQUESTED_SAVED_ID);
        none = false;
      }
    }
    if (fs) {
      a.put(KsecAttributes.CREDENTIALS_FILESYSTEM, true);
    }
    a.put(KsecAttributes.CREDENTIALS_PREVIOUS_REAL_ID, e.previousReal() & UNCHANGED);
    a.put(KsecAttributes.CREDENTIALS_PREVIOUS_EFFECTIVE_ID, e.previousEffective() & UNCHANGED);
    return b.text((none ? "none" : "") + ") from ")
        .ref(KsecAttributes.CREDENTIALS_PREVIOUS_EFFECTIVE_ID)
        .text(c.outcomeSuffix())
        .build();
  }
}
