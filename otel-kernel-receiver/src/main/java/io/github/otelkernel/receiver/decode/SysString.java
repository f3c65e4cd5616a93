package io.github.otelkernel.receiver.decode;

/**
 * One string slot of a system-call record, with what the kernel said about it: cut to its slot's
 * size, a relative path it could not anchor, or a path that lost its leading directories.
 */
public record SysString(RawBytes bytes, boolean truncated, boolean relative, boolean partial) {
  public String text() {
    return bytes.text();
  }

  public boolean isEmpty() {
    return bytes.isEmpty();
  }

  /** Not valid UTF-8: {@link #text()} lost information that {@link #bytes()} keeps. */
  public boolean lossy() {
    return bytes.lossy();
  }
}
