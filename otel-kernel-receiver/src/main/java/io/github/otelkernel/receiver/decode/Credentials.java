package io.github.otelkernel.receiver.decode;

/** Ids of a task at the event, as the kernel sees them (initial user namespace). */
public record Credentials(long uid, long gid, long euid, long egid, long loginUid) {
  /** The kernel's "unset" audit login uid. */
  public static final long UNSET = 4294967295L;

  public boolean hasLoginUid() {
    return loginUid != UNSET;
  }
}
