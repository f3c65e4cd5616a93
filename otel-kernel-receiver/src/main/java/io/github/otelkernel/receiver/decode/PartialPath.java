package io.github.otelkernel.receiver.decode;

/**
 * A path deeper than the probes walk (PATH_DEPTH_MAX components) keeps only its tail. "/run/x" kept
 * from "/a/b/…/run/x" is not /run/x: it is marked with a leading "…/" so that no reader, rule or
 * prefix match takes it for an absolute path (the probes skip the prefix rules for it).
 */
public final class PartialPath {
  /** The mark: U+2026 and a slash, never the start of an absolute path. */
  public static final String PREFIX = "\u2026/";

  private PartialPath() {}

  public static String mark(String tail) {
    return PREFIX + (tail.startsWith("/") ? tail.substring(1) : tail);
  }
}
