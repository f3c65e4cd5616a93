package io.github.otelkernel.receiver.export.events;

import java.util.ArrayList;
import java.util.List;

/** open(2) flags by name (asm-generic/fcntl.h values, as on x86_64 and arm64). */
final class OpenFlags {
  static final long O_CREAT = 0100;
  static final long O_TMPFILE = 020200000;
  static final long O_TRUNC = 01000;
  static final long O_ACCMODE = 3;

  private static final long[] BITS = {
    0100, 0200, 0400, 01000, 02000, 04000, 010000, 020000, 040000, 0100000, 0200000, 0400000,
    01000000, 02000000, 04000000, 010000000, 020000000
  };
  private static final String[] NAMES = {
    "O_CREAT",
    "O_EXCL",
    "O_NOCTTY",
    "O_TRUNC",
    "O_APPEND",
    "O_NONBLOCK",
    "O_DSYNC",
    "O_ASYNC",
    "O_DIRECT",
    "O_LARGEFILE",
    "O_DIRECTORY",
    "O_NOFOLLOW",
    "O_NOATIME",
    "O_CLOEXEC",
    "__O_SYNC",
    "O_PATH",
    "__O_TMPFILE"
  };

  private OpenFlags() {}

  static List<String> names(long flags) {
    List<String> out = new ArrayList<>();
    out.add(
        switch ((int) (flags & 3)) {
          case 0 -> "O_RDONLY";
          case 1 -> "O_WRONLY";
          case 2 -> "O_RDWR";
          default -> "O_ACCMODE";
        });
    for (int i = 0; i < BITS.length; i++) {
      if ((flags & BITS[i]) != 0) {
        out.add(NAMES[i]);
      }
    }
    return out;
  }
}
