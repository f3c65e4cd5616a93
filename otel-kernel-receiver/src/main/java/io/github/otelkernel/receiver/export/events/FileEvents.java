package io.github.otelkernel.receiver.export.events;

import io.github.otelkernel.receiver.decode.PartialPath;

import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_DIRECTORY;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_GROUP_ID;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_MODE;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_NAME;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_OWNER_ID;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_PATH;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_SIZE;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.RawBytes;
import io.github.otelkernel.semconv.KsecAttributes;
import io.github.otelkernel.semconv.KsecEvents;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Attributes and bodies of the file events (probes/file.bpf.h lists what each record holds). */
final class FileEvents {
  private static final String PROC_SYS = "/proc/sys/";
  private static final long UTIME_NOW = (1L << 30) - 1;
  private static final long UTIME_OMIT = (1L << 30) - 2;
  private static final int S_ISUID = 04000;
  private static final int S_ISGID = 02000;

  private FileEvents() {}

  static void register(Map<EventType, SysEventMapper> m) {
    m.put(EventType.FILE_OPEN, FileEvents::open);
    m.put(EventType.FILE_READ, FileEvents::open);
    m.put(EventType.FILE_UNLINK, c -> c.actor() + " removed " + path(c, 0) + c.outcomeSuffix());
    m.put(EventType.FILE_RMDIR, c -> c.actor() + " removed directory " + path(c, 0) + c.outcomeSuffix());
    m.put(EventType.FILE_MKDIR, c -> {
      mode(c, c.event().arg(0), false);
      return c.actor() + " created directory " + path(c, 0) + c.outcomeSuffix();
    });
    m.put(EventType.FILE_RENAME, c -> {
      String to = path(c, 1);
      String from = text(c.event().string(0));
      c.attributes().put(KsecAttributes.FILE_ORIGINAL_PATH, from);
      if (c.event().arg(0) != 0) {
        c.attributes().put(KsecAttributes.FILE_RENAME_FLAGS, c.event().arg(0));
      }
      return c.actor() + " renamed " + from + " to " + to + c.outcomeSuffix();
    });
    m.put(EventType.FILE_CHMOD, c -> {
      String p = path(c, 0);
      String mode = mode(c, c.event().arg(0), true);
      return c.actor() + " changed the mode of " + p + " to " + mode + c.outcomeSuffix();
    });
    m.put(EventType.FILE_CHOWN, c -> {
      String p = path(c, 0);
      int uid = (int) c.event().arg(0);
      int gid = (int) c.event().arg(1);
      if (uid != -1) {
        c.attributes().put(FILE_OWNER_ID, Integer.toUnsignedString(uid));
      }
      if (gid != -1) {
        c.attributes().put(FILE_GROUP_ID, Integer.toUnsignedString(gid));
      }
      return c.actor() + " changed the owner of " + p + " to " + (uid == -1 ? "-" : Integer.toUnsignedString(uid))
          + ":" + (gid == -1 ? "-" : Integer.toUnsignedString(gid)) + c.outcomeSuffix();
    });
    m.put(EventType.FILE_LINK, c -> {
      String link = path(c, 1);
      String existing = text(c.event().string(0));
      c.attributes().put(KsecAttributes.FILE_ORIGINAL_PATH, existing);
      return c.actor() + " linked " + link + " to " + existing + c.outcomeSuffix();
    });
    m.put(EventType.FILE_SYMLINK, c -> {
      String link = path(c, 0);
      String target = c.event().string(1).text();
      c.attributes().put(KsecAttributes.FILE_SYMLINK_TARGET_PATH, target);
      return c.actor() + " made symlink " + link + " -> " + target + c.outcomeSuffix();
    });
    m.put(EventType.FILE_TRUNCATE, c -> {
      String p = path(c, 0);
      c.attributes().put(FILE_SIZE, c.event().arg(0));
      return c.actor() + " truncated " + p + " to " + c.event().arg(0) + " bytes" + c.outcomeSuffix();
    });
    m.put(EventType.FILE_UTIMES, FileEvents::utimes);
    m.put(EventType.FILE_SETXATTR, c -> {
      String p = path(c, 0);
      String name = c.event().string(2).text();
      c.attributes().put(KsecAttributes.FILE_XATTR_NAME, name);
      c.attributes().put(KsecAttributes.FILE_XATTR_SIZE, c.event().arg(0));
      RawBytes value = c.event().string(1);
      if (!value.isEmpty()) {
        c.attributes().put(KsecAttributes.FILE_XATTR_VALUE, Base64.getEncoder().encodeToString(value.bytes()));
      }
      return c.actor() + " set extended attribute " + name + " on " + p + c.outcomeSuffix();
    });
  }

  /** file.path (and name, directory, flags) from string slot n. */
  static String path(SysEventContext c, int slot) {
    SysCall e = c.event();
    RawBytes raw = e.string(slot);
    String p = normalize(raw.text());
    if (slot < 2 && e.flag(SysCall.FLAG_STR0_PARTIAL << slot)) {
      p = PartialPath.mark(p);
    }
    AttributesBuilder a = c.attributes();
    a.put(FILE_PATH, p);
    int slash = p.lastIndexOf('/');
    if (slash >= 0 && p.length() > 1) {
      a.put(FILE_NAME, p.substring(slash + 1));
      a.put(FILE_DIRECTORY, slash == 0 ? "/" : p.substring(0, slash));
    }
    if (raw.lossy()) {
      a.put(KsecAttributes.FILE_PATH_RAW, Base64.getEncoder().encodeToString(raw.bytes()));
    }
    if (e.flag(SysCall.FLAG_STR0_TRUNCATED << slot)) {
      a.put(KsecAttributes.FILE_PATH_TRUNCATED, true);
    }
    if (slot < 2 && e.flag(SysCall.FLAG_STR0_RELATIVE << slot)) {
      a.put(KsecAttributes.FILE_PATH_UNRESOLVED, true);
    }
    return p;
  }

  private static String text(RawBytes b) {
    return normalize(b.text());
  }

  /**
   * "." and ".." resolved by name: the kernel anchors a relative path at its directory but leaves
   * the rest as the process gave it. Symlinks are not followed (the file may be gone).
   */
  static String normalize(String p) {
    if (!p.startsWith("/") || !(p.contains("/.") || p.contains("//"))) {
      return p;
    }
    List<String> parts = new ArrayList<>();
    for (String part : p.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!parts.isEmpty()) {
          parts.remove(parts.size() - 1);
        }
      } else {
        parts.add(part);
      }
    }
    return "/" + String.join("/", parts);
  }

  private static String mode(SysEventContext c, long mode, boolean bits) {
    String octal = String.format("%04o", mode & 07777);
    c.attributes().put(FILE_MODE, octal);
    if (bits && (mode & S_ISUID) != 0) {
      c.attributes().put(KsecAttributes.FILE_MODE_SETUID, true);
    }
    if (bits && (mode & S_ISGID) != 0) {
      c.attributes().put(KsecAttributes.FILE_MODE_SETGID, true);
    }
    return octal;
  }

  private static String open(SysEventContext c) {
    SysCall e = c.event();
    String p = path(c, 0);
    long flags = e.arg(0);
    c.attributes().put(KsecAttributes.FILE_OPEN_FLAGS, flags);
    c.attributes().put(KsecAttributes.FILE_OPEN_FLAG_NAMES, OpenFlags.names(flags));
    if (e.type() == EventType.FILE_OPEN && p.startsWith(PROC_SYS) && p.length() > PROC_SYS.length()) {
      String name = p.substring(PROC_SYS.length()).replace('/', '.');
      c.eventName(KsecEvents.KERNEL_SYSCTL_WRITE);
      c.attributes().put(KsecAttributes.SYSCTL_NAME, name);
      return c.actor() + " opened kernel parameter " + name + " for writing" + c.outcomeSuffix();
    }
    if ((flags & OpenFlags.O_CREAT) != 0 || (flags & OpenFlags.O_TMPFILE) == OpenFlags.O_TMPFILE) {
      mode(c, e.arg(1), false);
    }
    String how = e.type() == EventType.FILE_READ ? "for reading" : "for writing";
    String agent = "";
    if (e.flag(SysCall.FLAG_TARGET_IS_AGENT)) {
      c.attributes().put(KsecAttributes.TARGET_PROCESS_IS_AGENT, true);
      agent = " (this agent's)";
    }
    return c.actor() + " opened " + p + agent + " " + how + c.outcomeSuffix();
  }

  private static String utimes(SysEventContext c) {
    SysCall e = c.event();
    String p = path(c, 0);
    if (e.arg(4) == 0) {
      c.attributes().put(KsecAttributes.FILE_TIMES_NOW, true);
      return c.actor() + " set the times of " + p + " to now" + c.outcomeSuffix();
    }
    String shown = "now";
    boolean now = false;
    if (e.arg(1) == UTIME_NOW || e.arg(3) == UTIME_NOW) {
      now = true;
    }
    if (e.arg(1) != UTIME_NOW && e.arg(1) != UTIME_OMIT) {
      c.attributes().put(KsecAttributes.FILE_ACCESS_TIME, SysEventContext.iso(e.arg(0), e.arg(1)));
    }
    if (e.arg(3) != UTIME_NOW && e.arg(3) != UTIME_OMIT) {
      shown = SysEventContext.iso(e.arg(2), e.arg(3));
      c.attributes().put(KsecAttributes.FILE_MODIFY_TIME, shown);
    }
    if (now) {
      c.attributes().put(KsecAttributes.FILE_TIMES_NOW, true);
    }
    return c.actor() + " set the modification time of " + p + " to " + shown + c.outcomeSuffix();
  }
}
