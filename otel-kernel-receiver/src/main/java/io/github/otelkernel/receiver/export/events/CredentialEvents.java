package io.github.otelkernel.receiver.export.events;

import io.github.otelkernel.receiver.decode.Capabilities;
import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.KernelNames;
import io.github.otelkernel.receiver.decode.PrctlOptions;
import io.github.otelkernel.receiver.export.Signals;
import io.github.otelkernel.semconv.KsecAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Attributes and bodies of privilege and behaviour events: id changes, capabilities, prctl,
 * signals, namespaces (probes/creds.bpf.h lists what each record holds). The ids after a change
 * are the record's process.user.id and process.real_user.id (or the group ids): the header is
 * taken when the call returns.
 */
final class CredentialEvents {
  private static final int PR_SET_NAME = 15;
  private static final long UNCHANGED = 0xffff_ffffL;

  /** CLONE_NEW* flag and the namespace kind it makes, as /proc/PID/ns names it. */
  private static final long[] NS_FLAGS = {
      0x00020000L, 0x02000000L, 0x04000000L, 0x08000000L, 0x10000000L, 0x20000000L, 0x40000000L, 0x00000080L};
  private static final String[] NS_NAMES = {"mnt", "cgroup", "uts", "ipc", "user", "pid", "net", "time"};

  private CredentialEvents() {}

  static void register(Map<EventType, SysEventMapper> m) {
    m.put(EventType.SETUID, c -> ids(c, "user"));
    m.put(EventType.SETGID, c -> ids(c, "group"));
    m.put(EventType.CAPSET, c -> {
      SysCall e = c.event();
      long pid = e.arg(0) == 0 ? e.process().pid() : e.arg(0);
      c.target(pid);
      List<String> eff = Capabilities.names(e.arg(1));
      c.attributes().put(KsecAttributes.CAPABILITIES_EFFECTIVE, eff);
      c.attributes().put(KsecAttributes.CAPABILITIES_PERMITTED, Capabilities.names(e.arg(2)));
      c.attributes().put(KsecAttributes.CAPABILITIES_INHERITABLE, Capabilities.names(e.arg(3)));
      return c.actor() + " set the effective capabilities of process " + pid + " to "
          + (eff.isEmpty() ? "none" : String.join(",", eff)) + c.outcomeSuffix();
    });
    m.put(EventType.PRCTL, c -> {
      SysCall e = c.event();
      int option = (int) e.arg(0);
      String name = PrctlOptions.name(option);
      c.attributes().put(KsecAttributes.PRCTL_OPTION, name);
      c.attributes().put(KsecAttributes.PRCTL_ARGUMENT, e.arg(1));
      if (option == PR_SET_NAME) {
        String newName = c.text(0, KsecAttributes.PRCTL_NAME, null);
        return c.actor() + " renamed itself to " + newName + c.outcomeSuffix();
      }
      return c.actor() + " called prctl " + name + "(" + e.arg(1) + ")" + c.outcomeSuffix();
    });
    m.put(EventType.CAP_USE, c -> {
      SysCall e = c.event();
      String cap = Capabilities.name((int) e.arg(0));
      c.attributes().put(KsecAttributes.CAPABILITY_NAME, cap);
      c.attributes().put(KsecAttributes.CAPABILITY_INITIAL_NAMESPACE, e.arg(1) != 0);
      return c.actor() + (e.failed() ? " was denied " : " used ") + cap;
    });
    m.put(EventType.SIGNAL, c -> {
      SysCall e = c.event();
      long pid = (int) e.arg(0); // kill's pid is signed: 0 and negatives name process groups
      int sig = (int) e.arg(1);
      long tid = e.arg(2);
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
      String whom = pid > 0 ? "process " + pid : pid == 0 ? "its process group" : pid == -1
          ? "every process it may signal" : "process group " + (-pid);
      if (e.flag(SysCall.FLAG_TARGET_IS_AGENT)) {
        whom = pid > 0 ? "this agent (process " + pid + ")" : whom + ", this agent among them";
      }
      return c.actor() + " sent " + name + " to " + whom + c.outcomeSuffix();
    });
    m.put(EventType.SETNS, c -> {
      SysCall e = c.event();
      List<String> kinds = new ArrayList<>();
      String kind = e.string(2).text();
      if (!kind.isEmpty()) {
        kinds.add(kind);
      } else {
        kinds.addAll(namespaces(e.arg(1)));
      }
      if (!kinds.isEmpty()) {
        c.attributes().put(KsecAttributes.NAMESPACE_TYPES, kinds);
      }
      if (e.arg(2) != 0) {
        c.attributes().put(KsecAttributes.NAMESPACE_INODE, e.arg(2));
      }
      String what = kinds.isEmpty() ? "namespaces" : String.join(",", kinds) + " namespace";
      if (e.arg(3) != 0) {
        c.target(e.arg(3));
        return c.actor() + " entered the " + what + " of process " + e.arg(3) + c.outcomeSuffix();
      }
      return c.actor() + " entered " + what + (e.arg(2) != 0 ? " " + e.arg(2) : "") + c.outcomeSuffix();
    });
    m.put(EventType.UNSHARE, c -> {
      List<String> kinds = namespaces(c.event().arg(0));
      c.attributes().put(KsecAttributes.NAMESPACE_TYPES, kinds);
      return c.actor() + " created new " + String.join(",", kinds) + " namespaces" + c.outcomeSuffix();
    });
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

  private static String ids(SysEventContext c, String what) {
    SysCall e = c.event();
    var a = c.attributes();
    boolean fs = e.arg(3) != 0;
    long r = e.arg(0) & UNCHANGED;
    long eff = e.arg(1) & UNCHANGED;
    long saved = e.arg(2) & UNCHANGED;
    String call = KernelNames.syscall(e.syscall());
    int n = call.startsWith("setres") ? 3 : call.startsWith("setre") ? 2 : 1;
    List<String> asked = new ArrayList<>();
    if (n == 1) {
      // setuid(x) sets the effective id (and the real and saved ones when privileged); setfsuid the fs id
      a.put(KsecAttributes.CREDENTIALS_REQUESTED_EFFECTIVE_ID, r);
      asked.add((fs ? "filesystem " : "") + what + " id " + r);
    } else {
      if (r != UNCHANGED) {
        a.put(KsecAttributes.CREDENTIALS_REQUESTED_REAL_ID, r);
        asked.add("real " + r);
      }
      if (eff != UNCHANGED) {
        a.put(KsecAttributes.CREDENTIALS_REQUESTED_EFFECTIVE_ID, eff);
        asked.add("effective " + eff);
      }
      if (n == 3 && saved != UNCHANGED) {
        a.put(KsecAttributes.CREDENTIALS_REQUESTED_SAVED_ID, saved);
        asked.add("saved " + saved);
      }
    }
    if (fs) {
      a.put(KsecAttributes.CREDENTIALS_FILESYSTEM, true);
    }
    a.put(KsecAttributes.CREDENTIALS_PREVIOUS_REAL_ID, e.arg(4) & UNCHANGED);
    a.put(KsecAttributes.CREDENTIALS_PREVIOUS_EFFECTIVE_ID, e.arg(5) & UNCHANGED);
    return c.actor() + " changed its " + what + " ids (" + (asked.isEmpty() ? "none" : String.join(", ", asked))
        + ") from " + (e.arg(5) & UNCHANGED) + c.outcomeSuffix();
  }
}
