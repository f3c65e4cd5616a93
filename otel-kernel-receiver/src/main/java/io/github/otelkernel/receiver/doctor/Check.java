package io.github.otelkernel.receiver.doctor;

/**
 * One line of {@code doctor}'s report: what was checked, and what will or will not work.
 *
 * @param detail one line; for a warning or a failure it ends with the fix
 */
public record Check(Status status, String name, String detail) {
  /** What a finding means for the agent. */
  public enum Status {
    /** works */
    OK("ok"),
    /** the agent starts, but this part will not work until fixed */
    WARN("warn"),
    /** the agent would not start */
    FAIL("FAIL");

    private final String label;

    Status(String label) {
      this.label = label;
    }
  }

  public Check {
    detail = detail.replace('\n', ' ');
  }

  static Check ok(String name, String detail) {
    return new Check(Status.OK, name, detail);
  }

  static Check warn(String name, String detail) {
    return new Check(Status.WARN, name, detail);
  }

  static Check fail(String name, String detail) {
    return new Check(Status.FAIL, name, detail);
  }

  /** "ok kernel BTF /sys/kernel/btf/vmlinux": status, name and detail in columns. */
  public String line() {
    return String.format("%-5s %-20s %s", status.label, name, detail);
  }
}
