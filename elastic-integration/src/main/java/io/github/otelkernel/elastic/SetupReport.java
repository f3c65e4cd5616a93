package io.github.otelkernel.elastic;

import java.util.ArrayList;
import java.util.List;

/** What setup found, installed and left out (with why), one line each, in the order it happened. */
public final class SetupReport {
  public enum Kind {
    CLUSTER,
    INSTALLED,
    SKIPPED
  }

  public record Entry(Kind kind, String subject, String detail) {
    @Override
    public String toString() {
      String label = kind.name().toLowerCase(java.util.Locale.ROOT);
      return String.format("%-9s %s%s", label, subject, detail.isEmpty() ? "" : ": " + detail);
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  void cluster(String subject, String detail) {
    entries.add(new Entry(Kind.CLUSTER, subject, detail));
  }

  void installed(String subject, String detail) {
    entries.add(new Entry(Kind.INSTALLED, subject, detail));
  }

  void skipped(String subject, String reason) {
    entries.add(new Entry(Kind.SKIPPED, subject, reason));
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** The lines the CLI prints. */
  public List<String> lines() {
    return entries.stream().map(Entry::toString).toList();
  }

  @Override
  public String toString() {
    return String.join("\n", lines());
  }
}
