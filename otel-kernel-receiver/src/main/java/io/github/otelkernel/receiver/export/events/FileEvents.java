package io.github.otelkernel.receiver.export.events;

import static io.github.otelkernel.receiver.export.events.SysEventMappers.templated;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_DIRECTORY;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_EXTENSION;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_GROUP_ID;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_MODE;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_NAME;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_OWNER_ID;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_PATH;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_SIZE;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.PartialPath;
import io.github.otelkernel.receiver.decode.SysPayload.FileChmod;
import io.github.otelkernel.receiver.decode.SysPayload.FileChown;
import io.github.otelkernel.receiver.decode.SysPayload.FileLink;
import io.github.otelkernel.receiver.decode.SysPayload.FileMkdir;
import io.github.otelkernel.receiver.decode.SysPayload.FileOpen;
import io.github.otelkernel.receiver.decode.SysPayload.FileOpenByHandle;
import io.github.otelkernel.receiver.decode.SysPayload.FileRemove;
import io.github.otelkernel.receiver.decode.SysPayload.FileRename;
import io.github.otelkernel.receiver.decode.SysPayload.FileSetxattr;
import io.github.otelkernel.receiver.decode.SysPayload.FileSymlink;
import io.github.otelkernel.receiver.decode.SysPayload.FileTruncate;
import io.github.otelkernel.receiver.decode.SysPayload.FileUtimes;
import io.github.otelkernel.receiver.decode.SysString;
import io.github.otelkernel.receiver.export.events.BodyTemplate.Variants;
import io.github.otelkernel.semconv.KsecAttributes;
import io.github.otelkernel.semconv.KsecEvents;
import io.opentelemetry.api.common.AttributeKey;
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
    m.put(EventType.FILE_OPEN, templated(FileOpen.class, FileEvents::open));
    m.put(EventType.FILE_READ, templated(FileOpen.class, FileEvents::open));
    m.put(
        EventType.FILE_UNLINK,
        templated(
            FileRemove.class,
            (e, c) -> {
              path(c, e.path());
              return c.actorBody().text(" removed ").ref(FILE_PATH).text(c.outcomeSuffix()).build();
            }));
    m.put(
        EventType.FILE_RMDIR,
        templated(
            FileRemove.class,
            (e, c) -> {
              path(c, e.path());
              return c.actorBody()
                  .text(" removed directory ")
                  .ref(FILE_PATH)
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.FILE_MKDIR,
        templated(
            FileMkdir.class,
            (e, c) -> {
              mode(c, e.mode(), false);
              path(c, e.path());
              return c.actorBody()
                  .text(" created directory ")
                  .ref(FILE_PATH)
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.FILE_RENAME,
        templated(
            FileRename.class,
            (e, c) -> {
              path(c, e.to());
              String from = normalize(e.from().text());
              c.attributes().put(KsecAttributes.FILE_ORIGINAL_PATH, from);
              if (e.flags() != 0) {
                c.attributes().put(KsecAttributes.FILE_RENAME_FLAGS, e.flags());
              }
              return c.actorBody()
                  .text(" renamed ")
                  .ref(KsecAttributes.FILE_ORIGINAL_PATH)
                  .text(" to ")
                  .ref(FILE_PATH)
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.FILE_CHMOD,
        templated(
            FileChmod.class,
            (e, c) -> {
              path(c, e.path());
              mode(c, e.mode(), true);
              return c.actorBody()
                  .text(" changed the mode of ")
                  .ref(FILE_PATH)
                  .text(" to ")
                  .ref(FILE_MODE)
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.FILE_CHOWN,
        templated(
            FileChown.class,
            (e, c) -> {
              path(c, e.path());
              if (e.uid() != -1) {
                c.attributes().put(FILE_OWNER_ID, Integer.toUnsignedString(e.uid()));
              }
              if (e.gid() != -1) {
                c.attributes().put(FILE_GROUP_ID, Integer.toUnsignedString(e.gid()));
              }
              BodyTemplate.Builder b = c.actorBody().text(" changed the owner of ").ref(FILE_PATH);
              b.text(" to ");
              id(b, e.uid(), FILE_OWNER_ID).text(":");
              return id(b, e.gid(), FILE_GROUP_ID).text(c.outcomeSuffix()).build();
            }));
    m.put(
        EventType.FILE_LINK,
        templated(
            FileLink.class,
            (e, c) -> {
              path(c, e.link());
              String existing = normalize(e.existing().text());
              c.attributes().put(KsecAttributes.FILE_ORIGINAL_PATH, existing);
              return c.actorBody()
                  .text(" linked ")
                  .ref(FILE_PATH)
                  .text(" to ")
                  .ref(KsecAttributes.FILE_ORIGINAL_PATH)
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.FILE_SYMLINK,
        templated(
            FileSymlink.class,
            (e, c) -> {
              path(c, e.link());
              String target = e.target().text();
              c.attributes().put(KsecAttributes.FILE_SYMLINK_TARGET_PATH, target);
              return c.actorBody()
                  .text(" made symlink ")
                  .ref(FILE_PATH)
                  .text(" -> ")
                  .ref(KsecAttributes.FILE_SYMLINK_TARGET_PATH)
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.FILE_TRUNCATE,
        templated(
            FileTruncate.class,
            (e, c) -> {
              path(c, e.path());
              c.attributes().put(FILE_SIZE, e.length());
              return c.actorBody()
                  .text(" truncated ")
                  .ref(FILE_PATH)
                  .text(" to ")
                  .ref(FILE_SIZE)
                  .text(" bytes" + c.outcomeSuffix())
                  .build();
            }));
    m.put(EventType.FILE_UTIMES, templated(FileUtimes.class, FileEvents::utimes));
    m.put(
        EventType.FILE_OPEN_BY_HANDLE,
        templated(
            FileOpenByHandle.class,
            (e, c) -> {
              c.attributes().put(KsecAttributes.FILE_OPEN_FLAGS, e.flags());
              c.attributes().put(KsecAttributes.FILE_OPEN_FLAG_NAMES, OpenFlags.names(e.flags()));
              BodyTemplate.Builder b = c.actorBody().text(" opened ");
              if (e.path().isEmpty()) {
                b.text("a file");
              } else {
                path(c, e.path());
                b.ref(FILE_PATH);
              }
              return b.text(
                      " by its file handle (mount descriptor "
                          + e.mountFd()
                          + ")"
                          + c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.FILE_SETXATTR,
        templated(
            FileSetxattr.class,
            (e, c) -> {
              path(c, e.path());
              String name = e.name().text();
              c.attributes().put(KsecAttributes.FILE_XATTR_NAME, name);
              c.attributes().put(KsecAttributes.FILE_XATTR_SIZE, e.size());
              if (!e.value().isEmpty()) {
                c.attributes()
                    .put(
                        KsecAttributes.FILE_XATTR_VALUE,
                        Base64.getEncoder().encodeToString(e.value().bytes().bytes()));
              }
              return c.actorBody()
                  .text(" set extended attribute ")
                  .ref(KsecAttributes.FILE_XATTR_NAME)
                  .text(" on ")
                  .ref(FILE_PATH)
                  .text(c.outcomeSuffix())
                  .build();
            }));
  }

  /** An id of a chown by its attribute, or "-" when unchanged (-1, no attribute). */
  private static BodyTemplate.Builder id(BodyTemplate.Builder b, int id, AttributeKey<String> key) {
    return id == -1 ? b.text("-") : b.ref(key);
  }

  /** file.path (and name, directory, and what the kernel said of it) from a path slot. */
  static String path(SysEventContext c, SysString raw) {
    String p = normalize(raw.text());
    if (raw.partial()) {
      p = PartialPath.mark(p);
    }
    AttributesBuilder a = c.attributes();
    a.put(FILE_PATH, p);
    int slash = p.lastIndexOf('/');
    if (slash >= 0 && p.length() > 1) {
      a.put(FILE_NAME, p.substring(slash + 1));
      a.put(FILE_DIRECTORY, slash == 0 ? "/" : p.substring(0, slash));
      // ECS's and OTel's file.extension: the last one (gz of a.tar.gz); .bashrc has none
      int dot = p.lastIndexOf('.');
      if (dot > slash + 1 && dot < p.length() - 1) {
        a.put(FILE_EXTENSION, p.substring(dot + 1));
      }
    }
    if (raw.lossy()) {
      a.put(KsecAttributes.FILE_PATH_RAW, Base64.getEncoder().encodeToString(raw.bytes().bytes()));
    }
    if (raw.truncated()) {
      a.put(KsecAttributes.FILE_PATH_TRUNCATED, true);
    }
    if (raw.relative()) {
      a.put(KsecAttributes.FILE_PATH_UNRESOLVED, true);
    }
    return p;
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

  private static BodyTemplate open(FileOpen e, SysEventContext c) {
    String p = path(c, e.path());
    long flags = e.flags();
    c.attributes().put(KsecAttributes.FILE_OPEN_FLAGS, flags);
    c.attributes().put(KsecAttributes.FILE_OPEN_FLAG_NAMES, OpenFlags.names(flags));
    EventType type = e.call().type();
    if (type == EventType.FILE_OPEN && p.startsWith(PROC_SYS) && p.length() > PROC_SYS.length()) {
      String name = p.substring(PROC_SYS.length()).replace('/', '.');
      c.eventName(KsecEvents.KERNEL_SYSCTL_WRITE);
      c.attributes().put(KsecAttributes.SYSCTL_NAME, name);
      return SYSCTL_BODIES.get(Variants.bit(c.failed(), OPEN_FAILED));
    }
    if ((flags & OpenFlags.O_CREAT) != 0 || (flags & OpenFlags.O_TMPFILE) == OpenFlags.O_TMPFILE) {
      mode(c, e.mode(), false);
    }
    boolean agent = e.call().flag(SysCall.FLAG_TARGET_IS_AGENT);
    if (agent) {
      c.attributes().put(KsecAttributes.TARGET_PROCESS_IS_AGENT, true);
    }
    if (!c.failed()) {
      // rules ask for file creation and modification; the open says what it may have done: O_CREAT
      // creates the file unless it existed (the flags show which was asked, not which happened)
      if ((flags & OpenFlags.O_CREAT) != 0) {
        c.ecsVariant("create");
      } else if ((flags & OpenFlags.O_ACCMODE) != 0 || (flags & OpenFlags.O_TRUNC) != 0) {
        c.ecsVariant("write");
      }
    }
    return OPEN_BODIES.get(
        Variants.bit(c.failed(), OPEN_FAILED)
            | Variants.bit(type == EventType.FILE_READ, OPEN_READ)
            | Variants.bit(agent, OPEN_AGENT));
  }

  // the open mapper runs for most records on a busy host: its bodies are built once
  private static final int OPEN_FAILED = 0;
  private static final int OPEN_READ = 1;
  private static final int OPEN_AGENT = 2;

  private static final Variants OPEN_BODIES =
      new Variants(
          3,
          v ->
              SysEventContext.outcome(
                      SysEventContext.actorTemplate()
                          .text(" opened ")
                          .ref(FILE_PATH)
                          .text(Variants.has(v, OPEN_AGENT) ? " (this agent's)" : "")
                          .text(Variants.has(v, OPEN_READ) ? " for reading" : " for writing"),
                      Variants.has(v, OPEN_FAILED))
                  .build());

  private static final Variants SYSCTL_BODIES =
      new Variants(
          1,
          v ->
              SysEventContext.outcome(
                      SysEventContext.actorTemplate()
                          .text(" opened kernel parameter ")
                          .ref(KsecAttributes.SYSCTL_NAME)
                          .text(" for writing"),
                      Variants.has(v, OPEN_FAILED))
                  .build());

  private static BodyTemplate utimes(FileUtimes e, SysEventContext c) {
    path(c, e.path());
    if (!e.timesGiven()) {
      c.attributes().put(KsecAttributes.FILE_TIMES_NOW, true);
      return c.actorBody()
          .text(" set the times of ")
          .ref(FILE_PATH)
          .text(" to now" + c.outcomeSuffix())
          .build();
    }
    boolean shown = false;
    boolean now = false;
    if (e.atimeNsec() == UTIME_NOW || e.mtimeNsec() == UTIME_NOW) {
      now = true;
    }
    if (e.atimeNsec() != UTIME_NOW && e.atimeNsec() != UTIME_OMIT) {
      c.attributes()
          .put(KsecAttributes.FILE_ACCESS_TIME, SysEventContext.iso(e.atimeSec(), e.atimeNsec()));
    }
    if (e.mtimeNsec() != UTIME_NOW && e.mtimeNsec() != UTIME_OMIT) {
      c.attributes()
          .put(KsecAttributes.FILE_MODIFY_TIME, SysEventContext.iso(e.mtimeSec(), e.mtimeNsec()));
      shown = true;
    }
    if (now) {
      c.attributes().put(KsecAttributes.FILE_TIMES_NOW, true);
    }
    BodyTemplate.Builder b =
        c.actorBody().text(" set the modification time of ").ref(FILE_PATH).text(" to ");
    if (shown) {
      b.ref(KsecAttributes.FILE_MODIFY_TIME);
    } else {
      b.text("now");
    }
    return b.text(c.outcomeSuffix()).build();
  }
}
