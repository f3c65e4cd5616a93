package io.github.otelkernel.receiver.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Names of this architecture's system calls and of errno values, from tables the probes' build
 * generates out of the kernel's UAPI headers ({@code bpf/syscalls.tsv}, {@code bpf/errno.tsv}).
 */
public final class KernelNames {
  private static final Map<Integer, String> SYSCALLS = load("bpf/syscalls.tsv");
  private static final Map<Integer, String> ERRNOS = load("bpf/errno.tsv");

  private KernelNames() {}

  /** "openat" for 257 on x86_64; "syscall_N" when unknown. */
  public static String syscall(int nr) {
    String n = SYSCALLS.get(nr);
    return n != null ? n : "syscall_" + nr;
  }

  /** "EACCES" for 13; "E" + number when unknown. */
  public static String errno(int errno) {
    String n = ERRNOS.get(errno);
    return n != null ? n : "E" + errno;
  }

  private static Map<Integer, String> load(String resource) {
    Map<Integer, String> m = new HashMap<>();
    try (InputStream in = KernelNames.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return m; // names degrade to numbers; the jar was built without the tables
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        String[] f = line.split("\t");
        if (f.length == 2) {
          m.putIfAbsent(Integer.parseInt(f[0].trim()), f[1].trim()); // errno.h aliases: keep the first name
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw new UncheckedIOException(new IOException(resource + " is malformed: " + e.getMessage()));
    }
    return Map.copyOf(m);
  }
}
